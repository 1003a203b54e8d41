/**
 * Fixtures of the workbench tests: a temp dir with a sweeps directory (a tiny valid sweep, a bigger one, a
 * broken one), a real DuckDB file made by running the tiny sweep through the engine with the real simulator,
 * and the real workbench server on a free port of 127.0.0.1. Everything is removed afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCampaign } from '../../../core/engine/engine.js';
import { loadSweepFile } from '../../../core/spec/load.js';
import { createBackend } from '../../../simulator/backend.js';
import { startWorkbench, type Workbench, type WorkbenchOptions } from '../../../app/workbench/server.js';

export const TINY_SWEEP = `name: wb-tiny
seed: 11
repetitions: 4
parameters: { memory_mib: 1024, working_set_mib: 128, network: l2-announce }
axes:
  - grid: { mode: [live, cold, postcopy], dirty_rate_pages_s: [0, 20000] }
`;

/** Run from the page in the tests: 6 points × 5 repetitions. */
export const SMALL_SWEEP = `name: wb-small
seed: 7
repetitions: 5
parameters: { memory_mib: 2048, working_set_mib: 256 }
axes:
  - grid: { mode: [live, suspend, cold], dirty_rate_pages_s: [1000, 50000] }
`;

/** Long enough to cancel: 400k simulated trials (tens of seconds in-thread on this machine). */
export const BIG_SWEEP = `name: wb-big
seed: 3
repetitions: 20000
parameters: { memory_mib: 1024, working_set_mib: 128 }
axes:
  - grid: { mode: [live, cold, postcopy, hybrid], dirty_rate_pages_s: [0, 5000, 20000, 80000, 160000] }
`;

/** Three problems, on lines 2, 3 and 4. */
export const BAD_SWEEP = `name: wb-bad
seed: -1
repetitions: 0
parameters: { memory_mib: 1024, dirty_pattern: zigzag }
axes:
  - grid: { mode: [live, cold] }
`;

export interface Env {
  dir: string;
  db: string;
  sweeps: string;
  wb: Workbench;
  url: string;
  cleanup: () => Promise<void>;
}

/** `workbench`: options for the server (limits, token, the compiled sweep worker). */
export async function startEnv(opts: { seedCampaign?: boolean; workbench?: Partial<WorkbenchOptions> } = {}): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-workbench-'));
  const sweeps = join(dir, 'sweeps');
  mkdirSync(sweeps);
  writeFileSync(join(sweeps, 'tiny.yaml'), TINY_SWEEP);
  writeFileSync(join(sweeps, 'small.yaml'), SMALL_SWEEP);
  writeFileSync(join(sweeps, 'big.yaml'), BIG_SWEEP);
  writeFileSync(join(sweeps, 'bad.yaml'), BAD_SWEEP);
  writeFileSync(join(dir, 'secret.yaml'), TINY_SWEEP.replace('wb-tiny', 'outside'));
  // A name inside the directory that leads outside it.
  symlinkSync(join(dir, 'secret.yaml'), join(sweeps, 'link.yaml'));
  const db = join(dir, 'results.duckdb');
  let wb: Workbench | undefined;
  try {
    if (opts.seedCampaign !== false) {
      await runCampaign({ spec: loadSweepFile(join(sweeps, 'tiny.yaml')), dbPath: db, backend: createBackend({ workers: 0 }) });
    }
    // In-thread simulator: under vitest the compiled worker is absent anyway; this keeps runs on one core.
    wb = await startWorkbench({
      db,
      sweepsDir: sweeps,
      createBackend: async () => createBackend({ workers: 0, batchTrials: 4096 }),
      ...opts.workbench,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const server = wb;
  let cleaned = false;
  return {
    dir,
    db,
    sweeps,
    wb: server,
    url: server.url,
    // Idempotent: a test may close the server itself, and the after-hook cleans up again when a test timed out.
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      try {
        await server.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export async function getJson<T = Record<string, unknown>>(base: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(path, base), { signal: AbortSignal.timeout(60_000) });
  return { status: res.status, body: (await res.json()) as T };
}

export async function postJson<T = Record<string, unknown>>(base: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** A raw HTTP request with headers fetch would not let us set (Host). */
export function rawRequest(
  base: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; text: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: Number(u.port), method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/**
 * Reads an SSE stream until the server closes it, with a deadline; `onEvent` sees each event as it comes
 * (e.g. to cancel the run after the first progress).
 */
export async function readSse(
  url: string,
  timeoutMs: number,
  onEvent?: (e: SseEvent) => void | Promise<void>,
  stop?: AbortSignal,
): Promise<SseEvent[]> {
  const signal = stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs);
  const res = await fetch(url, { signal, headers: { accept: 'text/event-stream' } });
  if (res.status !== 200 || !res.body) throw new Error(`SSE ${url}: HTTP ${res.status}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data === '') continue; // a keep-alive comment
      const e = { event, data: JSON.parse(data) as Record<string, unknown> };
      events.push(e);
      await onEvent?.(e);
    }
  }
  return events;
}

/** Rows of a query on the file, read directly (the server must not hold it then). */
export async function sqlRows(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
