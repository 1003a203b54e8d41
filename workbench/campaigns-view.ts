/**
 * The campaign list as the page sees it: read fresh when nobody writes the file, otherwise the last list read
 * (marked stale) plus the run that is writing — so the page keeps showing campaigns during a run and never a
 * lock error.
 */
import { readCampaigns, type CampaignInfo } from './campaigns.js';
import { DbGate, RunInProgressError } from './db-gate.js';

export interface CampaignList {
  campaigns: CampaignInfo[];
  /** true when served from the cache because a run is writing the database */
  stale: boolean;
  read_at: string | null;
}

export class CampaignsView {
  private cache: CampaignList = { campaigns: [], stale: true, read_at: null };

  constructor(
    private readonly dbPath: string,
    private readonly gate: DbGate,
  ) {}

  async list(): Promise<CampaignList> {
    try {
      const campaigns = await this.gate.read(() => readCampaigns(this.dbPath));
      this.cache = { campaigns, stale: false, read_at: new Date().toISOString() };
      return this.cache;
    } catch (err) {
      if (err instanceof RunInProgressError) return { ...this.cache, stale: true };
      throw err;
    }
  }

  async find(campaignId: string): Promise<{ campaign: CampaignInfo | null; stale: boolean }> {
    const l = await this.list();
    return { campaign: l.campaigns.find((c) => c.campaign_id === campaignId) ?? null, stale: l.stale };
  }
}
