/**
 * Per backend, mode and user axes: n, success rate with its Wilson interval, and median / p95 / max of the
 * measured quantities with 95 % intervals. One SQL query per level fetches each group's succeeded values
 * already sorted (`list(x ORDER BY x)`); everything else is computed here from those arrays: type-7
 * quantiles identical to DuckDB's `quantile_cont`, a seeded percentile bootstrap for small groups and the
 * distribution-free order-statistic interval for large ones (the two agree for large n, and the second
 * costs nothing on a million trials). The same arrays feed the mode comparisons.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { bootstrapQuantileInterval, orderStatisticRanks } from '../stats/bootstrap.js';
import { quantileSortedType7 } from '../../core/quantile.js';
import { wilsonInterval } from '../stats/wilson.js';
import { queryRows, sqlIdent } from '../source.js';
import { groupList, selectAxes, type AxisExpr } from './axes.js';

// tcp_stall_ms: NULL where no TCP probe ran, so its groups are empty and the tables leave it out
export const METRICS = ['downtime_ms', 'outage_ms', 'tcp_stall_ms', 'total_ms', 'transferred_bytes'] as const;
export type Metric = (typeof METRICS)[number];

/** Groups up to this many values get a bootstrap interval; larger ones the order-statistic interval. */
export const BOOTSTRAP_MAX_GROUP = 2_000;
/** At most this many values are bootstrapped in one report, smallest groups first. */
export const BOOTSTRAP_BUDGET_VALUES = 100_000;
export const BOOTSTRAP_RESAMPLES = 1000;

export type AxisValue = string | number | boolean | null;

export interface MetricStats {
  n: number;
  p50: number | null;
  p50_lo: number | null;
  p50_hi: number | null;
  p95: number | null;
  p95_lo: number | null;
  p95_hi: number | null;
  max: number | null;
  ci_method: 'bootstrap' | 'order-statistic' | 'none';
}

export interface GroupValues {
  backend: string;
  mode: string;
  axes: Record<string, AxisValue>;
  trials: number;
  succeeded: number;
  /** Succeeded trials' values, ascending. */
  sorted: Record<Metric, Float64Array>;
}

export interface GroupStats {
  backend: string;
  mode: string;
  axes: Record<string, AxisValue>;
  trials: number;
  succeeded: number;
  success_rate: number;
  success_lo: number;
  success_hi: number;
  metrics: Record<Metric, MetricStats>;
}

function axisValue(v: unknown): AxisValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

export function groupValuesSql(axes: readonly AxisExpr[]): string {
  const lists = METRICS.map((m) => {
    const c = sqlIdent(m);
    return `list(${c} ORDER BY ${c}) FILTER (WHERE status = 'succeeded' AND ${c} IS NOT NULL) AS "${m}"`;
  }).join(',\n  ');
  return `SELECT backend, mode${selectAxes(axes)},
  count(*)::DOUBLE AS trials, count(*) FILTER (WHERE status = 'succeeded')::DOUBLE AS succeeded,
  ${lists}
FROM trials GROUP BY ${groupList(axes)} ORDER BY ${groupList(axes)}`;
}

export async function fetchGroupValues(con: DuckDBConnection, axes: readonly AxisExpr[]): Promise<GroupValues[]> {
  const rows = await queryRows(con, groupValuesSql(axes));
  return rows.map((r) => {
    const sorted = {} as Record<Metric, Float64Array>;
    for (const m of METRICS) sorted[m] = Float64Array.from((r[m] as number[] | null) ?? []);
    return {
      backend: String(r.backend), mode: String(r.mode),
      axes: Object.fromEntries(axes.map((a) => [a.name, axisValue(r[a.name])])),
      trials: Number(r.trials), succeeded: Number(r.succeeded), sorted,
    };
  });
}

/** Largest group size such that bootstrapping every group up to it stays within the budget. */
export function bootstrapThreshold(sizes: readonly number[], budget: number, maxGroup: number): number {
  let used = 0;
  let threshold = 0;
  for (const n of [...sizes].sort((a, b) => a - b)) {
    if (n > maxGroup || used + n > budget) break;
    used += n;
    threshold = n;
  }
  const within = sizes.filter((n) => n <= threshold).reduce((s, n) => s + n, 0);
  return within <= budget ? threshold : threshold - 1;
}

export function metricStats(sorted: Float64Array, bootstrap: boolean, seed: number): MetricStats {
  const n = sorted.length;
  if (n === 0) {
    return { n, p50: null, p50_lo: null, p50_hi: null, p95: null, p95_lo: null, p95_hi: null, max: null, ci_method: 'none' };
  }
  const base = { n, p50: quantileSortedType7(sorted, 0.5), p95: quantileSortedType7(sorted, 0.95), max: sorted[n - 1] };
  if (bootstrap) {
    const i50 = bootstrapQuantileInterval(sorted, 0.5, { seed, resamples: BOOTSTRAP_RESAMPLES });
    const i95 = bootstrapQuantileInterval(sorted, 0.95, { seed: seed + 1, resamples: BOOTSTRAP_RESAMPLES });
    return { ...base, p50_lo: i50.lo, p50_hi: i50.hi, p95_lo: i95.lo, p95_hi: i95.hi, ci_method: 'bootstrap' };
  }
  const r50 = orderStatisticRanks(n, 0.5);
  const r95 = orderStatisticRanks(n, 0.95);
  return {
    ...base, p50_lo: sorted[r50.lo - 1], p50_hi: sorted[r50.hi - 1], p95_lo: sorted[r95.lo - 1], p95_hi: sorted[r95.hi - 1],
    ci_method: 'order-statistic',
  };
}

export function summarizeGroups(groups: readonly GroupValues[], seed = 1): GroupStats[] {
  const thresholds = Object.fromEntries(
    METRICS.map((m) => [m, bootstrapThreshold(groups.map((g) => g.sorted[m].length), BOOTSTRAP_BUDGET_VALUES, BOOTSTRAP_MAX_GROUP)]),
  ) as Record<Metric, number>;
  return groups.map((g) => {
    const w = wilsonInterval(g.succeeded, g.trials);
    const metrics = {} as Record<Metric, MetricStats>;
    for (const m of METRICS) metrics[m] = metricStats(g.sorted[m], g.sorted[m].length <= thresholds[m], seed);
    return {
      backend: g.backend, mode: g.mode, axes: g.axes, trials: g.trials, succeeded: g.succeeded,
      success_rate: g.trials > 0 ? g.succeeded / g.trials : 0, success_lo: w.lo, success_hi: w.hi, metrics,
    };
  });
}

export async function groupStats(con: DuckDBConnection, axes: readonly AxisExpr[], seed = 1): Promise<GroupStats[]> {
  return summarizeGroups(await fetchGroupValues(con, axes), seed);
}

/** Point estimates only, in SQL — what the notebook shows (intervals are in the HTML report). */
export function groupStatsSql(axes: readonly AxisExpr[]): string {
  const metricCols = METRICS.map((m) => {
    const c = sqlIdent(m);
    const f = `FILTER (WHERE status = 'succeeded')`;
    return `quantile_cont(${c}, 0.5) ${f} AS "${m}_p50", quantile_cont(${c}, 0.95) ${f} AS "${m}_p95", max(${c}) ${f} AS "${m}_max"`;
  }).join(',\n  ');
  return `SELECT backend, mode${selectAxes(axes)},
  count(*)::DOUBLE AS trials, count(*) FILTER (WHERE status = 'succeeded')::DOUBLE AS succeeded,
  ${metricCols}
FROM trials GROUP BY ${groupList(axes)} ORDER BY ${groupList(axes)}`;
}
