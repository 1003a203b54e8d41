/** Shared fixtures of the report tests: a synthetic DuckDB file in a fresh temp dir, removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createSyntheticDb, type SyntheticOptions } from '../../reports/synthetic.js';

export interface Fixture {
  dir: string;
  db: string;
  cleanup: () => void;
}

export async function syntheticFixture(opts: SyntheticOptions): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-reports-'));
  const db = join(dir, 'campaign.duckdb');
  await createSyntheticDb(db, opts);
  return { dir, db, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs fn with a read-only connection to the file, closing it afterwards. */
export async function withReadOnly<T>(db: string, fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

export async function sqlRows(db: string, sql: string): Promise<Record<string, unknown>[]> {
  return withReadOnly(db, async (con) => (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
}
