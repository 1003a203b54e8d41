/**
 * `themis sql`: one query on a read-only connection, printed as an aligned table, CSV or JSON.
 * Read-only is enforced by DuckDB itself (READ_ONLY access mode), not by inspecting the query. READ_ONLY alone
 * still lets SQL write files (COPY … TO), read any file (read_csv('/etc/passwd')) or list directories (glob), so
 * by default the connection is sandboxed as the workbench's is (no external access, settings locked);
 * `--allow-files` lifts that for a user who means to COPY or read files.
 */
import { existsSync } from 'node:fs';
import { openDatabase } from '../../core/store/open.js';
import { alignTable } from '../../reports/summary.js';
import { UsageError } from '../../core/errors.js';

export type SqlFormat = 'table' | 'csv' | 'json';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
}

export async function queryReadOnly(dbPath: string, sql: string, opts: { allowFiles?: boolean } = {}): Promise<QueryResult> {
  if (!existsSync(dbPath)) throw new UsageError(`${dbPath}: no such database file`);
  const db = await openDatabase(dbPath, { readOnly: true, sandbox: !opts.allowFiles });
  const connection = db.connection;
  try {
    const reader = await connection.runAndReadAll(sql).catch((err: Error) => {
      const hint = !opts.allowFiles && /external access|disabled/i.test(err.message) ? ' (files are off: --allow-files turns them on)' : '';
      throw new UsageError(`query failed: ${err.message}${hint}`);
    });
    return { columns: reader.columnNames(), rows: reader.getRowsJson() as unknown[][] };
  } finally {
    db.close();
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function csvCell(v: unknown): string {
  const s = cellText(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function formatQueryResult(r: QueryResult, format: SqlFormat): string {
  if (format === 'json') {
    return JSON.stringify(r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))), null, 2) + '\n';
  }
  if (format === 'csv') {
    return [r.columns.map(csvCell).join(','), ...r.rows.map((row) => row.map(csvCell).join(','))].join('\n') + '\n';
  }
  const numeric = r.columns.map((_, i) => r.rows.length > 0 && r.rows.every((row) => row[i] === null || typeof row[i] === 'number'));
  const body = r.rows.map((row) => row.map((v) => (v === null ? 'NULL' : cellText(v))));
  return `${alignTable(r.columns, body, numeric)}\n(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})\n`;
}
