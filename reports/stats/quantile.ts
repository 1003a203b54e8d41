/**
 * Quantiles with linear interpolation between order statistics (Hyndman–Fan type 7), the definition of
 * DuckDB's `quantile_cont`: the bootstrap in TypeScript and the point estimate in SQL must agree, and
 * simple-statistics' `quantileSorted` uses a different definition.
 */
export function quantileSortedType7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}
