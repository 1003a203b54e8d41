/**
 * Expands a validated sweep into an ordered plan. Trials are never materialised all at once: trial `index`
 * is repetition `index % repetitions` of point `floor(index / repetitions)`, so a million-trial plan costs
 * only its points. Ids and seeds depend on the values the sweep sets, not on Themis's defaults.
 */
import type { z } from 'zod';
import type { Trial } from '../backend.js';
import { trialParametersSchema, type TrialParameters } from '../spec/parameters.js';
import type { Axis, SweepSpec } from '../spec/sweep.js';
import { Random } from '../random.js';
import { hash32, trialSeed } from './seed.js';

export type ParameterValues = Record<string, string | number | boolean>;

export interface Point {
  readonly point_id: string;
  /** Values the sweep sets for this point (fixed parameters and axis values). */
  readonly values: ParameterValues;
  readonly params: TrialParameters;
}

export interface Plan {
  readonly campaignSeed: number;
  readonly repetitions: number;
  readonly points: readonly Point[];
  /** Number of trials: points × repetitions. */
  readonly size: number;
}

/** Values of each axis as a list of partial points. */
export function axisPoints(axis: Axis): ParameterValues[] {
  if ('grid' in axis) {
    let out: ParameterValues[] = [{}];
    for (const [name, values] of Object.entries(axis.grid)) {
      out = out.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
    }
    return out;
  }
  if ('zip' in axis) {
    const entries = Object.entries(axis.zip);
    const length = entries.length === 0 ? 0 : entries[0][1].length;
    return Array.from({ length }, (_, i) => Object.fromEntries(entries.map(([name, values]) => [name, values[i]])));
  }
  if ('list' in axis) return axis.list.map((p) => ({ ...p }));
  const rng = new Random(axis.random.seed);
  const ranges = Object.entries(axis.random.ranges);
  return Array.from({ length: axis.random.count }, () => {
    const p: ParameterValues = {};
    for (const [name, range] of ranges) {
      if ('choice' in range) {
        p[name] = range.choice[Math.floor(rng.next() * range.choice.length)];
        continue;
      }
      const u = rng.next();
      let v =
        range.scale === 'log'
          ? Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min)))
          : range.min + u * (range.max - range.min);
      if (range.integer) v = Math.round(v);
      p[name] = v;
    }
    return p;
  });
}

/** Canonical text of a point's values: keys sorted, so ids do not depend on key order. */
export function canonicalValues(values: ParameterValues): string {
  return JSON.stringify(Object.keys(values).sort().map((k) => [k, values[k]]));
}

/** The values as a JSON object with sorted keys. */
export function canonicalJson(values: ParameterValues): string {
  return JSON.stringify(Object.fromEntries(Object.keys(values).sort().map((k) => [k, values[k]])));
}

export function pointId(values: ParameterValues): string {
  const text = canonicalValues(values);
  return hash32(text, 0x7e1115).toString(16).padStart(8, '0') + hash32(text, 0x51).toString(16).padStart(8, '0');
}

/**
 * A point's parameters: the defaults with the point's values over them — what trialParametersSchema.parse
 * returns (no parameter transforms its value; keys stay in the schema's order), without parsing 50 fields per
 * point: each distinct (parameter, value) is checked once. A 10⁶-point grid so costs seconds, not a minute.
 */
function parameterResolver(): (values: ParameterValues) => TrialParameters {
  const defaults = trialParametersSchema.parse({});
  const shape = trialParametersSchema.shape as Record<string, z.ZodType>;
  const checked = new Set<string>();
  return (values) => {
    for (const [name, value] of Object.entries(values)) {
      const key = `${name}\u0000${typeof value}\u0000${String(value)}`;
      if (checked.has(key)) continue;
      if (!shape[name]) throw new Error(`buildPlan: unknown parameter '${name}'`);
      shape[name].parse(value);
      checked.add(key);
    }
    return { ...defaults, ...values } as TrialParameters;
  };
}

/** Every combination of the axes over the fixed parameters, in plan order, duplicates included. */
function pointValues(sweep: SweepSpec): ParameterValues[] {
  let partials: ParameterValues[] = [{ ...(sweep.parameters as ParameterValues) }];
  for (const axis of sweep.axes) {
    const values = axisPoints(axis);
    partials = partials.flatMap((p) => values.map((v) => ({ ...p, ...v })));
  }
  return partials;
}

/** Each axis entry's values, as text, for duplicate detection within the axis. */
function axisEntryKeys(axis: Axis): { names: Set<string>; distinct: boolean; count: number } {
  if ('grid' in axis) {
    const lists = Object.entries(axis.grid);
    const distinct = lists.every(([, v]) => new Set(v.map((x) => JSON.stringify(x))).size === v.length);
    return { names: new Set(lists.map(([n]) => n)), distinct, count: lists.reduce((p, [, v]) => p * v.length, 1) };
  }
  const entries = axisPoints(axis);
  const names = new Set(entries.flatMap((e) => Object.keys(e)));
  return { names, distinct: new Set(entries.map(canonicalValues)).size === entries.length, count: entries.length };
}

/**
 * When no parameter is set by two axes (or by an axis and the fixed parameters) and no axis repeats an entry,
 * every combination is a distinct point and the count is the product; otherwise null (count them).
 */
function distinctPointCount(sweep: SweepSpec): number | null {
  const taken = new Set(Object.keys(sweep.parameters));
  let count = 1;
  for (const axis of sweep.axes) {
    const { names, distinct, count: n } = axisEntryKeys(axis);
    if (!distinct) return null;
    for (const name of names) {
      if (taken.has(name)) return null;
      taken.add(name);
    }
    count *= n;
  }
  return count;
}

/** Overlapping axes are counted exactly (hashing every point) up to this many combinations. */
export const EXACT_COUNT_LIMIT = 100_000;

/**
 * The plan's number of points (duplicates merged) without building its points: what `check` prints. Exact,
 * except when axes overlap and there are more than EXACT_COUNT_LIMIT combinations: then the product, an upper
 * bound (`exact: false`), since counting would take seconds (10⁶ combinations: 7 s).
 */
export function planPointCount(sweep: SweepSpec): { points: number; exact: boolean } {
  const fast = distinctPointCount(sweep);
  if (fast !== null) return { points: fast, exact: true };
  const bound = sweep.axes.reduce((p, axis) => p * axisEntryKeys(axis).count, 1);
  if (bound > EXACT_COUNT_LIMIT) return { points: bound, exact: false };
  const seen = new Set<string>();
  for (const values of pointValues(sweep)) seen.add(pointId(values));
  return { points: seen.size, exact: true };
}

export function buildPlan(sweep: SweepSpec): Plan {
  const partials = pointValues(sweep);
  const seen = new Set<string>();
  const points: Point[] = [];
  const resolve = parameterResolver();
  for (const values of partials) {
    const point_id = pointId(values);
    // The same values twice (e.g. overlapping list entries) are one point: repetitions already repeat it.
    if (seen.has(point_id)) continue;
    seen.add(point_id);
    points.push({ point_id, values, params: resolve(values) });
  }
  return { campaignSeed: sweep.seed, repetitions: sweep.repetitions, points, size: points.length * sweep.repetitions };
}

export function trialId(pointIdValue: string, repetition: number): string {
  return `${pointIdValue}-r${repetition}`;
}

export function trialAt(plan: Plan, index: number): Trial {
  const point = plan.points[Math.floor(index / plan.repetitions)];
  const repetition = index % plan.repetitions;
  return {
    trial_id: trialId(point.point_id, repetition),
    point_id: point.point_id,
    index,
    repetition,
    seed: trialSeed(plan.campaignSeed, point.point_id, repetition),
    params: point.params,
  };
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Contiguous slice [start, end) of the plan for shard i of n; shards together cover the plan exactly once. */
export function shardRange(plan: Plan, shard: Shard): { start: number; end: number } {
  const start = Math.floor((plan.size * shard.index) / shard.count);
  const end = Math.floor((plan.size * (shard.index + 1)) / shard.count);
  return { start, end };
}
