/**
 * A fingerprint of a stored campaign: one sha256 per table over the given columns, rows sorted as text.
 * Used to show that a refactoring left a simulator campaign's trials unchanged bit for bit
 * (test/core/campaign-hash.test.ts compares them with test/fixtures/campaign-hashes-before.json, taken before).
 */
import { DuckDBInstance } from '@duckdb/node-api';

export type TableColumns = Record<string, readonly string[]>;

/** sha256 per table of the campaign's rows over `columns` (DuckDB's text form of each value). */
export async function campaignHashes(dbPath: string, columns: TableColumns): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const out: Record<string, string> = {};
    for (const [table, cols] of Object.entries(columns)) {
      const row = cols.map((c) => `coalesce(CAST("${c}" AS VARCHAR), '∅')`).join(` || '|' || `);
      const reader = await connection.runAndReadAll(
        `SELECT sha256(coalesce(string_agg(t, chr(10) ORDER BY t), '')) AS h, count(*) AS n FROM (SELECT ${row} AS t FROM ${table})`,
      );
      const r = reader.getRowObjects()[0];
      out[table] = `${String(r.n)}:${String(r.h)}`;
    }
    return out;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
