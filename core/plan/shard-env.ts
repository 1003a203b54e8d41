/**
 * `--shard auto`: the shard a scheduler's array task runs, read from its environment. Slurm job arrays set
 * SLURM_ARRAY_TASK_ID / _COUNT / _MIN / _MAX (an array may start at 1: the shard is ID − MIN); Kubernetes
 * Indexed Jobs set JOB_COMPLETION_INDEX, whose completion count Themis takes from `--shard-count` or
 * THEMIS_SHARD_COUNT (Kubernetes does not expose it to the pod). Every disagreement is a UsageError naming
 * the variable, what was expected and what was found. Pure: the environment is an argument.
 */
import { UsageError } from '../errors.js';
import type { Plan, Shard } from './plan.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Where an automatic shard came from, for messages and the campaign row. */
export interface ResolvedShard extends Shard {
  readonly source: string;
}

function wholeNumber(env: Environment, name: string, min: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--shard auto: ${name}: expected a whole number ≥ ${min}; found '${text}'`);
  }
  return n;
}

function fromSlurm(env: Environment, countOption: number | undefined): ResolvedShard {
  const id = wholeNumber(env, 'SLURM_ARRAY_TASK_ID', 0)!;
  const count = wholeNumber(env, 'SLURM_ARRAY_TASK_COUNT', 1);
  if (count === undefined) {
    throw new UsageError('--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: expected both (a Slurm job array task); found only the id');
  }
  const min = wholeNumber(env, 'SLURM_ARRAY_TASK_MIN', 0) ?? 0;
  const max = wholeNumber(env, 'SLURM_ARRAY_TASK_MAX', 0);
  const step = wholeNumber(env, 'SLURM_ARRAY_TASK_STEP', 1) ?? 1;
  if (max !== undefined && (step !== 1 || max - min + 1 !== count)) {
    throw new UsageError(
      `--shard auto: the Slurm array is not one contiguous range: expected SLURM_ARRAY_TASK_MAX − SLURM_ARRAY_TASK_MIN + 1 = ` +
        `SLURM_ARRAY_TASK_COUNT (e.g. --array=0-${count - 1}); found MIN=${min}, MAX=${max}, COUNT=${count}` + (step !== 1 ? `, STEP=${step}` : ''),
    );
  }
  const index = id - min;
  if (id < min || index >= count) {
    throw new UsageError(
      `--shard auto: SLURM_ARRAY_TASK_ID: expected ${min}…${min + count - 1} (SLURM_ARRAY_TASK_MIN=${min}, SLURM_ARRAY_TASK_COUNT=${count}); found ${id}`,
    );
  }
  if (countOption !== undefined && countOption !== count) {
    throw new UsageError(`--shard-count: expected the Slurm array's size, SLURM_ARRAY_TASK_COUNT=${count}; found ${countOption}`);
  }
  return { index, count, source: `Slurm array task ${id} of ${min}-${min + count - 1}` };
}

function fromKubernetes(env: Environment, countOption: number | undefined): ResolvedShard {
  const index = wholeNumber(env, 'JOB_COMPLETION_INDEX', 0)!;
  const fromEnv = wholeNumber(env, 'THEMIS_SHARD_COUNT', 1);
  if (countOption !== undefined && fromEnv !== undefined && countOption !== fromEnv) {
    throw new UsageError(`--shard-count: expected the same count as THEMIS_SHARD_COUNT=${fromEnv}; found ${countOption}`);
  }
  const count = countOption ?? fromEnv;
  if (count === undefined) {
    throw new UsageError(
      '--shard auto: JOB_COMPLETION_INDEX is set but not the number of shards: expected --shard-count N or THEMIS_SHARD_COUNT ' +
        "(the Job's spec.completions); found neither",
    );
  }
  if (index >= count) {
    throw new UsageError(`--shard auto: JOB_COMPLETION_INDEX: expected 0…${count - 1} (${count} shards); found ${index}`);
  }
  return { index, count, source: `Kubernetes completion index ${index} of ${count}` };
}

/** The shard of this array task; `countOption` is `--shard-count`. */
export function shardFromEnvironment(env: Environment, countOption?: number): ResolvedShard {
  const slurm = env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_ID !== '';
  const k8s = env.JOB_COMPLETION_INDEX !== undefined && env.JOB_COMPLETION_INDEX !== '';
  if (slurm && k8s) {
    throw new UsageError(
      `--shard auto: expected one scheduler's variables; found both SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID} and ` +
        `JOB_COMPLETION_INDEX=${env.JOB_COMPLETION_INDEX} (use --shard i/N to choose)`,
    );
  }
  if (slurm) return fromSlurm(env, countOption);
  if (k8s) return fromKubernetes(env, countOption);
  throw new UsageError(
    '--shard auto: expected SLURM_ARRAY_TASK_ID (a Slurm job array task, sbatch --array) or JOB_COMPLETION_INDEX ' +
      '(a Kubernetes Indexed Job); found neither set (use --shard i/N outside a scheduler)',
  );
}

/** A shard the plan cannot give trials to (more shards than trials) is an error, not an empty file. */
export function checkShardFitsPlan(plan: Plan, shard: Shard, source: string): void {
  if (shard.count > plan.size) {
    throw new UsageError(
      `${source}: expected at most ${plan.size} shards (the plan has ${plan.size} trials); found ${shard.count} shards: ` +
        `some would run nothing`,
    );
  }
}
