/**
 * The campaign list as the page sees it: read fresh when nobody writes the file, otherwise the last list read
 * (marked stale) plus the run that is writing — so the page keeps showing campaigns during a run and never a
 * lock error.
 */
import { readCampaigns, type CampaignInfo } from './campaigns.js';
import { DbGate, RunInProgressError } from './db-gate.js';
import { DB_LOCKED_MESSAGE, isLockConflict } from './errors.js';

export interface CampaignList {
  campaigns: CampaignInfo[];
  /** true when served from the cache because the database cannot be read now */
  stale: boolean;
  read_at: string | null;
  /** why the list is stale, for the page */
  notice: string | null;
}

export class CampaignsView {
  private cache: CampaignList = { campaigns: [], stale: true, read_at: null, notice: null };

  constructor(
    private readonly dbPath: string,
    private readonly gate: DbGate,
  ) {}

  async list(): Promise<CampaignList> {
    try {
      const campaigns = await this.gate.read(() => readCampaigns(this.dbPath));
      this.cache = { campaigns, stale: false, read_at: new Date().toISOString(), notice: null };
      return this.cache;
    } catch (err) {
      const when = this.cache.read_at ? `this list was read at ${this.cache.read_at}` : 'the list is shown once it can be read';
      if (err instanceof RunInProgressError) {
        return { ...this.cache, stale: true, notice: `A run is writing the database: ${when} and is refreshed when the run ends.` };
      }
      if (isLockConflict(err)) {
        return { ...this.cache, stale: true, notice: `${DB_LOCKED_MESSAGE[0].toUpperCase()}${DB_LOCKED_MESSAGE.slice(1)}: ${when}.` };
      }
      throw err;
    }
  }

  async find(campaignId: string): Promise<{ campaign: CampaignInfo | null; stale: boolean }> {
    const l = await this.list();
    return { campaign: l.campaigns.find((c) => c.campaign_id === campaignId) ?? null, stale: l.stale };
  }
}
