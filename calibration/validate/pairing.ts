/**
 * Pairs each real point with the one point of the simulator sweep that has the same values of the parameters
 * the real rows carry (the applied ones). The sweep supplies everything else. A real point no sweep point
 * matches, or several do (the sweep varies a parameter the real rows do not say), is a UsageError naming the
 * point and the parameter. Pure.
 */
import { UsageError } from '../../core/errors.js';
import type { Point } from '../../core/plan/plan.js';
import { parameterColumnType } from '../../core/store/schema.js';
import type { ParameterName } from '../../core/spec/parameters.js';
import type { ParamValue, RealPoint } from './real-points.js';

/** A value as its typed column holds it: text columns (mode, max_bandwidth_mib_s: 128 or 'unlimited') as text. */
function columnValue(name: string, v: unknown): ParamValue {
  if (v === null || v === undefined) return null;
  if (parameterColumnType(name as ParameterName) === 'VARCHAR') return String(v);
  return v as ParamValue;
}

const keyOf = (names: readonly string[], get: (name: string) => unknown) =>
  JSON.stringify(names.map((n) => columnValue(n, get(n))));

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** How the point reads in a message: its mode and the values that pick it. */
export function describePoint(p: RealPoint, shown: readonly string[]): string {
  return `${p.point_id} (${shown.map((n) => `${n}=${show(p.values[n])}`).join(', ')})`;
}

export interface Pairing {
  /** real point_id → the sweep's point */
  byRealPoint: Map<string, Point>;
  /** The sweep's points no real point matched */
  unmatched: number;
}

/**
 * `applied`: the parameters whose real values pick the point; `shown`: those named in messages (the ones the
 * real campaign varies, so a message reads "live, dirty_rate_pages_s=2000" rather than 40 values).
 */
export function pairPoints(real: readonly RealPoint[], plan: readonly Point[], applied: readonly string[], shown: readonly string[]): Pairing {
  const index = new Map<string, Point[]>();
  for (const p of plan) {
    const key = keyOf(applied, (n) => (p.params as Record<string, unknown>)[n]);
    index.set(key, [...(index.get(key) ?? []), p]);
  }
  const byRealPoint = new Map<string, Point>();
  for (const r of real) {
    const unknown = Object.keys(r.unknown);
    if (unknown.length > 0) {
      throw new UsageError(
        `real point ${describePoint(r, shown)}: parameter ${unknown[0]} = ${show(r.unknown[unknown[0]])} is one the simulator has no ` +
          `parameter for, so no simulator sweep can set it`,
      );
    }
    const found = index.get(keyOf(applied, (n) => r.values[n])) ?? [];
    if (found.length === 0) throw new UsageError(notCovered(r, plan, applied, shown));
    if (found.length > 1) throw new UsageError(ambiguous(r, found, shown));
    byRealPoint.set(r.point_id, found[0]);
  }
  const used = new Set([...byRealPoint.values()].map((p) => p.point_id));
  return { byRealPoint, unmatched: plan.filter((p) => !used.has(p.point_id)).length };
}

/** Names the first parameter whose real value the sweep never takes, or, if each is taken, the nearest point. */
function notCovered(r: RealPoint, plan: readonly Point[], applied: readonly string[], shown: readonly string[]): string {
  const head = `real point ${describePoint(r, shown)} is not covered by the simulator sweep`;
  const valuesOf = (n: string) => [...new Set(plan.map((p) => JSON.stringify(columnValue(n, (p.params as Record<string, unknown>)[n]))))];
  for (const n of applied) {
    const taken = valuesOf(n);
    const real = JSON.stringify(columnValue(n, r.values[n]));
    if (taken.includes(real)) continue;
    const sweep = taken.length === 1 ? `the sweep fixes ${n} = ${show(JSON.parse(taken[0]))}` : `the sweep's values of ${n} are ${taken.map((t) => show(JSON.parse(t))).join(', ')}`;
    return `${head}: ${n} = ${show(r.values[n])}, but ${sweep} (set ${n} in the sweep to the real value)`;
  }
  let best: { p: Point; differ: string[] } | null = null;
  for (const p of plan) {
    const differ = applied.filter((n) => JSON.stringify(columnValue(n, (p.params as Record<string, unknown>)[n])) !== JSON.stringify(columnValue(n, r.values[n])));
    if (best === null || differ.length < best.differ.length) best = { p, differ };
  }
  const near = best ? `; the nearest point ${best.p.point_id} differs in ${best.differ.map((n) => `${n} = ${show((best.p.params as Record<string, unknown>)[n])}`).join(', ')}` : '';
  return `${head}: every value occurs in the sweep, but not this combination${near}`;
}

function ambiguous(r: RealPoint, found: readonly Point[], shown: readonly string[]): string {
  const a = found[0].params as Record<string, unknown>;
  const varied = Object.keys(a).filter((n) => found.some((p) => show((p.params as Record<string, unknown>)[n]) !== show(a[n])));
  return (
    `real point ${describePoint(r, shown)} matches ${found.length} points of the simulator sweep: the sweep varies ` +
    `${varied.join(', ')}, which the real rows do not set; fix ${varied.length === 1 ? 'it' : 'them'} in the sweep`
  );
}
