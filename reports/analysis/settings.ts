/**
 * "Settings that differ": for every mode measured by two or more campaigns, the parameter columns whose
 * distinct values are not the same in all of them (memory_mib 256 vs 512; probe_interval_ms 5 vs 1), with each
 * campaign's values. Every parameter column is compared, also those a real backend ignores — whether a
 * difference matters is the reader's call, but it must be visible before anyone compares medians.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isUnlimitedParameter, parameterColumns, parameterTextSql } from '../../core/store/schema.js';
import { queryRows, sqlIdent } from '../source.js';
import { COMPARED_CAMPAIGNS_CTE } from './campaigns.js';
import type { AxisValue } from './groups.js';

export interface CampaignRef {
  campaign_id: string;
  label: string;
}

export interface SettingDifference {
  parameter: string;
  /** Distinct values per campaign (same order as the mode's `campaigns`), ascending, NULL included. */
  values: AxisValue[][];
}

export interface ModeSettings {
  mode: string;
  /** The compared campaigns of this mode, reference first. */
  campaigns: CampaignRef[];
  differences: SettingDifference[];
}

/** The parameter columns compared (mode is what the rows are grouped by). */
export function comparedParameters(): string[] {
  return parameterColumns().map((c) => c.name).filter((n) => n !== 'mode');
}

/**
 * Per compared mode and campaign, each parameter's distinct values; `columns` narrows the list (the notebook
 * shows only differing ones). From `trials` the query reads every trial's ~60 parameter columns (2–3 s on a
 * million trials); from `points`, where the store keeps each point's parameters once and the `trials` view
 * joins them from, it reads one row per point that has trials — the same answer in milliseconds. The notebook's
 * Parquet has no `points`, so its cell reads `trials`.
 */
export function settingsSql(columns: readonly string[] = comparedParameters(), from: 'trials' | 'points' = 'trials'): string {
  const lists = columns.map((c) => {
    // 'unlimited', not inf, for a number-or-unlimited parameter
    const v = isUnlimitedParameter(c) ? parameterTextSql(c, `t.${sqlIdent(c)}`) : `t.${sqlIdent(c)}`;
    return `list(DISTINCT ${v} ORDER BY ${v}) AS ${sqlIdent(c)}`;
  });
  const source =
    from === 'trials'
      ? 'trials t'
      : 'points t JOIN (SELECT DISTINCT campaign_id, point_index FROM trial_results) r ON r.campaign_id = t.campaign_id AND r.point_index = t.point_index';
  return `WITH ${COMPARED_CAMPAIGNS_CTE}
SELECT c.mode, c.label AS campaign, c.campaign_id, c.campaign_rank::INTEGER AS campaign_rank${lists.map((l) => `,\n  ${l}`).join('')}
FROM ${source} JOIN compared c ON c.mode = t.mode AND c.campaign_id = t.campaign_id
GROUP BY c.mode, c.label, c.campaign_id, c.campaign_rank
ORDER BY c.mode, c.campaign_rank`;
}

function plain(v: unknown): AxisValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

/** Parameters whose value sets are not all equal across the given campaigns' rows. */
export function differingParameters(rows: readonly Record<string, unknown>[], columns: readonly string[]): SettingDifference[] {
  const out: SettingDifference[] = [];
  for (const parameter of columns) {
    const values = rows.map((r) => ((r[parameter] as unknown[] | null) ?? []).map(plain));
    const keys = new Set(values.map((v) => JSON.stringify(v)));
    if (keys.size > 1) out.push({ parameter, values });
  }
  return out;
}

/** Per compared mode (in the order given), the campaigns and the settings that differ between them. */
export async function settingsThatDiffer(con: DuckDBConnection, modes: readonly string[]): Promise<ModeSettings[]> {
  if (modes.length === 0) return [];
  const columns = comparedParameters();
  const rows = await queryRows(con, settingsSql(columns, 'points'));
  return modes.map((mode) => {
    const mine = rows.filter((r) => String(r.mode) === mode);
    return {
      mode,
      campaigns: mine.map((r) => ({ campaign_id: String(r.campaign_id), label: String(r.campaign) })),
      differences: differingParameters(mine, columns),
    };
  });
}
