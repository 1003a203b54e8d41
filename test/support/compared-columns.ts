/** The columns the deploy tests compare between a sharded and an unsharded run: all but the clock. */
import { DuckDBInstance } from '@duckdb/node-api';
import type { TableColumns } from './campaign-hash.js';

/** Every column of trials, rounds, probe_gaps and events except `started_at` (each run has its own clock). */
export async function comparedColumns(db: string): Promise<TableColumns> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  try {
    const out: Record<string, string[]> = {};
    for (const table of ['trials', 'rounds', 'probe_gaps', 'events']) {
      const rows = (await con.runAndReadAll(`DESCRIBE ${table}`)).getRowObjectsJS();
      out[table] = rows.map((r) => String(r.column_name)).filter((c) => c !== 'started_at');
    }
    return out;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
