/**
 * The one quantile definition of the project, used by the backends' probe analysis and by the reports:
 * linear interpolation between order statistics (Hyndman–Fan type 7, R's default), computed the way
 * DuckDB's `quantile_cont` does (position (n−1)·p, then lo·(1−d) + hi·d), so a number computed in
 * TypeScript equals the SQL answer on the same values. (simple-statistics' `quantileSorted` uses a
 * different definition: do not use it.)
 */
export function quantileSortedType7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rn = (n - 1) * p;
  const lo = Math.floor(rn);
  const hi = Math.ceil(rn);
  if (lo === hi) return sorted[lo];
  const d = rn - lo;
  return sorted[lo] * (1 - d) + sorted[hi] * d;
}
