/**
 * The size of a plan, computed arithmetically from the sweep before anything is built: an upper bound on its
 * points (duplicates are merged only when the plan is built) and its trials, with the factors that multiply.
 * A plan above the limits is refused as bad input (core/spec/load.ts), so `check`, `run` and the workbench
 * never start building a 10⁹-point grid. The limits are generous and set by environment variables:
 * THEMIS_MAX_TRIALS (default 1e8: a day of simulator time on many cores, ~10 GB of DuckDB) and
 * THEMIS_MAX_POINTS (default 1e6: points are materialised with their ~50 parameters, ~0.5 GB at 1e6).
 */
import { UsageError } from '../errors.js';
import type { Axis, SweepSpec } from '../spec/sweep.js';

export interface PlanLimits {
  maxTrials: number;
  maxPoints: number;
}

export const DEFAULT_PLAN_LIMITS: PlanLimits = { maxTrials: 1e8, maxPoints: 1e6 };

function limitFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 1) throw new UsageError(`${name}: expected a number ≥ 1; found '${text}'`);
  return Math.floor(n);
}

export function planLimits(env: NodeJS.ProcessEnv = process.env): PlanLimits {
  return {
    maxTrials: limitFrom(env, 'THEMIS_MAX_TRIALS', DEFAULT_PLAN_LIMITS.maxTrials),
    maxPoints: limitFrom(env, 'THEMIS_MAX_POINTS', DEFAULT_PLAN_LIMITS.maxPoints),
  };
}

/** One factor of the product: what it is and how many values it contributes. */
export interface SizeFactor {
  label: string;
  n: number;
}

function axisFactors(axis: Axis): SizeFactor[] {
  if ('grid' in axis) return Object.entries(axis.grid).map(([name, v], i) => ({ label: `${i === 0 ? 'grid ' : ''}${name}`, n: v.length }));
  if ('zip' in axis) {
    const entries = Object.entries(axis.zip);
    return [{ label: `zip(${entries.map(([name]) => name).join(', ')})`, n: entries.length === 0 ? 0 : entries[0][1].length }];
  }
  if ('list' in axis) return [{ label: 'list', n: axis.list.length }];
  return [{ label: 'random count', n: axis.random.count }];
}

export interface PlanSizeBound {
  /** at most this many points (the product of the axes) */
  points: number;
  trials: number;
  pointFactors: SizeFactor[];
}

export function planSizeBound(sweep: SweepSpec): PlanSizeBound {
  const pointFactors = sweep.axes.flatMap(axisFactors);
  const points = pointFactors.reduce((p, f) => p * f.n, 1);
  return { points, trials: points * sweep.repetitions, pointFactors };
}

/** 1234 as is; 123456789 as 1.23e+8. */
export function formatCount(n: number): string {
  return n < 1e6 ? String(n) : Number(n.toPrecision(3)).toExponential();
}

function product(factors: readonly SizeFactor[], total: number, unit: string): string {
  return `${factors.map((f) => `${f.label} ${f.n}`).join(' × ')} = ${formatCount(total)} ${unit}`;
}

/** Why the plan is too big ("expected … found …"), or null when it fits. */
export function planSizeProblem(sweep: SweepSpec, limits: PlanLimits = planLimits()): string | null {
  const { points, trials, pointFactors } = planSizeBound(sweep);
  if (points > limits.maxPoints) {
    return `expected at most ${formatCount(limits.maxPoints)} points (THEMIS_MAX_POINTS); found ${product(pointFactors, points, 'points')}`;
  }
  if (trials > limits.maxTrials) {
    const factors = [...pointFactors, { label: 'repetitions', n: sweep.repetitions }];
    return `expected at most ${formatCount(limits.maxTrials)} trials (THEMIS_MAX_TRIALS); found ${product(factors, trials, 'trials')}`;
  }
  return null;
}
