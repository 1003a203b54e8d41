/**
 * Wilcoxon rank-sum / Mann–Whitney U test with the normal approximation, tie correction and continuity
 * correction (Hollander & Wolfe 1999, §4.1; the same as SciPy's `mannwhitneyu(method='asymptotic')`).
 * The arithmetic lives in `mannWhitneyFromRanks` so the SQL path (ranks computed by DuckDB) and the
 * in-memory path share it.
 */
import { twoSidedP } from './normal.js';

export interface RankSumInput {
  n1: number;
  n2: number;
  /** Sum of the (mid-)ranks of sample 1 in the pooled sample. */
  rankSum1: number;
  /** Σ (t³ − t) over groups of tied values in the pooled sample. */
  tieTerm: number;
}

export interface RankSumResult {
  n1: number;
  n2: number;
  /** U of sample 1: pairs where sample 1 is larger, ties counting one half. */
  u1: number;
  z: number;
  p_value: number;
  /** Cliff's delta = P(X1 > X2) − P(X1 < X2) = 2·U1/(n1·n2) − 1. */
  cliffs_delta: number;
}

export function mannWhitneyFromRanks({ n1, n2, rankSum1, tieTerm }: RankSumInput): RankSumResult {
  const u1 = rankSum1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const diff = u1 - mean;
  // Continuity correction towards the mean, as in SciPy.
  const z = variance > 0 ? (diff - 0.5 * Math.sign(diff)) / Math.sqrt(variance) : 0;
  return { n1, n2, u1, z, p_value: variance > 0 ? twoSidedP(z) : 1, cliffs_delta: (2 * u1) / (n1 * n2) - 1 };
}

/** Mid-ranks (1-based, ties averaged) of the pooled sample, plus the tie term. */
export function pooledRanks(a: readonly number[], b: readonly number[]): { rankSum1: number; tieTerm: number } {
  const pooled = [...a.map((v) => ({ v, s: 1 })), ...b.map((v) => ({ v, s: 2 }))].sort((x, y) => x.v - y.v);
  let rankSum1 = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length; ) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1].v === pooled[i].v) j++;
    const t = j - i + 1;
    const midRank = (i + 1 + j + 1) / 2;
    for (let k = i; k <= j; k++) if (pooled[k].s === 1) rankSum1 += midRank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { rankSum1, tieTerm };
}

export function mannWhitney(a: readonly number[], b: readonly number[]): RankSumResult {
  if (a.length === 0 || b.length === 0) throw new RangeError('rank-sum test needs two non-empty samples');
  return mannWhitneyFromRanks({ n1: a.length, n2: b.length, ...pooledRanks(a, b) });
}
