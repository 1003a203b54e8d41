/**
 * `themis export --format dataset`: a database (or one campaign of it) as a dataset folder — the five Parquet
 * files `themis merge` reads back (dataset-import.ts) and anyone can query with plain DuckDB, pandas or R:
 * `campaigns`, `trials` (the view: parameters and outcomes in one row), `rounds`, `probe_gaps`, `events`.
 * Rows of the narrow tables are ordered (campaign, trial id, time), so a trial's rows are together. Each file is
 * written under a temporary name and renamed, so a reader never sees half a file; other files in the folder
 * (a datasheet README) are left alone.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { sqlString } from './import-columns.js';
import { datasetFile, DATASET_TABLES, type DatasetTable } from './merge-input.js';
import { openDatabase } from './open.js';

/**
 * Narrow tables are sorted for readers. `trials` is written in the view's own order (trials are stored as they
 * ended, so near trial order): sorting its ~70 columns needs far more memory (out of memory at 256 MB for 400k
 * trials; 0.9 GB peak at 512 MB), while the unsorted copy streams (0.5 GB peak).
 */
const ORDER: Record<DatasetTable, string | null> = {
  campaigns: 'campaign_id',
  trials: null,
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
  const db = await openDatabase(opts.db, { readOnly: true });
  const con = db.connection;
  const written: string[] = [];
  // DuckDB's default limit is 80 % of RAM (measured: 1.7 GiB peak exporting 400k trials); with the store's
  // limit, sorts spill to a temporary directory instead.
  const spill = mkdtempSync(join(tmpdir(), 'themis-export-'));
  try {
    await con.run(`SET memory_limit = ${sqlString(process.env.THEMIS_DUCKDB_MEMORY ?? '256MB')}`);
    await con.run(`SET temp_directory = ${sqlString(spill)}`);
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
          `COPY (SELECT * FROM ${table} ${where} ${ORDER[table] === null ? '' : `ORDER BY ${ORDER[table]}`}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
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
    db.close();
    rmSync(spill, { recursive: true, force: true });
  }
}
