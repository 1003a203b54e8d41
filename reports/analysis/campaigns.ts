/**
 * Campaigns compared, mode by mode: when two or more campaigns measured the same mode (the real lab dataset,
 * a qemu-backend run, simulator campaigns before and after calibration), one row per campaign with its success
 * rate, the medians of outage, total time and downtime with their intervals, the medians of the timeline's parts
 * (before the outage / outage / after it, `core/store/timeline.ts`) and every median's ratio to the reference
 * campaign's. The reference is the real one: an `opennebula` campaign, else a `qemu` one, else the first by name.
 * Medians and intervals come from the same sorted-values routine as the per-mode table (`groups.ts`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { TRIAL_TIMELINE_SQL } from '../../core/store/timeline.js';
import { modeRank } from '../../core/modes.js';
import { queryRows } from '../source.js';
import { wilsonInterval } from '../stats/wilson.js';
import { BOOTSTRAP_BUDGET_VALUES, BOOTSTRAP_MAX_GROUP, bootstrapThreshold, metricStats, type MetricStats } from './groups.js';

/** Quantities of the trials table, over succeeded trials. */
export const CAMPAIGN_METRICS = ['outage_ms', 'total_ms', 'downtime_ms'] as const;
export type CampaignMetric = (typeof CAMPAIGN_METRICS)[number];
/** The timeline's parts (succeeded trials with probe gaps), in timeline order. */
export const TIMELINE_PART_COLUMNS = ['before_ms', 'outage_ms', 'after_ms'] as const;
export type TimelinePart = (typeof TIMELINE_PART_COLUMNS)[number];

/** Backends in the order they are preferred as the reference: the real cloud, then the real lab, then the rest. */
export const REFERENCE_BACKENDS = ['opennebula', 'qemu'] as const;

const referenceRankSql = (backend: string) =>
  `CASE ${backend} ${REFERENCE_BACKENDS.map((b, i) => `WHEN '${b}' THEN ${i}`).join(' ')} ELSE ${REFERENCE_BACKENDS.length} END`;

/**
 * Two CTEs every query of the section starts from. `campaign_labels`: one row per campaign with trials, labelled
 * "name (backend)" (plus the id when two campaigns share name and backend). `compared`: one row per mode and
 * campaign, only for modes measured by at least two campaigns, ranked per mode — rank 1 is the reference.
 */
export const COMPARED_CAMPAIGNS_CTE = `campaign_labels AS (
  SELECT campaign_id, backend, name,
    name || ' (' || backend || CASE WHEN count(*) OVER (PARTITION BY name, backend) > 1 THEN ', ' || campaign_id ELSE '' END || ')' AS label
  FROM (
    SELECT t.campaign_id, t.backend, coalesce(c.name, t.campaign_id) AS name
    FROM (SELECT campaign_id, any_value(backend) AS backend FROM trials GROUP BY campaign_id) t
    LEFT JOIN campaigns c USING (campaign_id)
  )
), compared AS (
  SELECT m.mode, l.campaign_id, l.backend, l.name, l.label,
    row_number() OVER (PARTITION BY m.mode ORDER BY ${referenceRankSql('l.backend')}, l.name, l.campaign_id) AS campaign_rank
  FROM (SELECT DISTINCT mode, campaign_id FROM trials) m JOIN campaign_labels l USING (campaign_id)
  QUALIFY count(*) OVER (PARTITION BY m.mode) > 1
)`;

/** Does any mode have two campaigns? A cheap check before the section's heavier queries. */
export const HAS_COMPARED_MODES_SQL = `SELECT count(*)::INTEGER AS n FROM (
  SELECT mode FROM trials GROUP BY mode HAVING count(DISTINCT campaign_id) > 1
)`;

const sortedList = (col: string, alias: string, where: string) =>
  `list(${col} ORDER BY ${col}) FILTER (WHERE ${where}${where ? ' AND ' : ''}${col} IS NOT NULL) AS "${alias}"`;

/** Per compared mode and campaign: counts and every quantity's succeeded values, ascending (for medians and intervals). */
export const CAMPAIGN_VALUES_SQL = `WITH ${COMPARED_CAMPAIGNS_CTE},
v AS (
  SELECT t.mode, t.campaign_id, count(*)::DOUBLE AS trials, count(*) FILTER (WHERE t.status = 'succeeded')::DOUBLE AS succeeded,
  ${CAMPAIGN_METRICS.map((m) => sortedList(`t.${m}`, m, "t.status = 'succeeded'")).join(',\n  ')}
  FROM trials t JOIN compared c ON c.mode = t.mode AND c.campaign_id = t.campaign_id
  GROUP BY t.mode, t.campaign_id
),
p AS (
  SELECT tl.mode, tl.campaign_id, count(*)::DOUBLE AS timeline_trials,
  ${TIMELINE_PART_COLUMNS.map((m) => sortedList(`tl.${m}`, `part_${m}`, '')).join(',\n  ')}
  FROM (${TRIAL_TIMELINE_SQL}) tl JOIN compared c ON c.mode = tl.mode AND c.campaign_id = tl.campaign_id
  GROUP BY tl.mode, tl.campaign_id
)
SELECT c.mode, c.campaign_id, c.name, c.backend, c.label, c.campaign_rank::INTEGER AS campaign_rank,
  v.* EXCLUDE (mode, campaign_id), coalesce(p.timeline_trials, 0) AS timeline_trials, p.* EXCLUDE (mode, campaign_id, timeline_trials)
FROM compared c JOIN v USING (mode, campaign_id) LEFT JOIN p USING (mode, campaign_id)
ORDER BY c.mode, c.campaign_rank`;

/**
 * The same table's point estimates in SQL alone (the notebook's cell): medians and each median's ratio to the
 * reference campaign's (rank 1) of the same mode.
 */
export const CAMPAIGN_MEDIANS_SQL = `WITH ${COMPARED_CAMPAIGNS_CTE},
v AS (
  SELECT t.mode, t.campaign_id, count(*) AS trials, count(*) FILTER (WHERE t.status = 'succeeded') AS succeeded,
  ${CAMPAIGN_METRICS.map((m) => `quantile_cont(t.${m}, 0.5) FILTER (WHERE t.status = 'succeeded') AS ${m}_median`).join(',\n  ')}
  FROM trials t JOIN compared c ON c.mode = t.mode AND c.campaign_id = t.campaign_id
  GROUP BY t.mode, t.campaign_id
),
p AS (
  SELECT tl.mode, tl.campaign_id,
  ${TIMELINE_PART_COLUMNS.map((m) => `quantile_cont(tl.${m}, 0.5) AS part_${m}_median`).join(',\n  ')}
  FROM (${TRIAL_TIMELINE_SQL}) tl JOIN compared c ON c.mode = tl.mode AND c.campaign_id = tl.campaign_id
  GROUP BY tl.mode, tl.campaign_id
),
j AS (
  SELECT c.mode, c.label AS campaign, c.campaign_rank = 1 AS reference, c.campaign_rank, v.* EXCLUDE (mode, campaign_id),
    p.* EXCLUDE (mode, campaign_id)
  FROM compared c JOIN v USING (mode, campaign_id) LEFT JOIN p USING (mode, campaign_id)
)
SELECT * EXCLUDE (campaign_rank),
  ${[...CAMPAIGN_METRICS.map((m) => `${m}_median`), ...TIMELINE_PART_COLUMNS.map((m) => `part_${m}_median`)]
    .map((c) => `${c} / nullif(first(${c}) OVER (PARTITION BY mode ORDER BY campaign_rank), 0) AS ${c.replace(/_median$/, '_ratio')}`)
    .join(',\n  ')}
FROM j ORDER BY mode, campaign_rank`;

export interface CampaignModeStats {
  mode: string;
  campaign_id: string;
  name: string;
  backend: string;
  /** "name (backend)", unique among the compared campaigns. */
  label: string;
  is_reference: boolean;
  trials: number;
  succeeded: number;
  success_rate: number;
  success_lo: number;
  success_hi: number;
  metrics: Record<CampaignMetric, MetricStats>;
  /** Succeeded trials with probe gaps, over which the parts are computed. */
  timeline_trials: number;
  parts: Record<TimelinePart, MetricStats>;
  /** Each median over the reference campaign's median of the same mode; null when either is missing or the reference's is 0. */
  metric_ratios: Record<CampaignMetric, number | null>;
  part_ratios: Record<TimelinePart, number | null>;
}

interface CampaignValues {
  mode: string;
  campaign_id: string;
  name: string;
  backend: string;
  label: string;
  campaign_rank: number;
  trials: number;
  succeeded: number;
  timeline_trials: number;
  metrics: Record<CampaignMetric, Float64Array>;
  parts: Record<TimelinePart, Float64Array>;
}

const values = (v: unknown) => Float64Array.from((v as number[] | null) ?? []);

export async function fetchCampaignValues(con: DuckDBConnection): Promise<CampaignValues[]> {
  const rows = await queryRows(con, CAMPAIGN_VALUES_SQL);
  return rows.map((r) => ({
    mode: String(r.mode), campaign_id: String(r.campaign_id), name: String(r.name), backend: String(r.backend),
    label: String(r.label), campaign_rank: Number(r.campaign_rank), trials: Number(r.trials), succeeded: Number(r.succeeded),
    timeline_trials: Number(r.timeline_trials),
    metrics: Object.fromEntries(CAMPAIGN_METRICS.map((m) => [m, values(r[m])])) as Record<CampaignMetric, Float64Array>,
    parts: Object.fromEntries(TIMELINE_PART_COLUMNS.map((m) => [m, values(r[`part_${m}`])])) as Record<TimelinePart, Float64Array>,
  }));
}

/** a / b for medians; null when either is missing or b is 0 (no finite ratio). */
export function medianRatio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return a / b;
}

function ratios<K extends string>(mine: Record<K, MetricStats>, ref: Record<K, MetricStats>, keys: readonly K[]): Record<K, number | null> {
  return Object.fromEntries(keys.map((k) => [k, medianRatio(mine[k].p50, ref[k].p50)])) as Record<K, number | null>;
}


/** Statistics per row, intervals within the same bootstrap budget as the per-mode table; modes in schema order. */
export function summarizeCampaigns(rows: readonly CampaignValues[], seed = 1): CampaignModeStats[] {
  const threshold = (sizes: number[]) => bootstrapThreshold(sizes, BOOTSTRAP_BUDGET_VALUES, BOOTSTRAP_MAX_GROUP);
  const stats = <K extends string>(keys: readonly K[], pick: (r: CampaignValues) => Record<K, Float64Array>) => {
    const limits = Object.fromEntries(keys.map((k) => [k, threshold(rows.map((r) => pick(r)[k].length))])) as Record<K, number>;
    return rows.map((r) => Object.fromEntries(keys.map((k) => [k, metricStats(pick(r)[k], pick(r)[k].length <= limits[k], seed)])) as Record<K, MetricStats>);
  };
  const metrics = stats(CAMPAIGN_METRICS, (r) => r.metrics);
  const parts = stats(TIMELINE_PART_COLUMNS, (r) => r.parts);
  const out = rows.map((r, i) => {
    const w = wilsonInterval(r.succeeded, r.trials);
    return {
      mode: r.mode, campaign_id: r.campaign_id, name: r.name, backend: r.backend, label: r.label, is_reference: r.campaign_rank === 1,
      trials: r.trials, succeeded: r.succeeded, success_rate: r.trials > 0 ? r.succeeded / r.trials : 0, success_lo: w.lo, success_hi: w.hi,
      metrics: metrics[i], timeline_trials: r.timeline_trials, parts: parts[i],
      metric_ratios: {} as Record<CampaignMetric, number | null>, part_ratios: {} as Record<TimelinePart, number | null>,
      rank: r.campaign_rank,
    };
  });
  for (const row of out) {
    const ref = out.find((x) => x.mode === row.mode && x.is_reference)!;
    row.metric_ratios = ratios(row.metrics, ref.metrics, CAMPAIGN_METRICS);
    row.part_ratios = ratios(row.parts, ref.parts, TIMELINE_PART_COLUMNS);
  }
  return out
    .sort((a, b) => modeRank(a.mode) - modeRank(b.mode) || a.mode.localeCompare(b.mode) || a.rank - b.rank)
    .map(({ rank: _rank, ...rest }) => rest);
}

/** The section's table rows; empty when no mode was measured by two campaigns. */
export async function compareCampaigns(con: DuckDBConnection, seed = 1): Promise<CampaignModeStats[]> {
  const [h] = await queryRows(con, HAS_COMPARED_MODES_SQL);
  if (Number(h.n) === 0) return [];
  return summarizeCampaigns(await fetchCampaignValues(con), seed);
}
