/**
 * Per backend, mode and user axes: n, success rate with its Wilson interval, and median / p95 / max of the
 * measured quantities with 95 % intervals. Point estimates come from DuckDB (`quantile_cont`). Intervals:
 * a seeded percentile bootstrap for groups small enough to fetch, the distribution-free order-statistic
 * interval (computed by a SQL window) for the rest — the two agree for large n and the second scales to
 * millions of trials.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { bootstrapQuantileInterval } from '../stats/bootstrap.js';
import { wilsonInterval, zFor } from '../stats/wilson.js';
import { queryRows, sqlIdent } from '../source.js';
import { groupList, selectAxes, type AxisExpr } from './axes.js';

export const METRICS = ['downtime_ms', 'outage_ms', 'total_ms', 'transferred_bytes'] as const;
export type Metric = (typeof METRICS)[number];

/** At most this many values are bootstrapped in one report, smallest groups first. */
export const BOOTSTRAP_BUDGET_VALUES = 200_000;
export const BOOTSTRAP_MAX_GROUP = 5_000;
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

const SUCCEEDED = `status = 'succeeded'`;

function axisValue(v: unknown): AxisValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

function keyOf(r: Record<string, unknown>, axes: readonly AxisExpr[]): string {
  return JSON.stringify([r.backend, r.mode, ...axes.map((a) => axisValue(r[a.name]))]);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function groupStatsSql(axes: readonly AxisExpr[]): string {
  const metricCols = METRICS.map((m) => {
    const c = sqlIdent(m);
    const f = `FILTER (WHERE ${SUCCEEDED})`;
    return `count(${c}) ${f}::DOUBLE AS "${m}__n", quantile_cont(${c}, 0.5) ${f} AS "${m}__p50",
  quantile_cont(${c}, 0.95) ${f} AS "${m}__p95", max(${c}) ${f} AS "${m}__max"`;
  }).join(',\n  ');
  return `SELECT backend, mode${selectAxes(axes)},
  count(*)::DOUBLE AS trials, count(*) FILTER (WHERE ${SUCCEEDED})::DOUBLE AS succeeded,
  ${metricCols}
FROM trials GROUP BY ${groupList(axes)} ORDER BY ${groupList(axes)}`;
}

/** Order-statistic interval ranks of quantile p, as SQL over a window count `n` (same formula as orderStatisticRanks). */
function rankSql(p: number, z: number): { lo: string; hi: string } {
  const half = `${z} * sqrt(n * ${p} * ${1 - p})`;
  return { lo: `greatest(1, floor(n * ${p} - ${half}))`, hi: `least(n, ceil(n * ${p} + ${half} + 1))` };
}

export function orderStatisticSql(metric: Metric, axes: readonly AxisExpr[], minGroup: number): string {
  const z = zFor(0.95);
  const r50 = rankSql(0.5, z);
  const r95 = rankSql(0.95, z);
  const c = sqlIdent(metric);
  return `WITH s AS (
  SELECT backend, mode${selectAxes(axes)}, ${c} AS x,
    row_number() OVER (PARTITION BY ${groupList(axes)} ORDER BY ${c}) AS rn,
    count(*) OVER (PARTITION BY ${groupList(axes)}) AS n
  FROM trials WHERE ${SUCCEEDED} AND ${c} IS NOT NULL
)
SELECT backend, mode${axes.map((a) => `, ${sqlIdent(a.name)}`).join('')},
  min(x) FILTER (WHERE rn = ${r50.lo}) AS p50_lo, min(x) FILTER (WHERE rn = ${r50.hi}) AS p50_hi,
  min(x) FILTER (WHERE rn = ${r95.lo}) AS p95_lo, min(x) FILTER (WHERE rn = ${r95.hi}) AS p95_hi
FROM s WHERE n > ${minGroup}
GROUP BY ALL`;
}

function valuesSql(metric: Metric, axes: readonly AxisExpr[], maxGroup: number): string {
  const c = sqlIdent(metric);
  return `SELECT * FROM (
  SELECT backend, mode${selectAxes(axes)}, ${c} AS x, count(*) OVER (PARTITION BY ${groupList(axes)}) AS n
  FROM trials WHERE ${SUCCEEDED} AND ${c} IS NOT NULL
) WHERE n <= ${maxGroup} ORDER BY x`;
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
  // Groups of equal size beyond the budget would sneak in through `<=`; step below them.
  const over = sizes.filter((n) => n <= threshold).reduce((s, n) => s + n, 0);
  return over <= budget ? threshold : threshold - 1;
}

export async function groupStats(con: DuckDBConnection, axes: readonly AxisExpr[], seed = 1): Promise<GroupStats[]> {
  const rows = await queryRows(con, groupStatsSql(axes));
  const groups = new Map<string, GroupStats>();
  for (const r of rows) {
    const trials = Number(r.trials);
    const succeeded = Number(r.succeeded);
    const w = wilsonInterval(succeeded, trials);
    const metrics = {} as Record<Metric, MetricStats>;
    for (const m of METRICS) {
      metrics[m] = {
        n: Number(r[`${m}__n`]), p50: num(r[`${m}__p50`]), p95: num(r[`${m}__p95`]), max: num(r[`${m}__max`]),
        p50_lo: null, p50_hi: null, p95_lo: null, p95_hi: null, ci_method: 'none',
      };
    }
    const g: GroupStats = {
      backend: String(r.backend), mode: String(r.mode),
      axes: Object.fromEntries(axes.map((a) => [a.name, axisValue(r[a.name])])),
      trials, succeeded, success_rate: trials > 0 ? succeeded / trials : 0, success_lo: w.lo, success_hi: w.hi, metrics,
    };
    groups.set(keyOf(r, axes), g);
  }
  for (const m of METRICS) {
    const sizes = [...groups.values()].map((g) => g.metrics[m].n).filter((n) => n > 0);
    const threshold = bootstrapThreshold(sizes, BOOTSTRAP_BUDGET_VALUES, BOOTSTRAP_MAX_GROUP);
    if (threshold > 0) {
      const byKey = new Map<string, number[]>();
      for (const r of await queryRows(con, valuesSql(m, axes, threshold))) {
        const k = keyOf(r, axes);
        const list = byKey.get(k) ?? [];
        list.push(Number(r.x));
        byKey.set(k, list);
      }
      for (const [k, values] of byKey) {
        const g = groups.get(k);
        if (!g) continue;
        const sorted = Float64Array.from(values); // already ordered by SQL
        const s = g.metrics[m];
        const i50 = bootstrapQuantileInterval(sorted, 0.5, { seed, resamples: BOOTSTRAP_RESAMPLES });
        const i95 = bootstrapQuantileInterval(sorted, 0.95, { seed: seed + 1, resamples: BOOTSTRAP_RESAMPLES });
        Object.assign(s, { p50_lo: i50.lo, p50_hi: i50.hi, p95_lo: i95.lo, p95_hi: i95.hi, ci_method: 'bootstrap' });
      }
    }
    if (sizes.some((n) => n > threshold)) {
      for (const r of await queryRows(con, orderStatisticSql(m, axes, threshold))) {
        const g = groups.get(keyOf(r, axes));
        if (!g) continue;
        Object.assign(g.metrics[m], {
          p50_lo: num(r.p50_lo), p50_hi: num(r.p50_hi), p95_lo: num(r.p95_lo), p95_hi: num(r.p95_hi), ci_method: 'order-statistic',
        });
      }
    }
  }
  return [...groups.values()];
}
