/**
 * `themis export <db> --format parquet|arrow|csv`: any table or query to a file for pandas, polars or R.
 * Parquet and CSV are written by DuckDB's COPY (fast, streaming). Arrow IPC (file format) is written with
 * apache-arrow from DuckDB's chunks, with proper types: doubles stay Float64, integers keep their width,
 * timestamps become Timestamp[µs, UTC], anything nested or exotic becomes text. Files appear atomically.
 */
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  Bool, Field, Float32, Float64, Int16, Int32, Int64, Int8, makeData, RecordBatch, RecordBatchFileWriter,
  Schema, Struct, TimestampMicrosecond, Uint16, Uint32, Uint64, Uint8, Utf8, type DataType,
} from 'apache-arrow';
import { columnData } from './arrow-columns.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sleep } from '../core/async.js';
import { UsageError } from '../core/errors.js';
import { openReportSource, queryRows, sqlIdent, sqlString } from './source.js';

export type ExportFormat = 'parquet' | 'arrow' | 'csv';

export interface ExportOptions {
  db: string;
  format: ExportFormat;
  out: string;
  table?: string;
  query?: string;
}

/** Rows per Arrow record batch: large enough to amortise per-batch overhead, small enough to stream. */
export const ARROW_BATCH_ROWS = 65_536;
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 120_000;

/** The relation to export: a known table/view name (checked, never spliced raw), or the user's query. */
export async function exportRelation(con: DuckDBConnection, table?: string, query?: string): Promise<string> {
  if (query !== undefined && table !== undefined) throw new UsageError('export: give a table or a query, not both');
  if (query !== undefined) return `(${query.trim().replace(/;\s*$/, '')})`;
  const name = table ?? 'trials';
  const known = await queryRows(con, `SELECT table_name FROM information_schema.tables WHERE table_name = ${sqlString(name)}`);
  if (known.length === 0) throw new UsageError(`export: no table or view '${name}' in the database`);
  return sqlIdent(name);
}

interface ArrowColumn {
  name: string;
  type: DataType;
  /** SQL expression producing values apache-arrow takes for this type. */
  expr: string;
}

/** DuckDB column type (as DESCRIBE prints it) → Arrow type and the projection that feeds it. */
export function arrowColumn(name: string, duckType: string): ArrowColumn {
  const c = sqlIdent(name);
  const simple: Record<string, DataType> = {
    BOOLEAN: new Bool(), TINYINT: new Int8(), SMALLINT: new Int16(), INTEGER: new Int32(), BIGINT: new Int64(),
    UTINYINT: new Uint8(), USMALLINT: new Uint16(), UINTEGER: new Uint32(), UBIGINT: new Uint64(),
    FLOAT: new Float32(), DOUBLE: new Float64(), VARCHAR: new Utf8(), JSON: new Utf8(),
  };
  const t = duckType.toUpperCase();
  if (t in simple) return { name, type: simple[t], expr: t === 'JSON' ? `${c}::VARCHAR` : c };
  if (t.startsWith('DECIMAL')) return { name, type: new Float64(), expr: `${c}::DOUBLE` };
  if (t.startsWith('TIMESTAMP')) {
    const tz = t.includes('TIME ZONE') || t === 'TIMESTAMPTZ' ? 'UTC' : null;
    return { name, type: new TimestampMicrosecond(tz), expr: `epoch_us(${c})` };
  }
  return { name, type: new Utf8(), expr: `${c}::VARCHAR` };
}

function recordBatch(schema: Schema, columns: unknown[][]): RecordBatch {
  const length = columns[0]?.length ?? 0;
  const children = schema.fields.map((f, i) => columnData(f.type, columns[i]));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

async function writeArrow(con: DuckDBConnection, relation: string, path: string): Promise<void> {
  const described = await queryRows(con, `DESCRIBE SELECT * FROM ${relation} AS r`);
  const cols = described.map((d) => arrowColumn(String(d.column_name), String(d.column_type)));
  const schema = new Schema(cols.map((c) => new Field(c.name, c.type, true)));
  const writer = new RecordBatchFileWriter();
  const file = createWriteStream(path);
  const ipc = writer.toNodeStream();
  ipc.pipe(file);
  // Backpressure: the writer does not wait for the disk, so hold the next batch while much is in flight.
  const drained = async () => {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (ipc.readableLength + file.writableLength > MAX_IN_FLIGHT_BYTES) {
      if (Date.now() > deadline) throw new Error(`export: ${path} accepted no data for ${DRAIN_TIMEOUT_MS / 1000} s`);
      await sleep(5);
    }
  };
  const result = await con.stream(`SELECT ${cols.map((c) => `${c.expr} AS ${sqlIdent(c.name)}`).join(', ')} FROM ${relation} AS r`);
  let pending: unknown[][] = cols.map(() => []);
  let wroteAny = false;
  const flush = () => {
    writer.write(recordBatch(schema, pending));
    wroteAny = true;
    pending = cols.map(() => []);
  };
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (let i = 0; i < cols.length; i++) {
      const target = pending[i];
      for (const v of chunk.getColumnValues(i)) target.push(v);
    }
    if (pending[0].length >= ARROW_BATCH_ROWS) {
      flush();
      await drained();
    }
  }
  // An empty result still gets one (empty) batch so readers see the schema.
  if (pending[0].length > 0 || !wroteAny) flush();
  writer.finish();
  await finished(file);
}

export async function exportData(opts: ExportOptions): Promise<void> {
  const src = await openReportSource(opts.db);
  const tmp = `${opts.out}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(opts.out), { recursive: true });
    const relation = await exportRelation(src.con, opts.table, opts.query);
    if (opts.format === 'arrow') await writeArrow(src.con, relation, tmp);
    else {
      const format = opts.format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
      await src.con.run(`COPY (SELECT * FROM ${relation} AS r) TO ${sqlString(tmp)} (${format})`);
    }
    renameSync(tmp, opts.out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    src.close();
  }
}
