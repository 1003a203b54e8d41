/** What the routes share: the file, the gate that orders its users, the run, the caches and the limits. */
import type { CampaignsView } from './campaigns-view.js';
import type { DbGate } from './db-gate.js';
import type { QueryLimits } from './query.js';
import type { QueryLimiter } from './query-limiter.js';
import type { ReportCache } from './report-cache.js';
import type { RunManager } from './run-manager.js';
import type { SweepChecker } from './sweep-checker.js';

export interface WorkbenchContext {
  dbPath: string;
  sweepsDir: string;
  gate: DbGate;
  runs: RunManager;
  campaigns: CampaignsView;
  reports: ReportCache;
  /** caps of one SQL query (rows, bytes, time, DuckDB memory) */
  queryLimits: QueryLimits;
  /** how many SQL queries run and wait at once */
  queries: QueryLimiter;
  /** sweep files parsed and sized in worker threads */
  sweepChecker: SweepChecker;
  /** Headers every response carries (security); SSE streams write them by hand. */
  baseHeaders: Record<string, string>;
}
