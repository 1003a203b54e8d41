/** What the routes share: the file, the gate that orders its users, the run, and the caches. */
import type { CampaignsView } from './campaigns-view.js';
import type { DbGate } from './db-gate.js';
import type { ReportCache } from './report-cache.js';
import type { RunManager } from './run-manager.js';

export interface WorkbenchContext {
  dbPath: string;
  sweepsDir: string;
  gate: DbGate;
  runs: RunManager;
  campaigns: CampaignsView;
  reports: ReportCache;
  /** Headers every response carries (security); SSE streams write them by hand. */
  baseHeaders: Record<string, string>;
}
