/**
 * Mode against mode (live vs cold first), per backend: Wilcoxon rank-sum p-value over every succeeded trial
 * (one merge of the two sorted samples), Cliff's delta with an interval, and the Hodges–Lehmann shift in the
 * metric's unit. The shift needs all pairwise differences, so it runs on 300–1000 values (within a budget of
 * differences per report) taken at evenly spaced quantiles of each sample — deterministic, and its Moses interval is then conservative.
 */
import { modeRank } from '../../core/modes.js';
import { cliffsDeltaInterval, hodgesLehmann } from '../stats/effect-size.js';
import { quantileSortedType7 } from '../../core/quantile.js';
import { mannWhitneySorted, quantileSubsample } from '../stats/rank-sum-sorted.js';
import type { AxisValue, GroupValues, Metric } from './groups.js';

export const COMPARED_METRICS: Metric[] = ['downtime_ms', 'outage_ms', 'total_ms'];
/** Values per sample for Hodges–Lehmann: as many as the budget of pairwise differences allows, within these bounds. */
export const HL_SAMPLE_MIN = 300;
export const HL_SAMPLE_MAX = 1000;
/** Pairwise differences sorted for Hodges–Lehmann over a whole report (≈ 0.1 s per million here). */
export const HL_BUDGET_DIFFERENCES = 4_000_000;

/** Sample size per side so that `comparisons` Hodges–Lehmann estimates fit the budget. */
export function hlSampleSize(comparisons: number): number {
  const m = Math.floor(Math.sqrt(HL_BUDGET_DIFFERENCES / Math.max(1, comparisons)));
  return Math.min(HL_SAMPLE_MAX, Math.max(HL_SAMPLE_MIN, m));
}

export interface Comparison {
  backend: string;
  /** The --by axes' values this comparison is restricted to (empty: all trials of the backend). */
  axes: Record<string, AxisValue>;
  metric: Metric;
  mode_a: string;
  mode_b: string;
  n_a: number;
  n_b: number;
  median_a: number;
  median_b: number;
  /** U of mode_a: pairs where a is larger, ties one half. */
  u_a: number;
  z: number;
  p_value: number;
  /** Holm-adjusted p over the comparisons of the same table (set by compareModes / compareByAxes). */
  p_holm?: number;
  /** P(a > b) − P(a < b): negative means mode_a is usually smaller (better for durations). */
  cliffs_delta: number;
  cliffs_lo: number;
  cliffs_hi: number;
  /** Median of a − b over pairs, in the metric's unit: negative means mode_a saves that much. */
  hl_shift: number;
  hl_lo: number;
  hl_hi: number;
  hl_sample_a: number;
  hl_sample_b: number;
}

/** Ordered pairs of the given modes, following core/modes.ts's order (live before cold), live vs cold first. */
export function modePairs(modes: readonly string[]): [string, string][] {
  const sorted = [...new Set(modes)].sort((x, y) => modeRank(x) - modeRank(y) || x.localeCompare(y));
  const pairs: [string, string][] = [];
  for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) pairs.push([sorted[i], sorted[j]]);
  return pairs.sort((p, q) => Number(q[0] === 'live' && q[1] === 'cold') - Number(p[0] === 'live' && p[1] === 'cold'));
}

export function compareTwo(backend: string, metric: Metric, a: GroupValues, b: GroupValues, hlSample = HL_SAMPLE_MIN): Comparison | null {
  const sa = a.sorted[metric];
  const sb = b.sorted[metric];
  if (sa.length === 0 || sb.length === 0) return null;
  const mw = mannWhitneySorted(sa, sb);
  const ci = cliffsDeltaInterval(mw.cliffs_delta, mw.n1, mw.n2);
  const ha = quantileSubsample(sa, hlSample);
  const hb = quantileSubsample(sb, hlSample);
  const hl = hodgesLehmann(ha, hb);
  return {
    backend, axes: a.axes, metric, mode_a: a.mode, mode_b: b.mode, n_a: mw.n1, n_b: mw.n2,
    median_a: quantileSortedType7(sa, 0.5), median_b: quantileSortedType7(sb, 0.5),
    u_a: mw.u1, z: mw.z, p_value: mw.p_value, cliffs_delta: mw.cliffs_delta, cliffs_lo: ci.lo, cliffs_hi: ci.hi,
    hl_shift: hl.shift, hl_lo: hl.lo, hl_hi: hl.hi, hl_sample_a: ha.length, hl_sample_b: hb.length,
  };
}

/** Groups by backend and the given axes' values (a campaign, a stratum), in first-seen order. */
function cellsOf(groups: readonly GroupValues[], axes: readonly string[]): GroupValues[][] {
  const cells = new Map<string, GroupValues[]>();
  for (const g of groups) {
    const k = JSON.stringify([g.backend, ...axes.map((a) => g.axes[a])]);
    cells.set(k, [...(cells.get(k) ?? []), g]);
  }
  return [...cells.values()];
}

/** Every pair of modes per backend (and per value of `axes`, e.g. the campaign), from the per-mode groups. */
export function compareModes(groups: readonly GroupValues[], axes: readonly string[] = []): Comparison[] {
  const out: Comparison[] = [];
  const cells = cellsOf(groups, axes).sort((x, y) => x[0].backend.localeCompare(y[0].backend));
  const count = cells.reduce((s, members) => {
    const modes = new Set(members.map((g) => g.mode)).size;
    return s + ((modes * (modes - 1)) / 2) * COMPARED_METRICS.length;
  }, 0);
  const m = hlSampleSize(count);
  for (const members of cells) {
    const mine = new Map(members.map((g) => [g.mode, g]));
    for (const [a, b] of modePairs([...mine.keys()])) {
      for (const metric of COMPARED_METRICS) {
        const c = compareTwo(members[0].backend, metric, mine.get(a)!, mine.get(b)!, m);
        if (c) out.push(c);
      }
    }
  }
  return withHolm(out);
}

/**
 * Holm's step-down adjustment over one family of comparisons (a report's table): p_holm is the smallest
 * family-wise level at which the comparison would be declared different.
 */
export function holmAdjust(p: readonly number[]): number[] {
  const order = p.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(p.length);
  let running = 0;
  order.forEach(({ v, i }, k) => {
    running = Math.max(running, Math.min(1, (p.length - k) * v));
    out[i] = running;
  });
  return out;
}

function withHolm(cs: Comparison[]): Comparison[] {
  const adjusted = holmAdjust(cs.map((c) => c.p_value));
  return cs.map((c, i) => ({ ...c, p_holm: adjusted[i] }));
}

/**
 * The headline pair (live vs cold when both exist, else the first pair) within every combination of the
 * --by axes: under which conditions live migration pays off, and by how much.
 */
export function compareByAxes(groups: readonly GroupValues[], axes: readonly string[]): Comparison[] {
  const cells = cellsOf(groups, axes);
  const out: Comparison[] = [];
  const m = hlSampleSize(cells.length * COMPARED_METRICS.length);
  for (const members of cells) {
    const byMode = new Map(members.map((g) => [g.mode, g]));
    const [pair] = modePairs([...byMode.keys()]);
    if (!pair) continue;
    for (const metric of COMPARED_METRICS) {
      const c = compareTwo(members[0].backend, metric, byMode.get(pair[0])!, byMode.get(pair[1])!, m);
      if (c) out.push(c);
    }
  }
  return withHolm(out);
}

/** The rank sums of one pair in SQL (shown in the notebook so the test can be re-derived there). */
export function rankSumSql(metric: Metric, pair: readonly [string, string]): string {
  const [a, b] = pair.map((m) => `'${m.replace(/'/g, "''")}'`);
  return `WITH d AS (
  SELECT backend, mode = ${a} AS first, ${metric} AS x FROM trials
  WHERE status = 'succeeded' AND ${metric} IS NOT NULL AND mode IN (${a}, ${b})
), r AS (
  SELECT backend, first, rank() OVER w + (count(*) OVER (PARTITION BY backend, x) - 1) / 2.0 AS midrank
  FROM d WINDOW w AS (PARTITION BY backend ORDER BY x)
)
SELECT backend, count(*) FILTER (WHERE first) AS n1, count(*) FILTER (WHERE NOT first) AS n2,
  sum(midrank) FILTER (WHERE first) AS r1,
  sum(midrank) FILTER (WHERE first) - count(*) FILTER (WHERE first) * (count(*) FILTER (WHERE first) + 1) / 2 AS u1
FROM r GROUP BY backend ORDER BY backend`;
}
