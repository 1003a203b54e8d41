/** Which campaign of a database is the real one to learn from: the one asked for, or the only non-simulated one. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../core/errors.js';

export interface RealCampaign {
  campaign_id: string;
  name: string;
  backend: string;
}

export async function pickRealCampaign(con: DuckDBConnection, db: string, campaignId?: string): Promise<RealCampaign> {
  const rows = (await con.runAndReadAll('SELECT campaign_id, name, backend FROM campaigns ORDER BY campaign_id')).getRowObjectsJS();
  const all = rows.map((r) => ({ campaign_id: String(r.campaign_id), name: String(r.name), backend: String(r.backend) }));
  const list = (cs: RealCampaign[]) => cs.map((c) => `${c.campaign_id} (${c.backend})`).join(', ') || 'none';
  if (campaignId !== undefined) {
    const found = all.find((c) => c.campaign_id === campaignId);
    if (!found) throw new UsageError(`${db}: no campaign '${campaignId}'; it holds ${list(all)}`);
    return found;
  }
  const real = all.filter((c) => c.backend !== 'simulator');
  if (real.length === 1) return real[0];
  throw new UsageError(
    real.length === 0
      ? `${db}: no campaign of a real backend to learn from; it holds ${list(all)}`
      : `${db}: several real campaigns (${list(real)}); choose one with --campaign`,
  );
}
