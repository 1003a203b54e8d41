/**
 * Read-only SQL for the page. Same guarantee as `themis sql` (app/cli/sql.ts): the file is opened in DuckDB's
 * READ_ONLY access mode, so a write fails inside DuckDB whatever the text says. Unlike the CLI, every query is
 * bounded: at most `maxRows` rows and `maxBytes` bytes of JSON rows are read, chunk by chunk from a streaming
 * result and converted row by row, so neither `SELECT * FROM trials` on ten million trials nor
 * `SELECT repeat('x', 30000) FROM range(10000)` is ever held whole; DuckDB itself gets a memory limit, a bound
 * on what it may spill to disk and a thread count (set at open, then locked); and a query is interrupted after
 * `timeoutMs` so one bad query cannot hold the database (and block a run) forever.
 */
import { existsSync } from 'node:fs';
import { JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { openDatabase, type OpenOptions, type ResourceLimits } from '../../core/store/open.js';

export const MAX_ROWS = 10_000;
/** JSON bytes of rows per response: 10,000 rows of a wide trials table (~1 KiB each) fit; 300 MB do not. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
export const QUERY_TIMEOUT_MS = 30_000;

/**
 * Per query: the server's memory stays bounded by (running queries × memory) plus the response cap. Two
 * threads each, as at most two queries run at once (query-limiter.ts) on machines as small as two cores.
 */
export const QUERY_RESOURCES: ResourceLimits = { memory: '512MiB', tempDirectory: '1GiB', threads: 2, streamingBuffer: '1KB' };

/**
 * READ_ONLY alone still lets SQL read any file (read_csv), write one (COPY … TO) or ATTACH another database
 * read-write; the page needs none of that, so file access is off and the setting is locked against SET.
 */
export const READ_ONLY_SANDBOX: OpenOptions = { readOnly: true, sandbox: true, limits: QUERY_RESOURCES };

export interface QueryLimits {
  maxRows: number;
  maxBytes: number;
  timeoutMs: number;
  resources: ResourceLimits;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxRows: MAX_ROWS,
  maxBytes: MAX_RESPONSE_BYTES,
  timeoutMs: QUERY_TIMEOUT_MS,
  resources: QUERY_RESOURCES,
};

export interface CappedQueryResult {
  columns: string[];
  column_types: string[];
  rows: unknown[][];
  /** rows returned (≤ max_rows) */
  row_count: number;
  max_rows: number;
  /** JSON bytes of `rows` (≤ max_bytes) */
  bytes: number;
  max_bytes: number;
  /** true when the query had more rows than fit; only the first row_count are returned */
  truncated: boolean;
  /** which cap cut the result: 'rows' (max_rows), 'bytes' (max_bytes), or null when it is whole */
  truncated_by: 'rows' | 'bytes' | null;
  elapsed_ms: number;
}

/** A problem with the query itself (syntax, unknown table, attempted write): the user's to fix, HTTP 400. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** The query needs more than it may have (DuckDB's memory limit, the spill bound, one row over the byte cap): 413. */
export class QueryTooLargeError extends Error {
  override readonly name = 'QueryTooLargeError';
}

const mib = (bytes: number): string => `${Math.round((bytes / 1048576) * 10) / 10} MiB`;

/** DuckDB's "Out of Memory Error" suggests `SET memory_limit`, which the locked sandbox refuses: say what to do instead. */
function explainQueryError(message: string, timedOut: boolean, limits: QueryLimits): Error {
  if (timedOut) return new QueryError(`query interrupted after ${limits.timeoutMs} ms`);
  if (/^Out of Memory Error/i.test(message) || /max_temp_directory_size/i.test(message)) {
    const first = message.split('\n')[0];
    return new QueryTooLargeError(
      `the query needs more memory than the workbench gives one query (memory_limit ${limits.resources.memory}, ` +
        `spilling at most ${limits.resources.tempDirectory}): aggregate, filter or LIMIT it, or run it with \`themis sql\` ` +
        `(no such limit). DuckDB: ${first}`,
    );
  }
  if (/Cannot create a string longer|Invalid string length/i.test(message)) {
    return new QueryTooLargeError(`a value of the result is too long to send: select a part of it (e.g. left(column, 1000))`);
  }
  return new QueryError(message);
}

interface Collected {
  rows: unknown[][];
  bytes: number;
  truncatedBy: 'rows' | 'bytes' | null;
}

/** Reads chunks until the result ends or a cap is reached; each row is converted and measured on its own. */
async function collectRows(result: DuckDBResult, limits: QueryLimits): Promise<Collected> {
  const rows: unknown[][] = [];
  // 2: the brackets of the rows array; each row adds its JSON and a comma.
  let bytes = 2;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) return { rows, bytes, truncatedBy: null };
    for (let i = 0; i < chunk.rowCount; i++) {
      if (rows.length >= limits.maxRows) return { rows, bytes, truncatedBy: 'rows' };
      const row = chunk.convertRowValues(i, JsonDuckDBValueConverter);
      const size = Buffer.byteLength(JSON.stringify(row)) + 1;
      if (bytes + size > limits.maxBytes) {
        if (rows.length === 0) {
          throw new QueryTooLargeError(
            `the first row alone is ${mib(size)} of JSON, over the ${mib(limits.maxBytes)} response cap: ` +
              `select fewer or shorter columns (e.g. left(column, 1000))`,
          );
        }
        return { rows, bytes, truncatedBy: 'bytes' };
      }
      rows.push(row);
      bytes += size;
    }
  }
}

async function runBounded(connection: DuckDBConnection, sql: string, limits: QueryLimits): Promise<Omit<CappedQueryResult, 'elapsed_ms'>> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, limits.timeoutMs);
  try {
    const result = await connection.stream(sql);
    const { rows, bytes, truncatedBy } = await collectRows(result, limits);
    return {
      columns: result.columnNames(),
      column_types: result.columnTypes().map((t) => t.toString()),
      rows,
      row_count: rows.length,
      max_rows: limits.maxRows,
      bytes,
      max_bytes: limits.maxBytes,
      truncated: truncatedBy !== null,
      truncated_by: truncatedBy,
    };
  } catch (err) {
    if (err instanceof QueryTooLargeError) throw err;
    throw explainQueryError(err instanceof Error ? err.message : String(err), timedOut, limits);
  } finally {
    clearTimeout(timer);
  }
}

export async function queryCapped(dbPath: string, sql: string, opts: Partial<QueryLimits> = {}): Promise<CappedQueryResult> {
  const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...opts };
  if (sql.trim() === '') throw new QueryError('the query is empty');
  if (!existsSync(dbPath)) throw new QueryError(`${dbPath}: no such database file yet (run a campaign first)`);
  const t0 = performance.now();
  const db = await openDatabase(dbPath, { readOnly: true, sandbox: true, limits: limits.resources });
  try {
    const out = await runBounded(db.connection, sql, limits);
    return { ...out, elapsed_ms: Math.round((performance.now() - t0) * 10) / 10 };
  } finally {
    db.close();
  }
}
