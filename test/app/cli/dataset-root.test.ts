/**
 * `themis run --shard auto --dataset-root ROOT`: shards published as ROOT/shard=NNNN/ (a retry replaces its own
 * folder), queried in place with one read_parquet, merged and reported from the root; bad input exits 2 and
 * writes nothing. The real CLI (bin/themis.js, built) and DuckDB; the scheduler's variables are set by hand here
 * (test/deploy/slurm.test.ts runs the same under a real Slurm).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignHashes } from '../../support/campaign-hash.js';
import { THEMIS } from '../../support/cli.js';
import { comparedColumns } from '../../support/compared-columns.js';

const SWEEP = resolve('test/fixtures/deploy/array-sweep.yaml');

function themis(env: Record<string, string>, ...args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLURM_|JOB_COMPLETION_INDEX|THEMIS_SHARD_COUNT)/.test(k)));
  const r = spawnSync(process.execPath, [THEMIS, ...args], { cwd: dir, env: { ...clean, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const task = (id: number) => ({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3' });

async function inPlace(root: string): Promise<Record<string, unknown>> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    return (await con.runAndReadAll(
      `SELECT count(*)::INTEGER AS trials, count(DISTINCT shard)::INTEGER AS shards, count(DISTINCT trial_id)::INTEGER AS ids
       FROM read_parquet('${root}/*/trials.parquet', hive_partitioning = true)`,
    )).getRowObjectsJS()[0];
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

let dir: string;
let root: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'themis-dataset-root-'));
  root = join(dir, 'root');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a partitioned dataset root', () => {
  it('holds one shard=NNNN folder per task; a retried task replaces its own; merge and report read the root', async () => {
    for (const id of [1, 2, 3]) {
      const r = themis(task(id), 'run', SWEEP, '--shard', 'auto', '--dataset-root', root);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`dataset: ${join(root, `shard=000${id - 1}`)}`);
    }
    expect(themis(task(2), 'run', SWEEP, '--shard', 'auto', '--dataset-root', root).code).toBe(0);
    expect(readdirSync(root).sort()).toEqual(['shard=0000', 'shard=0001', 'shard=0002']);
    expect(await inPlace(root)).toEqual({ trials: 300, shards: 3, ids: 300 });
    expect(existsSync(join(dir, 'results'))).toBe(false); // scratch databases only, no per-shard report

    const merged = join(dir, 'merged.duckdb');
    const merge = themis({}, 'merge', merged, root);
    expect(merge.stdout, merge.stderr).toBe(`${merged}: 1 campaigns, 300 trials\n`);
    const one = join(dir, 'one.duckdb');
    expect(themis({}, 'run', SWEEP, '--db', one, '--no-report').code).toBe(0);
    const columns = await comparedColumns(one);
    expect(await campaignHashes(merged, columns)).toEqual(await campaignHashes(one, columns));

    const report = themis({}, 'report', `${root}/`);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toBe(`${root}.html\n`);
  });

  it('refuses a root with a shard missing or misplaced, and writes nothing', () => {
    const out = join(dir, 'partial.duckdb');
    renameSync(join(root, 'shard=0001'), join(dir, 'aside'));
    const r = themis({}, 'merge', out, root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected all 3 shards; missing shard=0001/);
    renameSync(join(dir, 'aside'), join(root, 'shard=0005'));
    expect(themis({}, 'merge', out, root).stderr).toMatch(/shard=0005\/campaigns\.parquet: expected the campaign rows of shard 5 .*found shard '1\/3'/);
    expect(existsSync(out)).toBe(false);
    renameSync(join(root, 'shard=0005'), join(root, 'shard=0001'));
  });

  it('bad scheduler variables or options: exit 2, a message naming them, nothing written', () => {
    const fresh = join(dir, 'fresh-root');
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{}, ['--shard', 'auto', '--dataset-root', fresh], /expected SLURM_ARRAY_TASK_ID .*found neither set/],
      [{ ...task(1), SLURM_ARRAY_TASK_ID: '0' }, ['--shard', 'auto', '--dataset-root', fresh], /SLURM_ARRAY_TASK_ID: expected 1…3 .*found 0/],
      [{ JOB_COMPLETION_INDEX: '1' }, ['--shard', 'auto', '--shard-count', '301', '--dataset-root', fresh], /expected at most 300 shards .*found 301/],
      [{ JOB_COMPLETION_INDEX: '1' }, ['--shard', 'auto', '--dataset-root', fresh], /--shard-count N or THEMIS_SHARD_COUNT/],
      [{}, ['--dataset-root', fresh], /--dataset-root: expected --shard auto or --shard i\/N/],
      [{}, ['--shard', '0/2', '--shard-count', '2'], /--shard-count: only with --shard auto/],
      [{}, ['--shard', 'some'], /expected i\/N \(e\.g\. 0\/4\) or auto; found 'some'/],
    ];
    for (const [env, args, message] of cases) {
      const r = themis(env, 'run', SWEEP, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(fresh)).toBe(false);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });
});
