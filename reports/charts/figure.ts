/**
 * A figure of the report: the SQL that aggregates its data (shown verbatim in the notebook), the Vega-Lite
 * spec built as data with those rows inlined, and one sentence on how to read it. Specs stay plain JSON
 * objects; tests compile every one of them with vega-lite to catch mistakes.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { modeRank } from '../../core/modes.js';
import { plainRows, queryRows } from '../source.js';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export type Row = Record<string, string | number | boolean | null>;
export type VegaLiteSpec = Record<string, unknown>;

export interface Figure {
  id: string;
  title: string;
  /** One sentence on how to read the figure. */
  caption: string;
  /** The aggregate query over the tables trials / rounds / probe_gaps / events. */
  sql: string;
  rows: Row[];
  spec: VegaLiteSpec;
}

export interface FigureDef {
  id: string;
  title: string;
  caption: string;
  sql: string;
  /** Builds the spec from the query's rows; null when the data cannot show anything (e.g. one backend only). */
  spec: (rows: Row[]) => VegaLiteSpec | null;
}

export async function realize(con: DuckDBConnection, def: FigureDef): Promise<Figure | null> {
  const rows = plainRows(await queryRows(con, def.sql));
  if (rows.length === 0) return null;
  const spec = def.spec(rows);
  if (spec === null) return null;
  return { id: def.id, title: def.title, caption: def.caption, sql: def.sql, rows, spec };
}

/** Common top of every spec: schema, title, inline data, a font that exists offline. */
export function baseSpec(title: string, rows: Row[]): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values: rows },
    config: { font: 'DejaVu Sans, sans-serif', view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 11 } },
  };
}

/** Numbers ascending, then text (so bandwidth caps read 32, 128, unlimited — not '128' < '32'). */
export function naturalOrder(values: readonly (string | number | boolean | null)[]): (string | number | boolean)[] {
  const distinct = [...new Set(values.filter((v): v is string | number | boolean => v !== null))];
  const asNum = (v: string | number | boolean) => (typeof v === 'number' ? v : Number(v));
  return distinct.sort((a, b) => {
    const x = asNum(a);
    const y = asNum(b);
    const xn = Number.isFinite(x);
    const yn = Number.isFinite(y);
    if (xn && yn) return x - y;
    if (xn !== yn) return xn ? -1 : 1;
    return String(a).localeCompare(String(b));
  });
}

/** The modes present in the rows, in core/modes.ts's order (live … cold-hard), unknown ones last. */
export function modeSort(rows: Row[]): string[] {
  const present = [...new Set(rows.map((r) => String(r.mode)))];
  return present.sort((a, b) => modeRank(a) - modeRank(b) || a.localeCompare(b));
}

/**
 * A logarithmic scale for durations when every value is positive; symlog (linear near zero) when some are
 * zero — a trial whose probes lost nothing has an outage of 0 ms, which a log scale cannot place.
 */
export function logLikeScale(rows: Row[], fields: readonly string[], constant = 1): Record<string, unknown> {
  const values = rows.flatMap((r) => fields.map((f) => r[f])).filter((v): v is number => typeof v === 'number');
  return values.some((v) => v <= 0) ? { type: 'symlog', constant } : { type: 'log' };
}

/** Tick values for a symlog axis (vega's own are linear-looking): 0 and the powers of ten up to the maximum. */
export function symlogTicks(max: number, from = 1): number[] {
  const ticks = [0];
  for (let v = from; v <= max * 1.0001; v *= 10) ticks.push(v);
  return ticks;
}

/** An axis for the given scale: explicit ticks when it is symlog. */
export function logLikeAxis(scale: Record<string, unknown>, rows: Row[], fields: readonly string[]): Record<string, unknown> {
  if (scale.type !== 'symlog') return {};
  const max = Math.max(0, ...rows.flatMap((r) => fields.map((f) => Number(r[f]))).filter(Number.isFinite));
  return { values: symlogTicks(max, Math.pow(10, Math.floor(Math.log10(Number(scale.constant ?? 1))))) };
}
