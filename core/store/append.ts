/**
 * Appends columns to a table through DuckDB's appender, one data chunk (≤ the vector size, 2048 rows) at a
 * time. Columns are typed arrays or plain arrays; this is several times faster than row-wise appends.
 */
import { DuckDBDataChunk, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';

export interface Column {
  type: DuckDBType;
  values: ArrayLike<DuckDBValue> & { slice(start: number, end: number): ArrayLike<DuckDBValue> };
}

const CHUNK_ROWS = 2048;

/**
 * Appends `rows` rows of `columns` to a temp table (temp tables live in catalog 'temp'). The appender is
 * synchronous; `between`, when given, is awaited between chunks (e.g. to let a Ctrl-C in and throw).
 */
export async function appendToTempTable(
  connection: DuckDBConnection,
  table: string,
  columns: Column[],
  rows: number,
  between?: () => Promise<void>,
): Promise<void> {
  const appender = await connection.createAppender(table, 'main', 'temp');
  try {
    const types = columns.map((c) => c.type);
    for (let start = 0; start < rows; start += CHUNK_ROWS) {
      const end = Math.min(rows, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, end - start);
      columns.forEach((c, i) => chunk.setColumnValues(i, c.values.slice(start, end) as readonly DuckDBValue[]));
      appender.appendDataChunk(chunk);
      if (between) await between();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
