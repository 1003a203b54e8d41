/**
 * The simulator as a Backend and BatchRunner. runTrial simulates one trial; runBatches runs plan indices in
 * chunks of BATCH_TRIALS on all cores through worker threads (simulator/worker.ts; the plan goes to each
 * worker once, then only index chunks; result columns come back transferred). When the compiled worker is
 * absent — running from TypeScript sources, e.g. under vitest — or there is one chunk or one core, the
 * chunks run in-thread with identical results. Batches may arrive out of order; each index exactly once.
 * On abort: nothing new starts; chunks already running stop at their next look at a shared abort flag (every
 * ABORT_CHECK_TRIALS trials, simulator/chunk.ts) and yield the trials they finished, so a stop takes milliseconds.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Backend, BatchRunner, CampaignContext, Trial, TrialResult } from '../core/backend.js';
import type { Plan } from '../core/plan/plan.js';
import type { ResultBatch } from '../core/results/batch.js';
import { chunkPlan, runChunk, type ChunkPlan } from './chunk.js';
import { RECORD_ALL, simulateTrial, type RecordPolicy } from './simulate.js';
import type { ChunkReply, ChunkRequest, WorkerInit } from './worker.js';

/** Trials per ResultBatch (the store appends one batch per transaction). */
export const BATCH_TRIALS = 8192;
/** In-thread chunks are this small: the thread is blocked during a chunk, so an abort is seen between chunks. */
const IN_THREAD_BATCH_TRIALS = 512;
/**
 * Finished batches held for a slow consumer before the workers pause. With two chunks in flight per worker this
 * keeps every core busy; more only holds memory (a batch of failing trials with all their rounds is ~16 MiB).
 */
const MAX_QUEUED_BATCHES = 4;

export interface SimulatorBackendOptions {
  /** worker threads; default os.availableParallelism(); 0 or 1 runs in-thread */
  workers?: number;
  /** compiled worker module; default ./worker.js next to this file */
  workerUrl?: URL;
  /** trials per batch; default BATCH_TRIALS */
  batchTrials?: number;
}

export function createBackend(options: SimulatorBackendOptions = {}): Backend & BatchRunner {
  let record: RecordPolicy = { ...RECORD_ALL };
  return {
    name: 'simulator',
    maxConcurrency: availableParallelism(),
    async prepare(campaign: CampaignContext): Promise<void> {
      const s = campaign.spec.sweep.store;
      record = { rounds: s.rounds, probe_gaps: s.probe_gaps, events: s.events };
    },
    async runTrial(trial: Trial): Promise<TrialResult> {
      return simulateTrial(trial.params, trial.seed);
    },
    async dispose(): Promise<void> {},
    runBatches(plan: Plan, indices: Int32Array, signal: AbortSignal): AsyncIterable<ResultBatch> {
      return runBatches(plan, indices, signal, record, options);
    },
  };
}

function chunkOf(indices: Int32Array, c: number, size: number): Int32Array {
  return indices.slice(c * size, Math.min(indices.length, (c + 1) * size));
}

async function* runBatches(
  plan: Plan,
  indices: Int32Array,
  signal: AbortSignal,
  record: RecordPolicy,
  options: SimulatorBackendOptions,
): AsyncGenerator<ResultBatch> {
  const size = options.batchTrials ?? BATCH_TRIALS;
  const nChunks = Math.ceil(indices.length / size);
  const startedAtMs = Date.now();
  const cp = chunkPlan(plan.campaignSeed, plan.repetitions, plan.points);
  const workerUrl = options.workerUrl ?? new URL('./worker.js', import.meta.url);
  const nWorkers = Math.min(options.workers ?? availableParallelism(), nChunks);
  if (nWorkers <= 1 || !existsSync(fileURLToPath(workerUrl))) {
    const small = Math.min(size, IN_THREAD_BATCH_TRIALS);
    const nSmall = Math.ceil(indices.length / small);
    for (let c = 0; c < nSmall && !signal.aborted; c++) {
      yield runChunk(cp, chunkOf(indices, c, small), record, startedAtMs);
      // let an abort (or other I/O) be seen between chunks
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return;
  }
  yield* inWorkers({ cp, indices, size, nChunks, nWorkers, workerUrl, signal, record, startedAtMs });
}

/** What a worker-pool run needs: the chunk plan, the indices in chunks of `size`, and how to record. */
interface PoolRun {
  cp: ChunkPlan;
  indices: Int32Array;
  size: number;
  nChunks: number;
  nWorkers: number;
  workerUrl: URL;
  signal: AbortSignal;
  record: RecordPolicy;
  startedAtMs: number;
}

async function* inWorkers(run: PoolRun): AsyncGenerator<ResultBatch> {
  const { cp, indices, size, nChunks, nWorkers, workerUrl, signal, record, startedAtMs } = run;
  const abort = new SharedArrayBuffer(4);
  const init: WorkerInit = { plan: cp, record, startedAtMs, abort };
  const done: ResultBatch[] = [];
  let failure: Error | null = null;
  let next = 0;
  let outstanding = 0;
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const raiseAbort = (): void => {
    Atomics.store(new Int32Array(abort), 0, 1);
    poke();
  };
  const workers: Worker[] = [];
  // workers whose next chunk waits until the consumer has taken some batches (bounded memory)
  const idle: Worker[] = [];
  const dispatch = (w: Worker): void => {
    if (signal.aborted || failure !== null || next >= nChunks) return;
    if (done.length >= MAX_QUEUED_BATCHES) {
      idle.push(w);
      return;
    }
    const indicesChunk = chunkOf(indices, next, size);
    const request: ChunkRequest = { id: next++, indices: indicesChunk };
    outstanding++;
    w.postMessage(request, [indicesChunk.buffer as ArrayBuffer]);
  };
  if (signal.aborted) raiseAbort();
  signal.addEventListener('abort', raiseAbort, { once: true });
  try {
    for (let i = 0; i < nWorkers; i++) {
      const w = new Worker(workerUrl, { workerData: init });
      workers.push(w);
      w.on('message', (reply: ChunkReply) => {
        outstanding--;
        if (reply.ok) {
          if (reply.batch.nTrials > 0) done.push(reply.batch); // an aborted chunk may have finished none
        } else failure ??= new Error(`simulator worker failed: ${reply.error}`);
        dispatch(w);
        poke();
      });
      w.on('error', (e) => {
        failure ??= e instanceof Error ? e : new Error(String(e));
        poke();
      });
      w.on('exit', (code) => {
        if (code !== 0) failure ??= new Error(`simulator worker exited with code ${code}`);
        poke();
      });
      // two chunks in flight per worker, so a worker never waits for the main thread
      dispatch(w);
      dispatch(w);
    }
    for (;;) {
      while (done.length > 0) {
        yield done.shift() as ResultBatch;
        while (idle.length > 0 && done.length < MAX_QUEUED_BATCHES) dispatch(idle.pop() as Worker);
      }
      if (failure !== null) throw failure;
      if (outstanding === 0 && (next >= nChunks || signal.aborted)) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (done.length > 0 || failure !== null || (outstanding === 0 && (next >= nChunks || signal.aborted))) poke();
      });
    }
  } finally {
    signal.removeEventListener('abort', raiseAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
