/**
 * `themis sql`: one query on a read-only connection, printed as a table, box, Markdown, CSV or JSON
 * (sql-format.ts), or written to Parquet by DuckDB's COPY (`--out`).
 * Read-only is enforced by DuckDB itself (READ_ONLY access mode), not by inspecting the query. READ_ONLY alone
 * still lets SQL write files (COPY … TO), read any file (read_csv('/etc/passwd')) or list directories (glob), so
 * by default the connection is sandboxed as the workbench's is (no external access, settings locked);
 * `--allow-files` lifts that for a user who means to COPY or read files.
 */
import { existsSync } from 'node:fs';
import { openDatabase } from '../../core/store/open.js';
import { UsageError } from '../../core/errors.js';
import { resultFrom, type QueryResult } from './sql-format.js';

export { formatQueryResult, type QueryResult, type SqlFormat } from './sql-format.js';

export async function queryReadOnly(dbPath: string, sql: string, opts: { allowFiles?: boolean } = {}): Promise<QueryResult> {
  if (!existsSync(dbPath)) throw new UsageError(`${dbPath}: no such database file`);
  const db = await openDatabase(dbPath, { readOnly: true, sandbox: !opts.allowFiles });
  const connection = db.connection;
  try {
    const reader = await connection.runAndReadAll(sql).catch((err: Error) => {
      const hint = !opts.allowFiles && /external access|disabled/i.test(err.message) ? ' (files are off: --allow-files turns them on)' : '';
      throw new UsageError(`query failed: ${err.message}${hint}`);
    });
    return resultFrom(reader);
  } finally {
    db.close();
  }
}
