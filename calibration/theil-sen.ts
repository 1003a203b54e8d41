/**
 * A straight line through noisy points that a few outliers cannot pull: the Theil–Sen estimator (slope = the median
 * of the slopes between all pairs of points with distinct x, intercept = the median of y − slope·x). Real switch-over
 * times under TCG on a shared host have spikes of several times the typical value; least squares would follow them.
 * Pure.
 */
import { quantileSortedType7 } from '../core/quantile.js';

/** Points used at most (the pairs grow as n²): beyond it, an evenly spaced subset in x order. */
export const MAX_THEIL_SEN_POINTS = 1000;

export interface Line {
  slope: number;
  intercept: number;
}

const medianOf = (xs: number[]): number => quantileSortedType7(xs.sort((a, b) => a - b), 0.5);

/** Null when fewer than two distinct x values (no slope can be told). */
export function theilSen(points: readonly { x: number; y: number }[]): Line | null {
  let pts = [...points].sort((a, b) => a.x - b.x);
  if (pts.length > MAX_THEIL_SEN_POINTS) {
    const step = pts.length / MAX_THEIL_SEN_POINTS;
    pts = Array.from({ length: MAX_THEIL_SEN_POINTS }, (_, i) => pts[Math.floor(i * step)]);
  }
  const slopes: number[] = [];
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      if (pts[j].x !== pts[i].x) slopes.push((pts[j].y - pts[i].y) / (pts[j].x - pts[i].x));
    }
  }
  if (slopes.length === 0) return null;
  const slope = medianOf(slopes);
  return { slope, intercept: medianOf(pts.map((p) => p.y - slope * p.x)) };
}

/** Median and the 10th/90th percentiles (type 7, as DuckDB's quantile_cont). */
export function spread(values: readonly number[]): { median: number; p10: number; p90: number } {
  const s = [...values].sort((a, b) => a - b);
  return { median: quantileSortedType7(s, 0.5), p10: quantileSortedType7(s, 0.1), p90: quantileSortedType7(s, 0.9) };
}
