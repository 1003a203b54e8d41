/**
 * A dataset folder (five Parquet files, see datasets/README.md) staged as the store's tables, for `themis merge`.
 * `campaigns`, `rounds`, `probe_gaps` and `events` are the tables as they are; `trials.parquet` has the shape
 * of the `trials` view, so it is split back into `points` (one row per campaign + point) and `trial_results`.
 * Every file is checked before anything is inserted: types, required values, and that every row belongs to a
 * campaign / trial of the same folder. Problems are UsageErrors naming the file, what was expected and found.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import { errText } from '../error-text.js';
import { sweepSchema } from '../spec/sweep.js';
import {
  addMissingKeysSql, conformColumns, jsonObjectSql, selectList, sqlIdent, sqlString, withExprs,
  type FoundColumn, type ParameterDefault, type TargetColumn,
} from './import-columns.js';
import { datasetFile, type DatasetTable } from './merge-input.js';
import { catalogColumns, pointParamsSql, rowsOf, type StagedInput } from './merge-sources.js';

/**
 * One file as it is: DuckDB would otherwise take a `key=value` folder in its path (a dataset root's
 * `shard=0007/`) for a hive partition and add its value as a column.
 */
const parquetOf = (file: string) => `read_parquet(${sqlString(file)}, hive_partitioning = false)`;

/** A column of a relation as a JSON entry keyed by its name. */
const column = (relation: string) => (name: string) => ({ key: name, value: `${relation}.${sqlIdent(name)}` });


async function parquetColumns(c: DuckDBConnection, file: string): Promise<FoundColumn[]> {
  try {
    const rows = await rowsOf(c, `DESCRIBE SELECT * FROM ${parquetOf(file)}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  } catch (e) {
    throw new UsageError(`${file}: expected a Parquet file; DuckDB cannot read it: ${errText(e)}`);
  }
}

/** Runs a statement that casts a file's values; a value that does not fit is the file's fault, not a bug. */
async function runOnFile(c: DuckDBConnection, file: string, sql: string): Promise<void> {
  try {
    await c.run(sql);
  } catch (e) {
    throw new UsageError(`${file}: a value does not fit the expected column type: ${errText(e)}`);
  }
}

async function checkRequiredValues(c: DuckDBConnection, file: string, relation: string, target: readonly TargetColumn[]): Promise<void> {
  const required = target.filter((t) => !t.nullable);
  if (required.length === 0) return;
  const [row] = await rowsOf(c, `SELECT ${required.map((t, i) => `count(*) FILTER (WHERE ${sqlIdent(t.name)} IS NULL) AS n${i}`).join(', ')} FROM ${relation}`);
  const nulls = required.map((t, i) => ({ name: t.name, n: Number(row[`n${i}`]) })).filter((x) => x.n > 0);
  if (nulls.length > 0) {
    throw new UsageError(`${file}: expected a value in every row; found NULL in ${nulls.map((x) => `${x.name} (${x.n} rows)`).join(', ')}`);
  }
}

/** Stages one of the four plain tables: same columns as the output table, values cast, required ones present. */
async function stageTable(c: DuckDBConnection, dir: string, table: Exclude<DatasetTable, 'trials'>, alias: string): Promise<string> {
  const file = datasetFile(dir, table);
  const target = await catalogColumns(c, table);
  const fitted = conformColumns(file, target, await parquetColumns(c, file), new Map());
  const name = `${alias}_${table}`;
  await runOnFile(c, file, `CREATE TEMP TABLE ${name} AS SELECT ${selectList(fitted.columns)} FROM ${parquetOf(file)}`);
  await checkRequiredValues(c, file, name, target);
  return name;
}

/** The `trials` view's columns; one is required when the table column under it is NOT NULL (trial_id always). */
async function trialsTarget(c: DuckDBConnection): Promise<TargetColumn[]> {
  const under = [...(await catalogColumns(c, 'points')), ...(await catalogColumns(c, 'trial_results'))];
  const required = new Set(under.filter((u) => !u.nullable).map((u) => u.name));
  return (await catalogColumns(c, 'trials')).map((t) => ({ ...t, nullable: t.name !== 'trial_id' && !required.has(t.name) }));
}

/** Repetitions of each campaign, from the sweep it ran (NULL when the YAML cannot say: the import then ranks). */
async function stageRepetitions(c: DuckDBConnection, campaigns: string, alias: string): Promise<string> {
  const rows = await rowsOf(c, `SELECT campaign_id, spec_yaml FROM ${campaigns}`);
  const values = rows.map((r) => {
    let reps: number | null = null;
    try {
      const doc: unknown = parseYaml(String(r.spec_yaml));
      const parsed = sweepSchema.shape.repetitions.safeParse(
        doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>).repetitions : undefined,
      );
      reps = parsed.success ? parsed.data : null;
    } catch {
      reps = null;
    }
    return `(${sqlString(String(r.campaign_id))}, ${reps ?? 'NULL'})`;
  });
  const name = `${alias}_repetitions`;
  await c.run(`CREATE TEMP TABLE ${name} (campaign_id VARCHAR, reps BIGINT)`);
  if (values.length > 0) await c.run(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
  return name;
}

/**
 * `point_index` is not in the `trials` view; it is only the key joining `trial_results` to `points` inside one
 * campaign (no column of the view, nor rounds/probe_gaps/events, which name trials by trial_id, carries it).
 * The plan numbers trials `index = point_index × repetitions + repetition`, so with the sweep's repetitions
 * it is recovered exactly — the same index the engine gives the point, which keeps `themis run --resume` and a
 * merge with the campaign's other shards correct. When the rows do not fit that (a foreign or edited dataset,
 * an unreadable sweep), points are ranked by their first trial index: stable, unique within the campaign,
 * and equal to the plan's index whenever every point has a trial.
 */
async function stagePointIndex(c: DuckDBConnection, trials: string, reps: string, alias: string): Promise<string> {
  const name = `${alias}_point_index`;
  await c.run(`CREATE TEMP TABLE ${name} AS
    WITH per_point AS (
      SELECT t.campaign_id, t.point_id, min(t.trial_index) AS first_trial,
        min(t.trial_index // r.reps) AS lo, max(t.trial_index // r.reps) AS hi,
        bool_and(t.trial_index % r.reps = t.repetition) AS reps_ok
      FROM ${trials} t LEFT JOIN ${reps} r ON r.campaign_id = t.campaign_id GROUP BY ALL),
    per_campaign AS (
      SELECT campaign_id, coalesce(bool_and(reps_ok AND lo = hi AND hi < 2147483647), false)
        AND count(DISTINCT lo) = count(*) AS exact
      FROM per_point GROUP BY ALL)
    SELECT p.campaign_id, p.point_id,
      CASE WHEN c.exact THEN p.lo ELSE dense_rank() OVER (PARTITION BY p.campaign_id ORDER BY p.first_trial, p.point_id) - 1 END::INTEGER
        AS point_index
    FROM per_point p JOIN per_campaign c ON c.campaign_id = p.campaign_id`);
  return name;
}

/** Fails with the first offending row of `sql` (which selects `what` and `n`), if any. */
async function expectNone(c: DuckDBConnection, sql: string, message: (row: Record<string, unknown>) => string): Promise<void> {
  const [row] = await rowsOf(c, `${sql} LIMIT 1`);
  if (row) throw new UsageError(message(row));
}

/** Checks that the folder's files agree with each other. */
async function checkConsistency(c: DuckDBConnection, dir: string, s: { campaigns: string; trials: string; detail: Record<string, string> }): Promise<void> {
  const trialsFile = datasetFile(dir, 'trials');
  await expectNone(
    c,
    `SELECT campaign_id, any_value(trial_id) AS trial_id, count(*) AS n FROM ${s.trials} t
     WHERE campaign_id NOT IN (SELECT campaign_id FROM ${s.campaigns}) GROUP BY campaign_id`,
    (r) => `${trialsFile}: trial ${String(r.trial_id)} (and ${Number(r.n) - 1} more) belongs to campaign ${String(r.campaign_id)}, ` +
      `expected in ${datasetFile(dir, 'campaigns')}; found no such campaign there`,
  );
  await expectNone(
    c,
    `SELECT trial_id, point_id, repetition FROM ${s.trials} WHERE trial_id <> point_id || '-r' || repetition::VARCHAR`,
    (r) => `${trialsFile}: trial_id ${String(r.trial_id)}: expected ${String(r.point_id)}-r${String(r.repetition)} (point_id-r<repetition>)`,
  );
  await expectNone(
    c,
    `SELECT campaign_id, point_id, count(DISTINCT params::VARCHAR) AS n FROM ${s.trials} GROUP BY ALL HAVING n > 1`,
    (r) => `${trialsFile}: point ${String(r.point_id)} of campaign ${String(r.campaign_id)}: expected one params per point; found ${String(r.n)}`,
  );
  for (const [table, relation] of Object.entries(s.detail)) {
    await expectNone(
      c,
      `SELECT d.campaign_id, d.trial_id FROM ${relation} d ANTI JOIN ${s.trials} t ON t.campaign_id = d.campaign_id AND t.trial_id = d.trial_id`,
      (r) => `${datasetFile(dir, table as DatasetTable)}: rows of trial ${String(r.trial_id)} (campaign ${String(r.campaign_id)}), ` +
        `expected in ${trialsFile}; found no such trial there`,
    );
  }
}

/** Unknown columns whose value changes between the trials of a point: they belong to the trial, not the point. */
async function perTrialColumns(c: DuckDBConnection, trials: string, unknown: readonly string[]): Promise<Set<string>> {
  if (unknown.length === 0) return new Set();
  const [row] = await rowsOf(
    c,
    `SELECT ${unknown.map((u, i) => `coalesce(max(n${i}), 0) AS n${i}`).join(', ')} FROM (
       SELECT ${unknown.map((u, i) => `count(DISTINCT ${sqlIdent(u)}) AS n${i}`).join(', ')} FROM ${trials} GROUP BY campaign_id, point_id)`,
  );
  return new Set(unknown.filter((_, i) => Number(row[`n${i}`]) > 1));
}

export async function stageDatasetFolder(
  c: DuckDBConnection,
  dir: string,
  alias: string,
  defaults: ReadonlyMap<string, ParameterDefault>,
): Promise<StagedInput> {
  const campaigns = await stageTable(c, dir, 'campaigns', alias);
  const detail = {
    rounds: await stageTable(c, dir, 'rounds', alias),
    probe_gaps: await stageTable(c, dir, 'probe_gaps', alias),
    events: await stageTable(c, dir, 'events', alias),
  };

  const file = datasetFile(dir, 'trials');
  const target = await trialsTarget(c);
  const fitted = conformColumns(file, target, await parquetColumns(c, file), defaults);
  const unknown = fitted.unknown.map((u) => u.name);
  const trials = `${alias}_trials`;
  const extra = unknown.map((u) => `, ${sqlIdent(u)}`).join('');
  await runOnFile(c, file, `CREATE TEMP TABLE ${trials} AS SELECT ${selectList(fitted.columns)}${extra} FROM ${parquetOf(file)}`);
  await checkRequiredValues(c, file, trials, target);
  await checkConsistency(c, dir, { campaigns, trials, detail });

  const perTrial = await perTrialColumns(c, trials, unknown);
  const pointIndex = await stagePointIndex(c, trials, await stageRepetitions(c, campaigns, alias), alias);
  const params = pointParamsSql('t.params', fitted.defaulted, defaults, unknown.filter((u) => !perTrial.has(u)).map(column('t')));
  const detailJson = addMissingKeysSql('t.detail', jsonObjectSql([...perTrial].map(column('t'))));
  const columnsOf = async (table: 'points' | 'trial_results', replace: Record<string, string>) =>
    withExprs((await catalogColumns(c, table)).map((col) => ({ name: col.name, expr: `t.${sqlIdent(col.name)}` })), replace);

  const staged: StagedInput = { campaigns, ...detail, points: `${alias}_points`, trial_results: `${alias}_trial_results`, trial_ids: `${alias}_trial_ids` };
  // A point's parameters are those of its first trial (checkConsistency made sure its trials agree on params).
  await c.run(`CREATE TEMP VIEW ${staged.points} AS
    SELECT ${selectList(await columnsOf('points', { point_index: 'i.point_index', params }))}
    FROM (SELECT DISTINCT ON (campaign_id, point_id) * FROM ${trials} ORDER BY campaign_id, point_id, trial_index) t
    JOIN ${pointIndex} i ON i.campaign_id = t.campaign_id AND i.point_id = t.point_id`);
  await c.run(`CREATE TEMP VIEW ${staged.trial_results} AS
    SELECT ${selectList(await columnsOf('trial_results', { point_index: 'i.point_index', detail: detailJson }))}
    FROM ${trials} t JOIN ${pointIndex} i ON i.campaign_id = t.campaign_id AND i.point_id = t.point_id`);
  await c.run(`CREATE TEMP VIEW ${staged.trial_ids} AS SELECT campaign_id, trial_id FROM ${trials}`);
  return staged;
}
