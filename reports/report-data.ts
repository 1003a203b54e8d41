/**
 * Everything a report shows, gathered once from an open database: provenance, the per-mode and per-axis
 * statistics, mode comparisons, failures and the figures. HTML, notebook and figure files all render this.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { axisExpressions } from './analysis/axes.js';
import { gatherCampaignsCompared, type CampaignsCompared } from './analysis/campaigns-compared.js';
import { compareByAxes, compareModes, type Comparison } from './analysis/comparisons.js';
import { failuresByReason, type FailureRow } from './analysis/failures.js';
import { fetchGroupValues, summarizeGroups, type GroupStats } from './analysis/groups.js';
import { buildFigures } from './charts/index.js';
import { axisEffects, cellExtremes, type AxisEffect, type CellExtremes } from './analysis/effects.js';
import { CAMPAIGN_AXIS, resolveStrata, strataAxes, type Strata } from './analysis/strata.js';
import { modeRank } from '../core/modes.js';
import type { Figure } from './charts/figure.js';
import { plainRows, queryRows } from './source.js';

export interface CampaignInfo {
  campaign_id: string;
  name: string;
  backend: string;
  spec_path: string | null;
  spec_sha256: string;
  spec_yaml: string;
  themis_version: string;
  host: string;
  shard: string | null;
  planned_trials: number;
  stored_trials: number;
  started_at: string;
  finished_at: string | null;
  status: string;
}

export interface ReportData {
  db: string;
  generated_at: string;
  /** The breakdown's axes: `campaign` first when campaigns are kept apart, then the --by (or varied) axes. */
  by: string[];
  /** What the campaigns vary, what the report breaks down by and what it pools (analysis/strata.ts). */
  strata: Strata;
  /** Which varied axis moves outage, downtime and total time most (pooled over the other axes). */
  effects: AxisEffect[];
  /** The strata with the lowest and highest medians. */
  extremes: CellExtremes[];
  campaigns: CampaignInfo[];
  /** Per backend (per campaign when campaigns are kept apart) and mode. */
  modes: GroupStats[];
  /** Per backend, mode and the --by axes (empty when no axes were named). */
  byAxes: GroupStats[];
  comparisons: Comparison[];
  /** The headline pair within every combination of the --by axes (empty when no axes were named). */
  comparisonsByAxes: Comparison[];
  failures: FailureRow[];
  figures: Figure[];
  /** Campaign against campaign per mode; null unless some mode was measured by two or more campaigns. */
  campaignsCompared: CampaignsCompared | null;
}

export const CAMPAIGNS_SQL = `SELECT c.campaign_id, c.name, c.backend, c.spec_path, c.spec_sha256, c.spec_yaml, c.themis_version, c.host,
  c.shard, c.planned_trials::DOUBLE AS planned_trials, coalesce(t.n, 0)::DOUBLE AS stored_trials,
  c.started_at, c.finished_at, c.status
FROM campaigns c LEFT JOIN (SELECT campaign_id, count(*) AS n FROM trials GROUP BY ALL) t USING (campaign_id)
ORDER BY c.started_at, c.campaign_id`;

export async function campaignsInfo(con: DuckDBConnection): Promise<CampaignInfo[]> {
  return plainRows(await queryRows(con, CAMPAIGNS_SQL)) as unknown as CampaignInfo[];
}


/** Backend, then mode in the schema's order (live … cold), then SQL's order of the axes. */
export function sortGroups(groups: GroupStats[]): GroupStats[] {
  return groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => a.g.backend.localeCompare(b.g.backend) || String(a.g.axes.campaign ?? '').localeCompare(String(b.g.axes.campaign ?? '')) ||
      modeRank(a.g.mode) - modeRank(b.g.mode) || a.i - b.i)
    .map((x) => x.g);
}

/** `by` as the user named it; undefined: break down by what the campaigns vary (analysis/strata.ts). */
export async function gatherReportData(con: DuckDBConnection, db: string, by: readonly string[] | undefined, seed = 1): Promise<ReportData> {
  const strata = await resolveStrata(con, by);
  const names = strataAxes(strata);
  const sourceAxes = strata.perCampaign ? [CAMPAIGN_AXIS] : [];
  const axes = await axisExpressions(con, names);
  const perMode = await fetchGroupValues(con, await axisExpressions(con, sourceAxes));
  const perAxes = strata.by.length > 0 ? await fetchGroupValues(con, axes) : [];
  return {
    db,
    generated_at: new Date().toISOString(),
    by: strata.by.length > 0 ? names : [],
    strata,
    effects: axisEffects(perAxes, strata.by),
    extremes: cellExtremes(perAxes),
    campaigns: await campaignsInfo(con),
    modes: sortGroups(summarizeGroups(perMode, seed)),
    byAxes: sortGroups(summarizeGroups(perAxes, seed)),
    comparisons: compareModes(perMode, sourceAxes),
    comparisonsByAxes: compareByAxes(perAxes, names),
    failures: await failuresByReason(con),
    figures: await buildFigures(con, strata),
    campaignsCompared: await gatherCampaignsCompared(con, seed),
  };
}
