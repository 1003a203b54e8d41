/**
 * What calibrate and validate both do around the simulator: read a real campaign from a database or a dataset
 * folder (a folder is loaded into a scratch database as `themis merge` would), and run a simulator campaign in
 * process through core's engine into a scratch database, exactly as `themis run` would.
 */
import { join } from 'node:path';
import { runCampaign } from '../core/engine/engine.js';
import type { CampaignSpec } from '../core/spec/sweep.js';
import { mergeDatabases } from '../core/store/merge.js';
import { classifyMergeInput } from '../core/store/merge-input.js';
import { openDatabase, type Database } from '../core/store/open.js';
import { createBackend } from '../simulator/backend.js';

/** Opens the real data read-only: the database itself, or the dataset folder merged into `work/real.duckdb`. */
export async function openRealData(input: string, work: string): Promise<Database> {
  let path = input;
  if (classifyMergeInput(input).kind !== 'duckdb') {
    path = join(work, 'real.duckdb');
    await mergeDatabases(path, [input]);
  }
  return openDatabase(path, { readOnly: true });
}

/** Runs a simulator campaign into `dbPath` (a scratch file); returns its campaign id. */
export async function runSimulated(spec: CampaignSpec, dbPath: string): Promise<string> {
  const outcome = await runCampaign({ spec, dbPath, backend: createBackend() });
  return outcome.campaign_id;
}
