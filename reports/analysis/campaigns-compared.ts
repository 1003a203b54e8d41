/**
 * The report section "Campaigns compared: where the time goes", gathered once: the per-mode, per-campaign
 * statistics and the settings that differ between the compared campaigns. Null when no mode was measured by
 * two campaigns — the section is then absent, not empty.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { compareCampaigns, type CampaignModeStats } from './campaigns.js';
import { settingsThatDiffer, type ModeSettings } from './settings.js';

export interface CampaignsCompared {
  /** Mode by mode (schema order), reference campaign first within a mode. */
  rows: CampaignModeStats[];
  settings: ModeSettings[];
}

export async function gatherCampaignsCompared(con: DuckDBConnection, seed = 1): Promise<CampaignsCompared | null> {
  const rows = await compareCampaigns(con, seed);
  if (rows.length === 0) return null;
  const modes = [...new Set(rows.map((r) => r.mode))];
  return { rows, settings: await settingsThatDiffer(con, modes) };
}
