/**
 * The store's merge, behind `themis merge` and calibrate's loading of dataset folders: unions databases
 * (typically the shards of one campaign), published dataset folders (datasets/README.md) and dataset roots
 * (`<root>/shard=N/`, dataset-root.ts: all N shards must be there) into one database.
 * Shards share their campaign id; their campaign rows become one row covering all shards, and their trials,
 * which are disjoint slices of the same plan, are copied as they are.
 * A trial id present twice is an error, not a silent pick. Everything is written in one transaction, and an
 * output file that did not exist before is removed again when the merge fails: nothing is ever half merged.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parameterDefaults } from './import-columns.js';
import { stageDatasetFolder } from './dataset-import.js';
import { checkRootComplete } from './dataset-root.js';
import { classifyMergeInput, isDuckDbFile } from './merge-input.js';
import { stageDatabase, type StagedInput } from './merge-sources.js';
import { Store } from './store.js';
import { upgradeCampaigns } from './migrate.js';
import { UsageError } from '../errors.js';

const DETAIL_TABLES = ['trial_results', 'rounds', 'probe_gaps', 'events'] as const;

export async function mergeDatabases(outPath: string, inputs: readonly string[]): Promise<{ campaigns: number; trials: number }> {
  // Everything that can be decided without DuckDB is decided before the output is touched.
  const classified = inputs.map(classifyMergeInput);
  const same = inputs.find((i) => resolve(i) === resolve(outPath));
  if (same !== undefined) throw new UsageError(`${same}: expected the output to be another file than the inputs; found it among them`);
  if (existsSync(outPath) && (statSync(outPath).isDirectory() || !isDuckDbFile(outPath))) {
    throw new UsageError(`${outPath}: expected a DuckDB database file to merge into; found something else`);
  }
  // The output, its log and DuckDB's spill directory: those absent now are removed again if the merge fails.
  const absent = [outPath, `${outPath}.wal`, `${outPath}.tmp`].filter((f) => !existsSync(f));
  let store: Store | undefined;
  let merged = false;
  try {
    store = await Store.open(outPath);
    const counts = await mergeInto(store, classified);
    merged = true;
    return counts;
  } finally {
    store?.close();
    if (!merged) for (const f of absent) rmSync(f, { force: true, recursive: true });
  }
}

async function mergeInto(store: Store, inputs: readonly ReturnType<typeof classifyMergeInput>[]): Promise<{ campaigns: number; trials: number }> {
  const c = store.connection;
  const defaults = parameterDefaults();
  await c.run('BEGIN TRANSACTION');
  try {
    const staged: StagedInput[] = [];
    for (const input of inputs) if (input.kind === 'root') await checkRootComplete(c, input.path);
    const sources = inputs.flatMap((i) => (i.kind === 'root' ? i.shards.map((path) => ({ kind: 'dataset' as const, path })) : [i]));
    for (const [i, input] of sources.entries()) {
      staged.push(input.kind === 'duckdb' ? await stageDatabase(c, input.path, `src${i}`, defaults) : await stageDatasetFolder(c, input.path, `imp${i}`, defaults));
    }
    const union = (table: keyof StagedInput) => staged.map((s) => `SELECT * FROM ${s[table]}`).join(' UNION ALL ');
    await checkNoDuplicateTrial(store, staged, sources.map((i) => i.path));
    await c.run(`CREATE TEMP TABLE merged_campaigns AS
      SELECT campaign_id, any_value(name) AS name, any_value(spec_yaml) AS spec_yaml, any_value(spec_sha256) AS spec_sha256,
        any_value(spec_path) AS spec_path, any_value(backend) AS backend, any_value(themis_version) AS themis_version,
        string_agg(DISTINCT host, ',') AS host,
        CASE WHEN count(*) = 1 THEN any_value(shard) ELSE string_agg(shard, ',' ORDER BY shard) END AS shard,
        sum(planned_trials) AS planned_trials, min(started_at) AS started_at,
        CASE WHEN bool_and(status = 'finished') THEN max(finished_at) END AS finished_at,
        CASE WHEN bool_and(status = 'finished') THEN 'finished' ELSE 'interrupted' END AS status,
        min(coalesce(schema_version, 2)) AS schema_version, max(coalesce(schema_version, 2)) AS newest_schema_version
      FROM (${union('campaigns')} UNION ALL SELECT * FROM campaigns) GROUP BY campaign_id`);
    await checkOneLayoutPerCampaign(store);
    await c.run('ALTER TABLE merged_campaigns DROP COLUMN newest_schema_version');
    await c.run(`DELETE FROM campaigns WHERE campaign_id IN (SELECT campaign_id FROM merged_campaigns)`);
    await c.run(`INSERT INTO campaigns BY NAME SELECT * FROM merged_campaigns`);
    await checkPointsAgree(store, union('points'));
    // Shards store the same points; keep one copy of each.
    await c.run(`INSERT INTO points BY NAME SELECT DISTINCT ON (campaign_id, point_index) * FROM (${union('points')})
      WHERE (campaign_id, point_index) NOT IN (SELECT (campaign_id, point_index) FROM points)`);
    for (const table of DETAIL_TABLES) await c.run(`INSERT INTO ${table} BY NAME ${union(table)}`);
    // inputs written by an older Themis (a dataset folder, an old database) follow the current layout from here on
    await upgradeCampaigns(c);
    await c.run('COMMIT');
  } catch (err) {
    await c.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
  const counts = await c.runAndReadAll(`SELECT (SELECT count(*) FROM campaigns) AS c, (SELECT count(*) FROM trials) AS t`);
  const row = counts.getRowObjects()[0];
  return { campaigns: Number(row.c), trials: Number(row.t) };
}

/** A trial in two inputs, twice in one, or already in the output: named with where it was found. */
/** Rows of one campaign follow one layout: shards written by Themis versions with different layouts cannot be told apart once merged. */
async function checkOneLayoutPerCampaign(store: Store): Promise<void> {
  const mixed = (await store.connection.runAndReadAll(
    `SELECT campaign_id, schema_version, newest_schema_version FROM merged_campaigns WHERE schema_version <> newest_schema_version LIMIT 1`,
  )).getRowObjectsJS()[0];
  if (mixed === undefined) return;
  throw new UsageError(
    `campaign ${String(mixed.campaign_id)}: its inputs were written with schema versions ${String(mixed.schema_version)} and ` +
      `${String(mixed.newest_schema_version)}; merge the older ones on their own first (themis merge converts them), then merge the results`,
  );
}

async function checkNoDuplicateTrial(store: Store, staged: readonly StagedInput[], paths: readonly string[]): Promise<void> {
  const ids = [...staged.map((s, i) => `SELECT campaign_id, trial_id, ${i} AS input FROM ${s.trial_ids}`), 'SELECT campaign_id, trial_id, -1 FROM trials'];
  const r = await store.connection.runAndReadAll(
    `SELECT campaign_id, trial_id, list(input ORDER BY input) AS inputs FROM (${ids.join(' UNION ALL ')})
     GROUP BY ALL HAVING count(*) > 1 LIMIT 1`,
  );
  const d = r.getRowObjectsJS()[0];
  if (!d) return;
  const where = (d.inputs as number[]).map((i) => (i < 0 ? `${store.path} (the output)` : paths[i]));
  throw new UsageError(`trial ${String(d.trial_id)} of campaign ${String(d.campaign_id)} is in more than one input: ${where.join(', ')}`);
}

/**
 * Inputs of one campaign must agree on which point an index means (trials join points by it): a point
 * index naming two points, or a point under two indices, would silently re-label trials.
 */
async function checkPointsAgree(store: Store, inputPoints: string): Promise<void> {
  const pairs = `SELECT DISTINCT campaign_id, point_index, point_id FROM (${inputPoints} UNION ALL SELECT * FROM points)`;
  for (const [key, other] of [['point_index', 'point_id'], ['point_id', 'point_index']] as const) {
    const r = await store.connection.runAndReadAll(
      `SELECT campaign_id, ${key} AS k, min(${other}) AS a, max(${other}) AS b FROM (${pairs}) GROUP BY ALL HAVING count(*) > 1 LIMIT 1`,
    );
    const row = r.getRowObjectsJS()[0];
    if (row) {
      throw new UsageError(
        `campaign ${String(row.campaign_id)}: the inputs disagree on ${key} ${String(row.k)} (${other} ${String(row.a)} vs ${String(row.b)})`,
      );
    }
  }
}
