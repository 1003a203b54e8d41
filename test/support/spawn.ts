/** The built `themis` command as a child process the test can signal: its output, its exit and when it came. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { THEMIS } from './cli.js';

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** exit code (null when killed by a signal) and the time it came (performance.now()) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function spawnThemis(cwd: string, ...args: string[]): Running {
  const child = spawn(process.execPath, [THEMIS, ...args], { cwd });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `path` exists (the run opened its database), at most `timeoutMs`. */
export async function waitForFile(path: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await sleep(20);
  }
}
