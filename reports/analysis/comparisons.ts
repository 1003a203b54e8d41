/**
 * Mode against mode (live vs cold first): Wilcoxon rank-sum p-value, Cliff's delta with an interval, and the
 * Hodges–Lehmann shift in the metric's own unit. Ranks come from a DuckDB window over every succeeded trial
 * (so the test uses all data even at a million trials); the Hodges–Lehmann shift needs all pairwise
 * differences, so it runs on a deterministic sample of at most HL_SAMPLE values per mode.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { MODES } from '../../core/spec/parameters.js';
import { cliffsDeltaInterval, hodgesLehmann } from '../stats/effect-size.js';
import { mannWhitneyFromRanks } from '../stats/rank-sum.js';
import { queryRows, sqlIdent, sqlString } from '../source.js';
import type { Metric } from './groups.js';

export const COMPARED_METRICS: Metric[] = ['downtime_ms', 'outage_ms', 'total_ms'];
export const HL_SAMPLE = 400;

export interface Comparison {
  backend: string;
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

/** Ordered pairs of the given modes, following the MODES order (live before cold), so "a vs b" reads naturally. */
export function modePairs(modes: readonly string[]): [string, string][] {
  const rank = (m: string) => {
    const i = (MODES as readonly string[]).indexOf(m);
    return i < 0 ? MODES.length : i;
  };
  const sorted = [...new Set(modes)].sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  const pairs: [string, string][] = [];
  for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) pairs.push([sorted[i], sorted[j]]);
  // The headline comparison first.
  return pairs.sort((p, q) => Number(q[0] === 'live' && q[1] === 'cold') - Number(p[0] === 'live' && p[1] === 'cold'));
}

export function rankSumSql(metric: Metric, pairs: readonly [string, string][]): string {
  const c = sqlIdent(metric);
  const values = pairs.map(([a, b]) => `(${sqlString(a)}, ${sqlString(b)})`).join(', ');
  return `WITH pairs(a, b) AS (VALUES ${values}),
d AS (
  SELECT p.a, p.b, t.backend, t.mode = p.a AS first, t.${c} AS x
  FROM trials t JOIN pairs p ON t.mode = p.a OR t.mode = p.b
  WHERE t.status = 'succeeded' AND t.${c} IS NOT NULL
),
r AS (
  SELECT a, b, backend, first, x,
    rank() OVER (PARTITION BY a, b, backend ORDER BY x) + (count(*) OVER (PARTITION BY a, b, backend, x) - 1) / 2.0 AS rk
  FROM d
),
ties AS (
  SELECT a, b, backend, sum(t * t * t - t) AS tie
  FROM (SELECT a, b, backend, x, count(*)::DOUBLE AS t FROM d GROUP BY ALL) GROUP BY ALL
),
agg AS (
  SELECT a, b, backend,
    count(*) FILTER (WHERE first)::DOUBLE AS n1, count(*) FILTER (WHERE NOT first)::DOUBLE AS n2,
    sum(rk) FILTER (WHERE first) AS r1,
    quantile_cont(x, 0.5) FILTER (WHERE first) AS med1, quantile_cont(x, 0.5) FILTER (WHERE NOT first) AS med2
  FROM r GROUP BY ALL
)
SELECT agg.*, ties.tie FROM agg JOIN ties USING (a, b, backend)
WHERE n1 > 0 AND n2 > 0 ORDER BY backend`;
}

/** A deterministic sample (by hashed trial id) of at most `cap` succeeded values per backend and mode. */
export function sampleSql(metric: Metric, cap: number): string {
  const c = sqlIdent(metric);
  return `SELECT backend, mode, ${c} AS x FROM trials
WHERE status = 'succeeded' AND ${c} IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY backend, mode ORDER BY hash(trial_id), trial_id) <= ${cap}`;
}

export async function compareModes(con: DuckDBConnection): Promise<Comparison[]> {
  const modes = (await queryRows(con, `SELECT DISTINCT mode FROM trials WHERE status = 'succeeded'`)).map((r) => String(r.mode));
  const pairs = modePairs(modes);
  if (pairs.length === 0) return [];
  const out: Comparison[] = [];
  for (const metric of COMPARED_METRICS) {
    const samples = new Map<string, number[]>();
    for (const r of await queryRows(con, sampleSql(metric, HL_SAMPLE))) {
      const k = `${r.backend}\u0000${r.mode}`;
      const list = samples.get(k) ?? [];
      list.push(Number(r.x));
      samples.set(k, list);
    }
    const rows = await queryRows(con, rankSumSql(metric, pairs));
    for (const r of rows) {
      const [a, b, backend] = [String(r.a), String(r.b), String(r.backend)];
      const mw = mannWhitneyFromRanks({ n1: Number(r.n1), n2: Number(r.n2), rankSum1: Number(r.r1), tieTerm: Number(r.tie) });
      const ci = cliffsDeltaInterval(mw.cliffs_delta, mw.n1, mw.n2);
      const sa = samples.get(`${backend}\u0000${a}`) ?? [];
      const sb = samples.get(`${backend}\u0000${b}`) ?? [];
      const hl = sa.length > 0 && sb.length > 0 ? hodgesLehmann(sa, sb) : { shift: Number.NaN, lo: Number.NaN, hi: Number.NaN };
      out.push({
        backend, metric, mode_a: a, mode_b: b, n_a: mw.n1, n_b: mw.n2, median_a: Number(r.med1), median_b: Number(r.med2),
        u_a: mw.u1, z: mw.z, p_value: mw.p_value, cliffs_delta: mw.cliffs_delta, cliffs_lo: ci.lo, cliffs_hi: ci.hi,
        hl_shift: hl.shift, hl_lo: hl.lo, hl_hi: hl.hi, hl_sample_a: sa.length, hl_sample_b: sb.length,
      });
    }
  }
  const pairIndex = (c: Comparison) => pairs.findIndex(([a, b]) => a === c.mode_a && b === c.mode_b);
  return out.sort((x, y) => x.backend.localeCompare(y.backend) || pairIndex(x) - pairIndex(y) ||
    COMPARED_METRICS.indexOf(x.metric) - COMPARED_METRICS.indexOf(y.metric));
}
