/**
 * `themis sql` output: values converted once from DuckDB's result (numbers stay numbers, BIGINT becomes a number
 * when it is a safe integer, timestamps DuckDB's own text), then printed as an aligned table (`table`, `box`),
 * a Markdown table, CSV or JSON. Text formats print DOUBLEs with 15 significant digits, as DuckDB's shell does
 * (18602.7, not 18602.699999999997); CSV and JSON keep the shortest round-trip form, which reads back exactly.
 */
import type { DuckDBResultReader } from '@duckdb/node-api';
import { alignTable } from '../../reports/summary.js';

export const SQL_FORMATS = ['table', 'box', 'markdown', 'csv', 'json', 'parquet'] as const;
export type SqlFormat = (typeof SQL_FORMATS)[number];

export type SqlValue = string | number | boolean | null | SqlValue[] | { [k: string]: SqlValue };

export interface QueryResult {
  columns: string[];
  /** Per column: is it numeric (right-aligned, unquoted)? */
  numeric: boolean[];
  rows: SqlValue[][];
}

function plain(js: unknown, json: unknown): SqlValue {
  if (js === null || js === undefined) return null;
  if (typeof js === 'bigint') return Number.isSafeInteger(Number(js)) ? Number(js) : String(js);
  if (typeof js === 'number' || typeof js === 'boolean') return js;
  return json as SqlValue; // strings, timestamps, lists, structs: DuckDB's JSON form
}

export function resultFrom(reader: DuckDBResultReader): QueryResult {
  const js = reader.getRowsJS() as unknown[][];
  const json = reader.getRowsJson() as unknown[][];
  const rows = js.map((row, i) => row.map((v, j) => plain(v, json[i][j])));
  const numeric = reader.columnNames().map((_, j) => rows.length > 0 && rows.every((r) => r[j] === null || typeof r[j] === 'number'));
  return { columns: reader.columnNames(), numeric, rows };
}

/** A DOUBLE as DuckDB's shell prints it: 15 significant digits, integers without a fraction. */
export function shellNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(15)));
}

function text(v: SqlValue, nullText: string): string {
  if (v === null) return nullText;
  if (typeof v === 'number') return shellNumber(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function csvCell(v: SqlValue): string {
  const s = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function boxTable(r: QueryResult, body: string[][]): string {
  const widths = r.columns.map((c, i) => Math.max(c.length, ...body.map((row) => row[i].length)));
  const line = (l: string, m: string, e: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + e;
  const cells = (cs: string[]) => `│${cs.map((c, i) => ` ${r.numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])} `).join('│')}│`;
  return [line('┌', '┬', '┐'), cells(r.columns), line('├', '┼', '┤'), ...body.map(cells), line('└', '┴', '┘')].join('\n');
}

function markdown(r: QueryResult, body: string[][]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    `| ${r.columns.map(esc).join(' | ')} |`,
    `|${r.numeric.map((n) => (n ? '---:' : '---')).join('|')}|`,
    ...body.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function formatQueryResult(r: QueryResult, format: Exclude<SqlFormat, 'parquet'>): string {
  if (format === 'json') {
    return JSON.stringify(r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))), null, 2) + '\n';
  }
  if (format === 'csv') {
    return [r.columns.map((c) => csvCell(c)).join(','), ...r.rows.map((row) => row.map(csvCell).join(','))].join('\n') + '\n';
  }
  const count = `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`;
  if (format === 'markdown') return `${markdown(r, r.rows.map((row) => row.map((v) => text(v, ''))))}\n`;
  const body = r.rows.map((row) => row.map((v) => text(v, 'NULL')));
  if (format === 'box') return `${boxTable(r, body)}\n${count}\n`;
  return `${alignTable(r.columns, body, r.numeric)}\n${count}\n`;
}

/**
 * A closed pipe (`themis sql … | head -1`) ends the output, not the program with a stack trace: exit 0
 * quietly, as `cat` and DuckDB's shell do.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
