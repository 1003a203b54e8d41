/**
 * Read-only SQL for the page. Same guarantee as `themis sql` (app/cli/sql.ts): the file is opened in DuckDB's
 * READ_ONLY access mode, so a write fails inside DuckDB whatever the text says. Unlike the CLI, the page gets
 * at most `maxRows` rows, read from a streaming result so `SELECT * FROM trials` on ten million trials does
 * not materialise them all, and a query is interrupted after `timeoutMs` so one bad query cannot hold the
 * database (and block a run) forever.
 */
import { existsSync } from 'node:fs';
import { openDatabase, type OpenOptions } from '../../core/store/open.js';

export const MAX_ROWS = 10_000;

/**
 * READ_ONLY alone still lets SQL read any file (read_csv), write one (COPY … TO) or ATTACH another database
 * read-write; the page needs none of that, so file access is off and the setting is locked against SET.
 */
export const READ_ONLY_SANDBOX: OpenOptions = { readOnly: true, sandbox: true };
export const QUERY_TIMEOUT_MS = 30_000;

export interface CappedQueryResult {
  columns: string[];
  column_types: string[];
  rows: unknown[][];
  /** rows returned (≤ max_rows) */
  row_count: number;
  max_rows: number;
  /** true when the query had more rows than max_rows; only the first max_rows are returned */
  truncated: boolean;
  elapsed_ms: number;
}

/** A problem with the query itself (syntax, unknown table, attempted write): the user's to fix, HTTP 400. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

export async function queryCapped(
  dbPath: string,
  sql: string,
  opts: { maxRows?: number; timeoutMs?: number } = {},
): Promise<CappedQueryResult> {
  const maxRows = opts.maxRows ?? MAX_ROWS;
  const timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS;
  if (sql.trim() === '') throw new QueryError('the query is empty');
  if (!existsSync(dbPath)) throw new QueryError(`${dbPath}: no such database file yet (run a campaign first)`);
  const t0 = performance.now();
  const db = await openDatabase(dbPath, READ_ONLY_SANDBOX);
  const connection = db.connection;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, timeoutMs);
  try {
    // One row more than the cap tells whether there were more.
    const reader = await connection.streamAndReadUntil(sql, maxRows + 1).catch((err: Error) => {
      throw new QueryError(timedOut ? `query interrupted after ${timeoutMs} ms` : err.message);
    });
    const all = reader.getRowsJson() as unknown[][];
    const truncated = all.length > maxRows || !reader.done;
    const rows = all.slice(0, maxRows);
    return {
      columns: reader.columnNames(),
      column_types: reader.columnTypes().map((t) => t.toString()),
      rows,
      row_count: rows.length,
      max_rows: maxRows,
      truncated,
      elapsed_ms: Math.round((performance.now() - t0) * 10) / 10,
    };
  } finally {
    clearTimeout(timer);
    db.close();
  }
}
