/**
 * The guest's dirty-page workload: how many distinct pages a guest writing `rate` pages per ms touches in
 * `t` ms. QEMU resends exactly these (migration/ram.c: a page dirtied twice between two bitmap syncs is
 * sent once), so unique pages, not writes, drive pre-copy.
 *
 *  - uniform   : writes spread evenly over the working set W: W·(1 − e^(−D·t/W)) (occupancy of W bins)
 *  - sequential: a writer sweeping the working set: min(W, D·t)
 *  - hotcold   : a hot set h·W receiving share s of the writes and a cold set (1 − h)·W receiving the rest,
 *                each uniform (the classic two-region model of Clark et al., "Live Migration of Virtual
 *                Machines", NSDI 2005 — the writable working set)
 * Dirtying never exceeds the working set. All functions are monotone non-decreasing in t and in rate.
 */
import type { DirtyPattern } from '../core/spec/parameters.js';

export const PATTERN_UNIFORM = 0;
export const PATTERN_SEQUENTIAL = 1;
export const PATTERN_HOTCOLD = 2;

/** Per-trial constants of the dirty model (mutable so one instance is reused per thread). */
export interface DirtyModel {
  pattern: number;
  /** writable working set, pages */
  workingSetPages: number;
  hotPages: number;
  coldPages: number;
  /** share of writes going to the hot set */
  hotWriteShare: number;
}

export function patternCode(p: DirtyPattern): number {
  return p === 'uniform' ? PATTERN_UNIFORM : p === 'sequential' ? PATTERN_SEQUENTIAL : PATTERN_HOTCOLD;
}

export function newDirtyModel(): DirtyModel {
  return { pattern: PATTERN_UNIFORM, workingSetPages: 0, hotPages: 0, coldPages: 0, hotWriteShare: 0 };
}

/** Fills `m` for a working set of `workingSetPages` (already capped at guest RAM). */
export function setDirtyModel(
  m: DirtyModel,
  pattern: number,
  workingSetPages: number,
  hotSetShare: number,
  hotWriteShare: number,
): void {
  m.pattern = pattern;
  m.workingSetPages = workingSetPages;
  m.hotPages = workingSetPages * hotSetShare;
  m.coldPages = workingSetPages - m.hotPages;
  m.hotWriteShare = hotWriteShare;
}

/** Occupancy of `bins` pages after `writes` uniform writes: bins·(1 − e^(−writes/bins)). */
export function uniformUnique(bins: number, writes: number): number {
  if (bins <= 0 || writes <= 0) return 0;
  return -bins * Math.expm1(-writes / bins);
}

/** Distinct pages dirtied in `tMs` ms by a guest writing `ratePagesPerMs` pages per ms. */
export function uniqueDirtiedPages(m: DirtyModel, ratePagesPerMs: number, tMs: number): number {
  const writes = ratePagesPerMs * tMs;
  if (writes <= 0 || m.workingSetPages <= 0) return 0;
  if (m.pattern === PATTERN_UNIFORM) return uniformUnique(m.workingSetPages, writes);
  if (m.pattern === PATTERN_SEQUENTIAL) return writes < m.workingSetPages ? writes : m.workingSetPages;
  const hotWrites = writes * m.hotWriteShare;
  return uniformUnique(m.hotPages, hotWrites) + uniformUnique(m.coldPages, writes - hotWrites);
}

/**
 * ∫₀ᵀ unique(t) dt / T: the mean number of distinct pages already touched over [0, T]. Used by post-copy:
 * a touched page faults if the background push has not sent it yet (see postcopy.ts).
 */
export function meanUniqueOver(m: DirtyModel, ratePagesPerMs: number, tMs: number): number {
  if (tMs <= 0 || ratePagesPerMs <= 0 || m.workingSetPages <= 0) return 0;
  const W = m.workingSetPages;
  if (m.pattern === PATTERN_SEQUENTIAL) {
    const full = W / ratePagesPerMs; // time to touch the whole working set
    if (tMs <= full) return (ratePagesPerMs * tMs) / 2;
    return (W * full) / 2 / tMs + (W * (tMs - full)) / tMs;
  }
  if (m.pattern === PATTERN_UNIFORM) return meanUniform(W, ratePagesPerMs, tMs);
  const hotRate = ratePagesPerMs * m.hotWriteShare;
  return meanUniform(m.hotPages, hotRate, tMs) + meanUniform(m.coldPages, ratePagesPerMs - hotRate, tMs);
}

/** (1/T)∫₀ᵀ W(1 − e^(−r·t/W)) dt = W − (W²/(r·T))·(1 − e^(−r·T/W)). */
function meanUniform(W: number, rate: number, tMs: number): number {
  if (W <= 0 || rate <= 0) return 0;
  const x = (rate * tMs) / W;
  if (x < 1e-6) return (rate * tMs) / 2; // series: avoids cancellation for tiny x
  return W + (W / x) * Math.expm1(-x);
}
