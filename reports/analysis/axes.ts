/**
 * Grouping expressions for the axes a user names with `--by`. A categorical or few-valued axis groups by
 * its value; a continuous axis (a random sweep draws thousands of values) is binned in SQL into equal-width
 * bins labelled by their lower edge, so groups stay few and the browser never sees raw trials.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isUnlimitedParameter, parameterColumnType, parameterTextSql } from '../../core/store/schema.js';
import type { ParameterName } from '../../core/spec/parameters.js';
import { queryRows, sqlIdent } from '../source.js';

export const MAX_DISTINCT_BEFORE_BINNING = 12;
export const BINS = 10;

export interface AxisExpr {
  name: string;
  /** SQL expression over `trials` giving the group value, aliased to the axis name by callers. */
  expr: string;
  binned: boolean;
}

/** Equal-width bin lower edge; the maximum falls into the last bin. */
export function binExpr(column: string, min: number, max: number, bins: number): string {
  const width = (max - min) / bins;
  return `round(${min} + ${width} * least(floor((${column} - ${min}) / ${width}), ${bins - 1}), 6)`;
}

export async function axisExpressions(con: DuckDBConnection, axes: readonly string[]): Promise<AxisExpr[]> {
  const out: AxisExpr[] = [];
  for (const name of axes) {
    if (name === 'campaign') {
      out.push({ name, expr: 'campaign_id', binned: false }); // keeps campaigns apart (analysis/strata.ts)
      continue;
    }
    const col = sqlIdent(name);
    if (isUnlimitedParameter(name)) {
      out.push({ name, expr: parameterTextSql(name, col), binned: false }); // '32', 'unlimited': a cap is a category
      continue;
    }
    if (parameterColumnType(name as ParameterName) !== 'DOUBLE') {
      out.push({ name, expr: col, binned: false });
      continue;
    }
    const [r] = await queryRows(con, `SELECT count(DISTINCT ${col})::DOUBLE AS d, min(${col}) AS lo, max(${col}) AS hi FROM trials`);
    const distinct = Number(r.d);
    const lo = Number(r.lo);
    const hi = Number(r.hi);
    if (distinct <= MAX_DISTINCT_BEFORE_BINNING || !(hi > lo)) out.push({ name, expr: col, binned: false });
    else out.push({ name, expr: binExpr(col, lo, hi, BINS), binned: true });
  }
  return out;
}

/** `expr AS "name", ...` for SELECT lists, with a leading comma when there is anything. */
export function selectAxes(axes: readonly AxisExpr[]): string {
  return axes.map((a) => `, ${a.expr} AS ${sqlIdent(a.name)}`).join('');
}

/** Partition / group list: backend, mode, then the axes. */
export function groupList(axes: readonly AxisExpr[]): string {
  return ['backend', 'mode', ...axes.map((a) => a.expr)].join(', ');
}
