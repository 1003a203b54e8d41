/**
 * A campaign as a real Slurm job array: Debian's slurmctld, slurmd and munged on this machine
 * (deploy/slurm/local-cluster.sh via test/support/slurm.ts), deploy/slurm/submit.sh submitting
 * themis-array.sbatch (4 tasks, --shard auto) and themis-merge.sbatch after it (afterok), and the merged
 * database compared with one unsharded run bit for bit. Needs root; in CI (CI=true) a missing component is
 * an error, never a skip.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignHashes } from '../support/campaign-hash.js';
import { comparedColumns } from '../support/compared-columns.js';
import { THEMIS, themisCli } from '../support/cli.js';
import { slurmMissing, startSlurm, waitForJob, type SlurmCluster } from '../support/slurm.js';

const SWEEP = resolve('test/fixtures/deploy/array-sweep.yaml');
const SUBMIT = resolve('deploy/slurm/submit.sh');
const missing = slurmMissing();
if (missing !== null && process.env.CI === 'true') throw new Error(`the Slurm test needs a real Slurm in CI: ${missing}`);

async function queryRoot(root: string): Promise<{ trials: number; shards: number[] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    const r = (await con.runAndReadAll(
      `SELECT count(*)::INTEGER AS n, list(DISTINCT shard ORDER BY shard) AS shards FROM read_parquet('${root}/*/trials.parquet', hive_partitioning = true)`,
    )).getRowObjectsJS()[0];
    return { trials: Number(r.n), shards: (r.shards as bigint[]).map(Number) };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

describe.skipIf(missing !== null)(`a campaign as a Slurm job array${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let cluster: SlurmCluster;
  beforeAll(async () => {
    cluster = await startSlurm();
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('runs 4 shards with --shard auto, merges them after the array, and equals one unsharded run bit for bit', async () => {
    const work = join(cluster.dir, 'work');
    mkdirSync(work);
    const root = join(work, 'root');
    const env = { ...cluster.env, THEMIS: `${process.execPath} ${THEMIS}` };
    const submitted = cluster.client('bash', ['-c', `THEMIS='${env.THEMIS}' ${SUBMIT} ${SWEEP} 4 ${root}`], work);
    expect(submitted.code, submitted.stderr).toBe(0);
    const [arrayId, mergeId] = submitted.stdout.trim().split(/\s+/);
    expect(mergeId).toMatch(/^\d+$/);

    const outputs = () => readdirSync(work).filter((f) => f.endsWith('.out')).map((f) => `== ${f}\n${readFileSync(join(work, f), 'utf8')}`).join('\n');
    const arrayStates = await waitForJob(cluster, arrayId, 120_000);
    expect(arrayStates, outputs() + cluster.logs()).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(await waitForJob(cluster, mergeId, 120_000), outputs()).toEqual(['COMPLETED']);

    // the partitioned root: one hive partition per task, queryable in place
    expect(readdirSync(root).sort()).toEqual(['shard=0000', 'shard=0001', 'shard=0002', 'shard=0003']);
    expect(await queryRoot(root)).toEqual({ trials: 300, shards: [0, 1, 2, 3] });
    expect(existsSync(`${root}.html`)).toBe(true);

    const one = join(cluster.dir, 'one.duckdb');
    const run = themisCli(work, 'run', SWEEP, '--db', one, '--no-report');
    expect(run.code, run.stderr).toBe(0);
    const columns = await comparedColumns(one);
    expect(columns.trials).toContain('wall_ms');
    const merged = await campaignHashes(`${root}.duckdb`, columns);
    expect(merged).toEqual(await campaignHashes(one, columns));
    expect(Number(merged.trials.split(':')[0])).toBe(300);
    const campaign = themisCli(work, 'sql', `${root}.duckdb`, 'SELECT shard, planned_trials, status FROM campaigns', '--format', 'csv');
    expect(campaign.stdout.trim().split('\n')[1]).toBe('"0/4,1/4,2/4,3/4",300,finished');
  }, 300_000);
});
