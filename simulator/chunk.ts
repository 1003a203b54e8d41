/**
 * Runs a list of plan indices into one ResultBatch — the unit of work of runBatches, in a worker thread
 * or in-thread. Trial seeds are core/plan/seed.ts trialSeed(), split in two: the point hash once per point,
 * then repetitionSeed per trial.
 */
import { emptyBatch, type ResultBatch } from '../core/results/batch.js';
import { pointSeedHash, repetitionSeed } from '../core/plan/seed.js';
import type { TrialParameters } from '../core/spec/parameters.js';
import { simulateInto, type RecordPolicy } from './simulate.js';

/** What a chunk runner needs of the plan: sent to each worker once. */
export interface ChunkPlan {
  readonly campaignSeed: number;
  readonly repetitions: number;
  readonly params: readonly TrialParameters[];
  /** pointSeedHash(campaignSeed, point_id) per point */
  readonly pointHashes: Uint32Array;
}

export function chunkPlan(campaignSeed: number, repetitions: number, points: readonly { point_id: string; params: TrialParameters }[]): ChunkPlan {
  const pointHashes = new Uint32Array(points.length);
  for (let i = 0; i < points.length; i++) pointHashes[i] = pointSeedHash(campaignSeed, points[i].point_id);
  return { campaignSeed, repetitions, params: points.map((p) => p.params), pointHashes };
}

/** Trials between two looks at the abort flag: ~10 ms of work, so a stop is seen well within a second. */
export const ABORT_CHECK_TRIALS = 64;

/**
 * Simulates the indices in order. `stopped` is asked every ABORT_CHECK_TRIALS trials; once it says yes the
 * chunk ends early and its batch holds the trials done so far (each complete, so they can be stored).
 */
export function runChunk(
  plan: ChunkPlan,
  indices: Int32Array,
  record: RecordPolicy,
  startedAtMs: number,
  stopped: () => boolean = () => false,
): ResultBatch {
  const batch = emptyBatch(Math.max(1, indices.length));
  const reps = plan.repetitions;
  for (let k = 0; k < indices.length; k++) {
    if (k % ABORT_CHECK_TRIALS === 0 && k > 0 && stopped()) break;
    const index = indices[k];
    const point = Math.floor(index / reps);
    const repetition = index - point * reps;
    simulateInto(batch, index, plan.params[point], repetitionSeed(plan.pointHashes[point], repetition), record, startedAtMs);
  }
  return batch;
}

/** The ArrayBuffers of a batch's typed columns, to transfer instead of copying. */
export function batchTransferList(b: ResultBatch): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const cols of [b.trials, b.rounds, b.probe_gaps, b.events] as const) {
    for (const v of Object.values(cols)) {
      if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
    }
  }
  return out;
}
