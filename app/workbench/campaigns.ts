/**
 * What the page lists: every campaign of the file with its trial counts and its per-mode summary
 * (reports/summary.ts), read on one READ_ONLY connection opened for the request and closed after it.
 */
import { existsSync } from 'node:fs';
import { openDatabase } from '../../core/store/open.js';
import { modeSummary, type ModeSummaryRow } from '../../reports/summary.js';
import { READ_ONLY_SANDBOX } from './query.js';

export interface CampaignInfo {
  campaign_id: string;
  name: string;
  backend: string;
  status: string;
  shard: string | null;
  planned_trials: number;
  stored_trials: number;
  succeeded_trials: number;
  failed_trials: number;
  started_at: string | null;
  finished_at: string | null;
  spec_sha256: string;
  summary: ModeSummaryRow[];
}

const CAMPAIGNS_SQL = `
SELECT c.campaign_id, c.name, c.backend, c.status, nullif(c.shard, '') AS shard, c.planned_trials::DOUBLE AS planned_trials,
  coalesce(t.stored, 0)::DOUBLE AS stored_trials, coalesce(t.succeeded, 0)::DOUBLE AS succeeded_trials,
  coalesce(t.failed, 0)::DOUBLE AS failed_trials,
  strftime(c.started_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS started_at,
  strftime(c.finished_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS finished_at,
  c.spec_sha256
FROM campaigns c
LEFT JOIN (
  SELECT campaign_id, count(*) AS stored, count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
    count(*) FILTER (WHERE status <> 'succeeded') AS failed
  FROM trials GROUP BY campaign_id
) t USING (campaign_id)
ORDER BY c.started_at DESC, c.campaign_id`;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Campaigns of the file, newest first; an absent file or one without the schema has none. */
export async function readCampaigns(dbPath: string): Promise<CampaignInfo[]> {
  if (!existsSync(dbPath)) return [];
  const db = await openDatabase(dbPath, READ_ONLY_SANDBOX);
  const con = db.connection;
  try {
    const hasSchema = await con.runAndReadAll(
      `SELECT count(*)::INTEGER FROM information_schema.tables WHERE table_name IN ('campaigns', 'trials') AND table_schema = 'main'`,
    );
    if (Number(hasSchema.getRowsJS()[0][0]) < 2) return [];
    const rows = (await con.runAndReadAll(CAMPAIGNS_SQL)).getRowObjectsJS();
    const out: CampaignInfo[] = [];
    for (const r of rows) {
      const campaign_id = String(r.campaign_id);
      out.push({
        campaign_id,
        name: String(r.name),
        backend: String(r.backend),
        status: String(r.status),
        shard: str(r.shard),
        planned_trials: Number(r.planned_trials),
        stored_trials: Number(r.stored_trials),
        succeeded_trials: Number(r.succeeded_trials),
        failed_trials: Number(r.failed_trials),
        started_at: str(r.started_at),
        finished_at: str(r.finished_at),
        spec_sha256: String(r.spec_sha256),
        summary: await modeSummary(con, campaign_id),
      });
    }
    return out;
  } finally {
    db.close();
  }
}
