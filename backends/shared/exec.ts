/**
 * Runs host commands (ip, gcc, apt) with a timeout, capturing output. Every wait in the backend is bounded.
 */
import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(`${command} failed (${code}): ${stderr.trim().slice(0, 500)}`);
  }
}

export function run(file: string, args: readonly string[], timeout_ms = 20_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeout_ms, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
        reject(new CommandError([file, ...args].join(' '), String(stderr || err.message), code));
      } else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Like run, but a failure is returned as false: for cleanup, where the thing may already be gone. */
export async function tryRun(file: string, args: readonly string[], timeout_ms = 10_000): Promise<boolean> {
  try {
    await run(file, args, timeout_ms);
    return true;
  } catch {
    return false;
  }
}

export { sleep } from '../../core/async.js';

/** Monotonic clock in ms (CLOCK_MONOTONIC on Linux, the clock the C prober stamps probes with). */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
