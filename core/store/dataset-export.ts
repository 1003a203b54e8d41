/**
 * `themis export --format dataset`: a database (or one campaign of it) as a dataset folder — the five Parquet
 * files `themis merge` reads back (dataset-import.ts) and anyone can query with plain DuckDB, pandas or R:
 * `campaigns`, `trials` (the view: parameters and outcomes in one row), `rounds`, `probe_gaps`, `events`.
 * Rows are ordered (campaign, trial index / trial id, time) so a reader sees them in run order. Each file is
 * written under a temporary name and renamed, so a reader never sees half a file; other files in the folder
 * (a datasheet README) are left alone.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { UsageError } from '../cli/exit.js';
import { sqlString } from './import-columns.js';
import { datasetFile, DATASET_TABLES, type DatasetTable } from './merge-input.js';

const ORDER: Record<DatasetTable, string> = {
  campaigns: 'campaign_id',
  trials: 'campaign_id, trial_index',
  rounds: 'campaign_id, trial_id, start_ms, round',
  probe_gaps: 'campaign_id, trial_id, start_ms, probe, direction',
  events: 'campaign_id, trial_id, t_ms, source, kind',
};

export interface DatasetExportOptions {
  db: string;
  outDir: string;
  /** Only this campaign (default: every campaign of the database). */
  campaignId?: string;
}

export interface DatasetExport {
  files: string[];
  rows: Record<DatasetTable, number>;
}

export async function exportDataset(opts: DatasetExportOptions): Promise<DatasetExport> {
  if (!existsSync(opts.db)) throw new UsageError(`no database at ${opts.db}`);
  const instance = await DuckDBInstance.create(opts.db, { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  const written: string[] = [];
  try {
    const where = opts.campaignId === undefined ? '' : `WHERE campaign_id = ${sqlString(opts.campaignId)}`;
    if (opts.campaignId !== undefined) {
      const known = (await con.runAndReadAll(`SELECT count(*)::INTEGER FROM campaigns ${where}`)).getRowsJS()[0][0];
      if (known === 0) throw new UsageError(`campaign '${opts.campaignId}' is not in ${opts.db}`);
    }
    mkdirSync(opts.outDir, { recursive: true });
    const rows = {} as Record<DatasetTable, number>;
    for (const table of DATASET_TABLES) {
      const file = datasetFile(opts.outDir, table);
      const tmp = `${file}.tmp-${process.pid}`;
      try {
        const r = await con.runAndReadAll(
          `COPY (SELECT * FROM ${table} ${where} ORDER BY ${ORDER[table]}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        rows[table] = Number(r.getRowsJS()[0]?.[0] ?? 0);
        renameSync(tmp, file);
        written.push(file);
      } finally {
        rmSync(tmp, { force: true });
      }
    }
    return { files: written, rows };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
