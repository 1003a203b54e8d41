/** `--shard auto`: the shard from a Slurm array task's or a Kubernetes Indexed Job's environment. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { buildPlan } from '../../core/plan/plan.js';
import { checkShardFitsPlan, shardFromEnvironment } from '../../core/plan/shard-env.js';
import { parseSweep } from '../../core/spec/load.js';

const slurm = (id: number, count: number, min = 0, max = min + count - 1) => ({
  SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: String(count), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_MAX: String(max),
});

function rejects(env: Record<string, string>, message: RegExp, count?: number): void {
  expect(() => shardFromEnvironment(env, count)).toThrow(UsageError);
  expect(() => shardFromEnvironment(env, count)).toThrow(message);
}

describe('shardFromEnvironment', () => {
  it('Slurm: index = task id − min, count = the array size, arrays starting at 0 or 1', () => {
    expect(shardFromEnvironment(slurm(3, 4))).toMatchObject({ index: 3, count: 4 });
    expect(shardFromEnvironment(slurm(1, 4, 1))).toMatchObject({ index: 0, count: 4 });
    expect(shardFromEnvironment(slurm(4, 4, 1))).toMatchObject({ index: 3, count: 4, source: 'Slurm array task 4 of 1-4' });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3' })).toMatchObject({ index: 2, count: 3 });
    expect(shardFromEnvironment(slurm(2, 3), 3)).toMatchObject({ index: 2, count: 3 });
  });

  it('Slurm: ids outside the array, gaps or steps, a count missing or disagreeing are errors naming the variable', () => {
    rejects({ ...slurm(0, 4), SLURM_ARRAY_TASK_ID: '4' }, /SLURM_ARRAY_TASK_ID: expected 0…3 .*found 4/);
    rejects(slurm(0, 2, 0, 3), /not one contiguous range.*MIN=0, MAX=3, COUNT=2/);
    rejects({ ...slurm(0, 2, 0, 1), SLURM_ARRAY_TASK_STEP: '2' }, /STEP=2/);
    rejects({ SLURM_ARRAY_TASK_ID: '1' }, /SLURM_ARRAY_TASK_COUNT is not/);
    rejects({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '2' }, /SLURM_ARRAY_TASK_ID: expected a whole number ≥ 0; found 'x'/);
    rejects({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '0' }, /SLURM_ARRAY_TASK_COUNT: expected a whole number ≥ 1; found '0'/);
    rejects(slurm(1, 4), /--shard-count: expected the Slurm array's size, SLURM_ARRAY_TASK_COUNT=4; found 8/, 8);
  });

  it('Kubernetes: JOB_COMPLETION_INDEX with the count from --shard-count or THEMIS_SHARD_COUNT', () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '2' }, 5)).toMatchObject({ index: 2, count: 5 });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '0', THEMIS_SHARD_COUNT: '3' })).toMatchObject({ index: 0, count: 3 });
    rejects({ JOB_COMPLETION_INDEX: '0' }, /expected --shard-count N or THEMIS_SHARD_COUNT.*found neither/);
    rejects({ JOB_COMPLETION_INDEX: '3', THEMIS_SHARD_COUNT: '3' }, /JOB_COMPLETION_INDEX: expected 0…2 \(3 shards\); found 3/);
    rejects({ JOB_COMPLETION_INDEX: '0', THEMIS_SHARD_COUNT: '3' }, /expected the same count as THEMIS_SHARD_COUNT=3; found 4/, 4);
  });

  it('neither or both schedulers: an error saying what was looked for', () => {
    rejects({}, /expected SLURM_ARRAY_TASK_ID .* or JOB_COMPLETION_INDEX .*found neither set/);
    rejects({ ...slurm(0, 2), JOB_COMPLETION_INDEX: '0' }, /found both/);
  });

  it('more shards than trials is an error before anything runs', () => {
    const plan = buildPlan(parseSweep('name: s\nseed: 1\nrepetitions: 3\nparameters: { mode: live }\n', 's.yaml'));
    expect(() => checkShardFitsPlan(plan, { index: 0, count: 3 }, 'x')).not.toThrow();
    expect(() => checkShardFitsPlan(plan, { index: 0, count: 4 }, 's.yaml: --shard 0/4')).toThrow(/s\.yaml: --shard 0\/4: expected at most 3 shards \(the plan has 3 trials\); found 4/);
  });
});
