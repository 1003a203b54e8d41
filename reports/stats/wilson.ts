/**
 * Wilson score interval of a binomial proportion (Wilson 1927; Newcombe 1998, method 3). Unlike the Wald
 * interval it stays inside [0, 1] and keeps its coverage for small n and rates near 0 or 1 — exactly the
 * success rates of a mode that almost always works.
 */
import { normalQuantile } from './normal.js';

export interface Interval {
  lo: number;
  hi: number;
}

/** z for a two-sided interval of the given confidence (0.95 → 1.95996…). */
export function zFor(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  if (!(n > 0)) return { lo: 0, hi: 1 };
  if (successes < 0 || successes > n) throw new RangeError(`successes ${successes} outside 0..${n}`);
  const z = zFor(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}
