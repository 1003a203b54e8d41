/**
 * The inputs of `themis merge`, each presented as the store's six tables with exactly the output database's
 * columns (by name, in its order), so the merge itself is one UNION ALL per table whatever the inputs were:
 * a DuckDB file (attached read-only; tables fitted by name, so a file from an older Themis, which lacks the
 * newer parameter columns or has them in another order, merges too) or a dataset folder (dataset-import.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../errors.js';
import {
  addMissingKeysSql, conformColumns, jsonObjectSql, selectList, sqlIdent, sqlString, withExprs,
  type FoundColumn, type ParameterDefault, type TargetColumn,
} from './import-columns.js';

export const STORE_TABLES = ['campaigns', 'points', 'trial_results', 'rounds', 'probe_gaps', 'events'] as const;
export type StoreTable = (typeof STORE_TABLES)[number];

/** One input as relation names (temp views or tables) per store table, plus its (campaign_id, trial_id) pairs. */
export type StagedInput = Record<StoreTable | 'trial_ids', string>;

export async function rowsOf(c: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** Columns of a table or view of the output database (`catalog` another attached one), in order. */
export async function catalogColumns(c: DuckDBConnection, table: string, catalog?: string): Promise<TargetColumn[]> {
  const cat = catalog === undefined ? 'current_database()' : sqlString(catalog);
  const rows = await rowsOf(
    c,
    `SELECT column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_catalog = ${cat} AND table_schema = 'main' AND table_name = ${sqlString(table)} ORDER BY ordinal_position`,
  );
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type), nullable: r.is_nullable === 'YES' }));
}

/**
 * `params` of a point fitted to the current parameters: it gains the defaults of the parameter columns the
 * source lacked (so `params` and the typed columns agree) and the values of source columns the schema does not
 * know (so they stay readable); keys it already has are kept as they are.
 */
export function pointParamsSql(
  paramsExpr: string,
  defaulted: readonly string[],
  defaults: ReadonlyMap<string, ParameterDefault>,
  extraColumns: readonly { key: string; value: string }[],
): string {
  const additions = jsonObjectSql([
    ...defaulted.map((name) => ({ key: name, value: `${sqlString(defaults.get(name)?.json ?? 'null')}::JSON` })),
    ...extraColumns,
  ]);
  return addMissingKeysSql(paramsExpr, additions);
}

/** Attaches a Themis database read-only and fits each of its tables to the output's columns. */
export async function stageDatabase(
  c: DuckDBConnection,
  path: string,
  alias: string,
  defaults: ReadonlyMap<string, ParameterDefault>,
): Promise<StagedInput> {
  await c.run(`ATTACH ${sqlString(path)} AS ${alias} (READ_ONLY)`);
  const staged = { trial_ids: `${alias}_trial_ids` } as StagedInput;
  for (const table of STORE_TABLES) {
    const found: FoundColumn[] = await catalogColumns(c, table, alias);
    if (found.length === 0) throw new UsageError(`${path}: expected a Themis database; found no table '${table}'`);
    const target = await catalogColumns(c, table);
    const fitted = conformColumns(`${path} (table ${table})`, target, found, table === 'points' ? defaults : new Map());
    const columns = table === 'points'
      ? withExprs(fitted.columns, { params: pointParamsSql('params', fitted.defaulted, defaults, fitted.unknown.map((u) => ({ key: u.name, value: sqlIdent(u.name) }))) })
      : fitted.columns;
    staged[table] = `${alias}_${table}`;
    await c.run(`CREATE TEMP VIEW ${staged[table]} AS SELECT ${selectList(columns)} FROM ${alias}.main.${table}`);
  }
  await c.run(`CREATE TEMP VIEW ${staged.trial_ids} AS
    SELECT r.campaign_id, p.point_id || '-r' || r.repetition::VARCHAR AS trial_id
    FROM ${staged.trial_results} r JOIN ${staged.points} p ON p.campaign_id = r.campaign_id AND p.point_index = r.point_index`);
  return staged;
}
