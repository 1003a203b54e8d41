/**
 * Quantiles with linear interpolation between order statistics (Hyndman–Fan type 7), computed the way
 * DuckDB's `quantile_cont` does (position (n−1)·p, then lo·(1−d) + hi·d), so numbers computed here from
 * fetched values equal the SQL answers; simple-statistics' `quantileSorted` uses a different definition.
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

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}
