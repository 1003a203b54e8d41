/**
 * A fingerprint of a stored campaign: one sha256 per table over the given columns, rows sorted as text.
 * Used to show that a refactoring left a simulator campaign's trials unchanged bit for bit
 * (test/core/campaign-hash.test.ts compares them with test/fixtures/campaign-hashes-before.json, taken before).
 */
import { DuckDBInstance } from '@duckdb/node-api';

export type TableColumns = Record<string, readonly string[]>;

/**
 * Columns whose type changed since the fingerprints were taken, as the text they were stored as then:
 * max_bandwidth_mib_s was VARCHAR ('64', 'unlimited') until schema 4 made it a DOUBLE with unlimited as +inf.
 */
const TEXT_FORM: Record<string, string> = {
  max_bandwidth_mib_s: `CASE WHEN CAST(max_bandwidth_mib_s AS VARCHAR) IN ('inf', 'unlimited') THEN 'unlimited'
    ELSE regexp_replace(CAST(max_bandwidth_mib_s AS VARCHAR), '\\.0$', '') END`,
};

/** sha256 per table of the campaign's rows over `columns` (DuckDB's text form of each value). */
export async function campaignHashes(dbPath: string, columns: TableColumns): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const out: Record<string, string> = {};
    for (const [table, cols] of Object.entries(columns)) {
      const row = cols.map((c) => `coalesce(${TEXT_FORM[c] ?? `CAST("${c}" AS VARCHAR)`}, '∅')`).join(` || '|' || `);
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
