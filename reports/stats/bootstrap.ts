/**
 * Percentile bootstrap confidence interval of a quantile (Efron & Tibshirani 1993, ch. 13), seeded with
 * core/random.ts so a report is reproducible. Resampling is done on counts over the sorted sample: a
 * resample's quantile is found by walking cumulative counts, O(n) per resample without sorting again.
 */
import { Random } from '../../core/random.js';
import { quantileSortedType7 } from '../../core/quantile.js';
import type { Interval } from './wilson.js';

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

/** Value at 0-based rank k of a resample described by per-index counts over the sorted sample. */
function valueAtRank(sorted: ArrayLike<number>, counts: Uint32Array, k: number): number {
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i];
    if (seen > k) return sorted[i];
  }
  return sorted[sorted.length - 1];
}

/** The type-7 quantile p of one resample given as counts. */
function resampleQuantile(sorted: ArrayLike<number>, counts: Uint32Array, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = valueAtRank(sorted, counts, lo);
  const b = lo + 1 < n ? valueAtRank(sorted, counts, lo + 1) : a;
  return a + (h - lo) * (b - a);
}

export function bootstrapQuantileInterval(sorted: ArrayLike<number>, p: number, opts: BootstrapOptions = {}): Interval {
  const n = sorted.length;
  if (n === 0) return { lo: Number.NaN, hi: Number.NaN };
  if (n === 1) return { lo: sorted[0], hi: sorted[0] };
  const resamples = opts.resamples ?? 1000;
  const alpha = 1 - (opts.confidence ?? 0.95);
  const rng = new Random(opts.seed ?? 1);
  const counts = new Uint32Array(n);
  const stats = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(rng.next() * n)]++;
    stats[b] = resampleQuantile(sorted, counts, p);
  }
  stats.sort();
  return { lo: quantileSortedType7(stats, alpha / 2), hi: quantileSortedType7(stats, 1 - alpha / 2) };
}

/**
 * Distribution-free interval of a quantile from order statistics (binomial, normal approximation;
 * Conover 1999, §3.2): ranks n·p ± z·√(n·p·(1−p)). Used for large groups. It is also what the bootstrap
 * converges to: a resample's quantile is the j-th order statistic with a binomial probability (the exact
 * bootstrap distribution of a sample quantile; Hutson 1999), whose percentiles are these ranks for large n —
 * without a thousand resamples of a million values.
 */
export function orderStatisticRanks(n: number, p: number, z = 1.959963984540054): { lo: number; hi: number } {
  const half = z * Math.sqrt(n * p * (1 - p));
  const lo = Math.max(1, Math.floor(n * p - half));
  const hi = Math.min(n, Math.ceil(n * p + half + 1));
  return { lo, hi };
}
