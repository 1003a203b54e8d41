/**
 * deploy/k8s/ as far as this machine allows (no cluster here): the manifests parsed, validated against Kubernetes'
 * JSON schema for Job (kubernetes-models), their fields checked against a strict schema of the Job fields they use, and the index → shard mapping exercised by running each pod's own
 * command line from the manifest — with JOB_COMPLETION_INDEX set per index and the volumes as temp folders — then
 * the merge Job's command; the merged trials equal one unsharded run bit for bit.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job as K8sJob } from 'kubernetes-models/batch/v1/Job';
import { parse } from 'yaml';
import { campaignHashes } from '../support/campaign-hash.js';
import { THEMIS } from '../support/cli.js';
import { comparedColumns } from '../support/compared-columns.js';
import { jobSchema, type Job } from './k8s-job-schema.js';

const load = (file: string): Job => jobSchema.parse(parse(readFileSync(resolve('deploy/k8s', file), 'utf8')));
const SWEEP = resolve('test/fixtures/deploy/array-sweep.yaml');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'themis-k8s-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The container's command as a local process: `themis` is the built CLI, each mount path a temp folder. */
function runContainer(job: Job, mounts: Record<string, string>, extraEnv: Record<string, string>) {
  const c = job.spec.template.spec.containers[0];
  const local = (s: string) => Object.entries(mounts).reduce((t, [from, to]) => t.replaceAll(from, to), s).replace(/(^|[\s&;])themis /g, `$1${process.execPath} ${THEMIS} `);
  const argv = c.command.map(local);
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, local(e.value)]));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLURM_|JOB_COMPLETION_INDEX|THEMIS_SHARD_COUNT)/.test(k)));
  const [cmd, ...args] = argv[0] === 'themis' ? [process.execPath, THEMIS, ...argv.slice(1)] : argv;
  const r = spawnSync(cmd, args, { cwd: dir, env: { ...clean, ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('deploy/k8s', () => {
  it("both manifests validate against Kubernetes' own JSON schema for batch/v1 Job (kubernetes-models)", () => {
    for (const file of ['themis-indexed-job.yaml', 'themis-merge-job.yaml']) {
      expect(() => new K8sJob(parse(readFileSync(resolve('deploy/k8s', file), 'utf8')) as object).validate(), file).not.toThrow();
    }
    // and the validator is real: a wrong type is refused
    const wrong = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: { completionMode: 7, template: { spec: { containers: [{ name: 'a' }] } } } };
    expect(() => new K8sJob(wrong as object).validate()).toThrow(/completionMode/);
  });


  it('the Indexed Job and the merge Job use only known Job fields, consistently', () => {
    const shards = load('themis-indexed-job.yaml');
    const merge = load('themis-merge-job.yaml');
    expect(shards.spec.completionMode).toBe('Indexed');
    const c = shards.spec.template.spec.containers[0];
    expect(c.command).toEqual(expect.arrayContaining(['run', '--shard', 'auto', '--dataset-root']));
    // the pod is told the completion count: it must be the Job's
    expect(c.env?.find((e) => e.name === 'THEMIS_SHARD_COUNT')?.value).toBe(String(shards.spec.completions));
    for (const job of [shards, merge]) {
      const volumes = new Set((job.spec.template.spec.volumes ?? []).map((v) => v.name));
      for (const m of job.spec.template.spec.containers.flatMap((x) => x.volumeMounts ?? [])) expect(volumes, m.name).toContain(m.name);
    }
    // both Jobs see the same output volume
    const claim = (job: Job) => job.spec.template.spec.volumes?.flatMap((v) => ('persistentVolumeClaim' in v ? [v.persistentVolumeClaim.claimName] : []));
    expect(claim(merge)).toEqual(claim(shards));
    expect(() => jobSchema.parse({ ...shards, spec: { ...shards.spec, completionmode: 'Indexed' } })).toThrow(/completionmode/);
  });

  it("each index's own command line runs its shard; the merge Job's command merges them into one run bit for bit", async () => {
    const shards = load('themis-indexed-job.yaml');
    const sweeps = join(dir, 'sweeps');
    const data = join(dir, 'data');
    mkdirSync(sweeps);
    mkdirSync(data);
    copyFileSync(SWEEP, join(sweeps, 'sweep.yaml'));
    const mounts = { '/sweeps': sweeps, '/data': data, '/scratch': tmpdir() };
    for (let index = 0; index < shards.spec.completions; index++) {
      const r = runContainer(shards, mounts, { JOB_COMPLETION_INDEX: String(index) });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`dataset: ${join(data, 'root', `shard=000${index}`)}`);
    }
    expect(readdirSync(join(data, 'root')).sort()).toEqual(['shard=0000', 'shard=0001', 'shard=0002', 'shard=0003']);
    // an index past the count (a Job edited without THEMIS_SHARD_COUNT): exit 2, not an empty shard
    const past = runContainer(shards, mounts, { JOB_COMPLETION_INDEX: '4' });
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/JOB_COMPLETION_INDEX: expected 0…3 \(4 shards\); found 4/);

    const merge = runContainer(load('themis-merge-job.yaml'), mounts, {});
    expect(merge.code, merge.stderr).toBe(0);
    expect(readdirSync(data).sort()).toEqual(['root', 'root.duckdb', 'root.html']);
    const one = join(dir, 'one.duckdb');
    const run = spawnSync(process.execPath, [THEMIS, 'run', SWEEP, '--db', one, '--no-report'], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const columns = await comparedColumns(one);
    expect(await campaignHashes(join(data, 'root.duckdb'), columns)).toEqual(await campaignHashes(one, columns));
  });
});
