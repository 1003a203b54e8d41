/**
 * The workbench's bounds as figures: peak RSS of a server process (VmHWM) before and after the SQL answers that
 * used to take it to 2.9 GB, their size and time, and how long `/api/campaigns` takes while a 200,000-point sweep
 * is being checked (in the worker thread) and how long that check takes. The server runs in a child process of its
 * own so its peak RSS is its own. `npm run bench -- workbench`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const peakRssMib = (): number => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - t0), value };
}

/** In the child: start the server, measure, print one JSON object. */
async function child(dir: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { startWorkbench } = await import('../app/workbench/server.js');
  const db = join(dir, 'bench.duckdb');
  const instance = await DuckDBInstance.create(db);
  instance.closeSync();
  const entries = Array.from({ length: 200_000 }, (_, i) => `      - { dirty_rate_pages_s: ${i} }`).join('\n');
  writeFileSync(join(dir, 'huge.yaml'), `name: huge\nseed: 1\nrepetitions: 1\nparameters: { memory_mib: 1024 }\naxes:\n  - list:\n${entries}\n`);
  const wb = await startWorkbench({ db, sweepsDir: dir });
  const figures: Record<string, number> = { workbench_idle_peak_rss_mib: peakRssMib() };
  const sql = (q: string) => fetch(new URL('/api/sql', wb.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: q }) }).then((r) => r.text());
  for (const [name, width] of [['30k', 30_000], ['100k', 100_000]] as const) {
    const { ms, value } = await timed(() => sql(`SELECT repeat('x', ${width}) FROM range(10000)`));
    figures[`workbench_sql_${name}x10000_response_mib`] = Math.round((value.length / 1048576) * 10) / 10;
    figures[`workbench_sql_${name}x10000_ms`] = ms;
    figures[`workbench_sql_${name}x10000_peak_rss_mib`] = peakRssMib();
  }
  const check = timed(() => fetch(new URL('/api/sweeps/huge.yaml', wb.url)).then((r) => r.json()));
  await new Promise((r) => setTimeout(r, 200));
  figures.workbench_campaigns_during_sweep_check_ms = (await timed(() => fetch(new URL('/api/campaigns', wb.url)).then((r) => r.json()))).ms;
  figures.workbench_sweep_check_200k_points_ms = (await check).ms;
  await wb.close();
  process.stdout.write(JSON.stringify(figures));
}

export function benchWorkbench(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-bench-workbench-'));
  try {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dir], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`bench workbench: the server process failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, number>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child' && import.meta.url === pathToFileURL(process.argv[1]).href) await child(process.argv[3]);
