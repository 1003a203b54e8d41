/**
 * Checking a sweep off the request path. Parsing and validating a sweep file is synchronous and grows with
 * the file (a 7.7 MB `list:` of 200,000 points took 12 s), and the server has one event loop: a check done
 * in a request blocked every other request meanwhile. So each check runs in its own worker thread
 * (sweep-worker.ts) with a heap bound and a timeout, at most `maxRunning` at once (more wait, then 429);
 * the plan is sized by arithmetic in there (core/plan/size.ts), never built. The result is plain data
 * (structured clone): the spec to run, or diagnostics. Where the compiled worker is absent (the sources run
 * under vitest), checks run in-thread, as the simulator's workers do.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { QueryLimiter } from './query-limiter.js';
import { checkSweepFile, resolveSweep, type LoadedSweep } from './sweeps.js';
import type { SweepJob, SweepReply } from './sweep-worker.js';

/** The file is ≤ 10 MiB (core/spec/load.ts); its parsed YAML and zod output need a few hundred MiB at most. */
export const SWEEP_WORKER_HEAP_MIB = 1024;
/** Generous: a 7.7 MB sweep (200,000 points) took 48 s to check on a 2-core machine at load 24. */
export const SWEEP_CHECK_TIMEOUT_MS = 120_000;
export const MAX_RUNNING_CHECKS = 2;
export const MAX_QUEUED_CHECKS = 8;

/** The check needed more memory or time than a check may have: HTTP 413. */
export class SweepTooLargeError extends Error {
  override readonly name = 'SweepTooLargeError';
}

export interface SweepCheckerOptions {
  /** the compiled worker; default ./sweep-worker.js beside this file */
  workerUrl?: URL;
  timeoutMs?: number;
  heapMib?: number;
}

export class SweepChecker {
  private readonly workerUrl: URL | null;
  private readonly timeoutMs: number;
  private readonly heapMib: number;
  private readonly limiter: QueryLimiter;
  private readonly workers = new Set<Worker>();

  constructor(opts: SweepCheckerOptions = {}) {
    const url = opts.workerUrl ?? new URL('./sweep-worker.js', import.meta.url);
    this.workerUrl = existsSync(fileURLToPath(url)) ? url : null;
    this.timeoutMs = opts.timeoutMs ?? SWEEP_CHECK_TIMEOUT_MS;
    this.heapMib = opts.heapMib ?? SWEEP_WORKER_HEAP_MIB;
    this.limiter = new QueryLimiter({ maxRunning: MAX_RUNNING_CHECKS, maxQueued: MAX_QUEUED_CHECKS, maxWaitMs: this.timeoutMs, what: 'sweep checks' });
  }

  get stats(): { running: number; queued: number } {
    return this.limiter.stats;
  }

  /** True when checks run in worker threads. */
  get offThread(): boolean {
    return this.workerUrl !== null;
  }

  /** The sweep named `name` of `dir`: SweepNameError at once for a bad name, then the check. */
  async load(dir: string, name: string): Promise<LoadedSweep> {
    const path = resolveSweep(dir, name);
    const url = this.workerUrl;
    if (url === null) return checkSweepFile(path, name);
    return this.limiter.run(() => this.inWorker(url, { path, name }));
  }

  private inWorker(url: URL, job: SweepJob): Promise<LoadedSweep> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(url, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: this.heapMib } });
      this.workers.add(worker);
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.workers.delete(worker);
        void worker.terminate();
        fn();
      };
      const timer = setTimeout(
        () => settle(() => reject(new SweepTooLargeError(`checking ${job.name} took longer than ${this.timeoutMs} ms: it is too large to check here (try \`themis check\`)`))),
        this.timeoutMs,
      );
      worker.on('message', (reply: SweepReply) => settle(() => (reply.ok ? resolve(reply.loaded) : reject(new Error(reply.error)))));
      worker.on('error', (err: Error & { code?: string }) =>
        settle(() =>
          reject(
            err.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new SweepTooLargeError(`checking ${job.name} needed more than ${this.heapMib} MiB: it is too large to check here (try \`themis check\`)`)
              : err,
          ),
        ),
      );
      worker.on('exit', (code) => settle(() => reject(new Error(`the sweep check of ${job.name} ended (exit code ${code}) without an answer`))));
    });
  }

  /** Ends checks in flight (the server is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.terminate()));
    this.workers.clear();
  }
}
