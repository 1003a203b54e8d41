/**
 * `themis merge`: unions databases (typically the shards of one campaign) into one. Shards share their
 * campaign id; their campaign rows become one row covering all shards, and their trials, which are disjoint
 * slices of the same plan, are copied as they are. A trial id present twice is an error, not a silent pick.
 */
import { existsSync } from 'node:fs';
import { Store } from '../store/store.js';
import { UsageError } from './exit.js';

const DETAIL_TABLES = ['trial_results', 'rounds', 'probe_gaps', 'events'] as const;

export async function mergeDatabases(outPath: string, inputs: readonly string[]): Promise<{ campaigns: number; trials: number }> {
  for (const path of inputs) if (!existsSync(path)) throw new UsageError(`${path}: no such database file`);
  const store = await Store.open(outPath);
  const c = store.connection;
  try {
    await c.run('BEGIN TRANSACTION');
    try {
      for (const [i, path] of inputs.entries()) {
        await c.run(`ATTACH '${path.replaceAll("'", "''")}' AS src${i} (READ_ONLY)`);
      }
      const sources = inputs.map((_, i) => `src${i}`);
      const union = (table: string) => sources.map((s) => `SELECT * FROM ${s}.${table}`).join(' UNION ALL ');
      const dup = await c.runAndReadAll(
        `SELECT campaign_id, trial_id, count(*) AS n FROM (${union('trials')} UNION ALL SELECT * FROM trials)
         GROUP BY ALL HAVING n > 1 LIMIT 1`,
      );
      const d = dup.getRowObjects()[0];
      if (d) throw new UsageError(`trial ${String(d.trial_id)} of campaign ${String(d.campaign_id)} is in more than one input`);
      await c.run(`CREATE TEMP TABLE merged_campaigns AS
        SELECT campaign_id, any_value(name) AS name, any_value(spec_yaml) AS spec_yaml, any_value(spec_sha256) AS spec_sha256,
          any_value(spec_path) AS spec_path, any_value(backend) AS backend, any_value(themis_version) AS themis_version,
          string_agg(DISTINCT host, ',') AS host,
          CASE WHEN count(*) = 1 THEN any_value(shard) ELSE string_agg(shard, ',' ORDER BY shard) END AS shard,
          sum(planned_trials) AS planned_trials, min(started_at) AS started_at,
          CASE WHEN bool_and(status = 'finished') THEN max(finished_at) END AS finished_at,
          CASE WHEN bool_and(status = 'finished') THEN 'finished' ELSE 'interrupted' END AS status
        FROM (${union('campaigns')} UNION ALL SELECT * FROM campaigns) GROUP BY campaign_id`);
      await c.run(`DELETE FROM campaigns WHERE campaign_id IN (SELECT campaign_id FROM merged_campaigns)`);
      await c.run(`INSERT INTO campaigns SELECT * FROM merged_campaigns`);
      // Shards store the same points; keep one copy of each.
      await c.run(`INSERT INTO points SELECT DISTINCT ON (campaign_id, point_index) * FROM (${union('points')})
        WHERE (campaign_id, point_index) NOT IN (SELECT (campaign_id, point_index) FROM points)`);
      for (const table of DETAIL_TABLES) await c.run(`INSERT INTO ${table} ${union(table)}`);
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    const counts = await c.runAndReadAll(`SELECT (SELECT count(*) FROM campaigns) AS c, (SELECT count(*) FROM trials) AS t`);
    const row = counts.getRowObjects()[0];
    return { campaigns: Number(row.c), trials: Number(row.t) };
  } finally {
    store.close();
  }
}
