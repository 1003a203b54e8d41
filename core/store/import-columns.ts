/**
 * Fitting a relation made elsewhere (a dataset's Parquet file, a database written by an older Themis) to the
 * current schema's columns, by name. A parameter column the source lacks gets the parameter's default — the
 * value the campaign ran with before the parameter existed; any other missing column is NULL when the schema
 * allows it, else an error. Types must match or widen safely (any number into DOUBLE, integers into integers,
 * text into JSON); everything else is a UsageError naming the file, the column, what was expected and found.
 */
import { UsageError } from '../errors.js';
import { defaultParameters, type ParameterName } from '../spec/parameters.js';
import { isUnlimitedParameter, parameterColumns, parameterFromTextSql } from './schema.js';

export interface TargetColumn {
  name: string;
  type: string;
  nullable: boolean;
}

export interface FoundColumn {
  name: string;
  type: string;
}

export interface ParameterDefault {
  /** SQL literal of the default in the column's type (VARCHAR columns hold `String(value)`, as the store writes them). */
  sql: string;
  /** The default as JSON, for `params`. */
  json: string;
}

export interface SelectColumn {
  name: string;
  expr: string;
}

/** `expr AS "name", …` */
export function selectList(columns: readonly SelectColumn[]): string {
  return columns.map((c) => `${c.expr} AS ${sqlIdent(c.name)}`).join(', ');
}

/** The columns with some of their expressions replaced. */
export function withExprs(columns: readonly SelectColumn[], replace: Readonly<Record<string, string>>): SelectColumn[] {
  return columns.map((c) => ({ name: c.name, expr: replace[c.name] ?? c.expr }));
}

export interface Conformed {
  /** The SQL value of each target column, in the target's order. */
  columns: SelectColumn[];
  /** Target parameter columns the source lacks (filled with defaults). */
  defaulted: string[];
  /** Source columns the target does not know. */
  unknown: FoundColumn[];
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT']);

export const sqlIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;
export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

function normalType(t: string): string {
  const u = t.trim().toUpperCase();
  return u === 'TIMESTAMPTZ' ? 'TIMESTAMP WITH TIME ZONE' : u;
}

/** Whether a source column of type `found` may fill a target column of type `target` without losing meaning. */
export function acceptsType(target: string, found: string): boolean {
  const t = normalType(target);
  const f = normalType(found);
  if (t === f) return true;
  if (t === 'DOUBLE') return INTEGER_TYPES.has(f) || f === 'FLOAT' || f.startsWith('DECIMAL');
  // Range is checked by the cast itself (a negative seed into UBIGINT fails with the file named).
  if (INTEGER_TYPES.has(t)) return INTEGER_TYPES.has(f);
  // pandas, polars and R write JSON as plain strings; the cast checks that it parses.
  if (t === 'JSON') return f === 'VARCHAR';
  return false;
}

/** Every parameter's default, keyed by column name, from the one definition of the parameters. */
export function parameterDefaults(): Map<string, ParameterDefault> {
  const values = defaultParameters() as Record<string, unknown>;
  const out = new Map<string, ParameterDefault>();
  for (const c of parameterColumns()) {
    const v = values[c.name];
    const sql = c.type === 'VARCHAR' || typeof v === 'string' ? parameterFromTextSql(c.name, sqlString(String(v))) : String(v);
    out.set(c.name, { sql, json: JSON.stringify(v) });
  }
  return out;
}

/**
 * The SELECT list turning a source with `found` columns into the `target` columns. Throws one UsageError
 * listing every problem (wrong types, missing required columns), prefixed with `label` (the file).
 */
export function conformColumns(
  label: string,
  target: readonly TargetColumn[],
  found: readonly FoundColumn[],
  defaults: ReadonlyMap<string, ParameterDefault>,
): Conformed {
  const byName = new Map(found.map((f) => [f.name, f]));
  const problems: string[] = [];
  const columns: SelectColumn[] = [];
  const defaulted: string[] = [];
  for (const t of target) {
    const f = byName.get(t.name);
    const col = (expr: string) => columns.push({ name: t.name, expr });
    if (f) {
      // Written before schema 4: max_bandwidth_mib_s as text ('64', 'unlimited'); converted as the store converts it.
      if (isUnlimitedParameter(t.name) && normalType(f.type) === 'VARCHAR') {
        col(parameterFromTextSql(t.name as ParameterName, sqlIdent(t.name)));
        continue;
      }
      if (!acceptsType(t.type, f.type)) problems.push(`column ${t.name}: expected ${t.type}, found ${f.type}`);
      col(normalType(f.type) === normalType(t.type) ? sqlIdent(t.name) : `CAST(${sqlIdent(t.name)} AS ${t.type})`);
      continue;
    }
    const d = defaults.get(t.name);
    if (d) {
      col(`CAST(${d.sql} AS ${t.type})`);
      defaulted.push(t.name);
    } else if (t.nullable) {
      col(`CAST(NULL AS ${t.type})`);
    } else {
      problems.push(`column ${t.name}: expected ${t.type}, found no such column`);
    }
  }
  if (problems.length > 0) throw new UsageError(`${label}: ${problems.join('; ')}`);
  const known = new Set(target.map((t) => t.name));
  return { columns, defaulted, unknown: found.filter((f) => !known.has(f.name)) };
}

/** `json_object('k', v, …)` of named SQL values, or null when there are none. */
export function jsonObjectSql(entries: readonly { key: string; value: string }[]): string | null {
  if (entries.length === 0) return null;
  return `json_object(${entries.map((e) => `${sqlString(e.key)}, ${e.value}`).join(', ')})`;
}

/**
 * `base` (a JSON expression) with the keys of `additions` it lacks; keys already in `base` keep their value and
 * their place. NULL base counts as `{}` only when something is added (a NULL detail stays NULL otherwise).
 */
export function addMissingKeysSql(base: string, additions: string | null): string {
  if (additions === null) return base;
  const b = `coalesce(${base}, '{}'::JSON)`;
  // merge(base, merge(additions, base)): base's keys first and winning, then the added ones.
  return `json_merge_patch(${b}, json_merge_patch(${additions}, ${b}))`;
}
