/**
 * Runs a list of plan indices into one ResultBatch — the unit of work of runBatches, in a worker thread
 * or in-thread. Trial seeds are derived exactly as core/plan/seed.ts trialSeed(), with the point hash
 * computed once per point instead of once per trial.
 */
import { emptyBatch, type ResultBatch } from '../core/results/batch.js';
import { fmix32, hash32 } from '../core/plan/seed.js';
import type { TrialParameters } from '../core/spec/parameters.js';
import { simulateInto, type RecordPolicy } from './simulate.js';

/** What a chunk runner needs of the plan: sent to each worker once. */
export interface ChunkPlan {
  readonly campaignSeed: number;
  readonly repetitions: number;
  readonly params: readonly TrialParameters[];
  /** hash32(point_id, campaignSeed) per point */
  readonly pointHashes: Uint32Array;
}

export function chunkPlan(campaignSeed: number, repetitions: number, points: readonly { point_id: string; params: TrialParameters }[]): ChunkPlan {
  const pointHashes = new Uint32Array(points.length);
  for (let i = 0; i < points.length; i++) pointHashes[i] = hash32(points[i].point_id, campaignSeed);
  return { campaignSeed, repetitions, params: points.map((p) => p.params), pointHashes };
}

/** trialSeed(campaignSeed, point_id, repetition), from the precomputed point hash. */
export function seedOf(pointHash: number, repetition: number): number {
  return fmix32((pointHash ^ Math.imul(repetition + 1, 0x9e3779b1)) >>> 0);
}

export function runChunk(plan: ChunkPlan, indices: Int32Array, record: RecordPolicy, startedAtMs: number): ResultBatch {
  const batch = emptyBatch(Math.max(1, indices.length));
  const reps = plan.repetitions;
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k];
    const point = Math.floor(index / reps);
    const repetition = index - point * reps;
    simulateInto(batch, index, plan.params[point], seedOf(plan.pointHashes[point], repetition), record, startedAtMs);
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
