/**
 * The figures of a validation, from the paired trials: per mode (and all modes together) the median and p90 of
 * the absolute % error of each error metric, rounds exact and within ±1, the convergence 2×2 table, post-copy
 * faults within a factor of 2; the error by the value of each axis; the worst points. Every figure but the
 * convergence table is over the trials that converged on both sides. Quantiles are type 7, as DuckDB's
 * `quantile_cont` (core/quantile.ts), so each figure equals the plain SQL over the paired rows. Pure.
 */
import { quantileSortedType7 } from '../../core/quantile.js';
import { ERROR_METRICS, type ErrorMetric, type OutcomeValues } from './outcomes.js';
import type { ParamValue } from './real-points.js';

export interface PairedTrial {
  trial_id: string;
  /** The real point, and the sweep's point it is paired with */
  point_id: string;
  sim_point_id: string;
  mode: string;
  /** The values of the parameters the real campaign varies (mode excluded) */
  axes: Record<string, ParamValue>;
  real_converged: boolean;
  sim_converged: boolean;
  real: OutcomeValues;
  /** The simulated point's medians */
  sim: OutcomeValues;
}

/** Metrics with an error figure: the four durations and bytes, and the TCP stall when both sides have it. */
export const ERROR_FIGURES = [...ERROR_METRICS, 'tcp_stall_ms'] as const;
export type ErrorFigure = (typeof ERROR_FIGURES)[number];

export interface ErrorStats {
  /** Pairs where both sides have a value */
  compared: number;
  /** Of those, pairs whose error is undefined (real value 0, simulated not) */
  undefined: number;
  p50: number | null;
  p90: number | null;
  /** Median of the signed % error (simulated − real): positive = the simulator overestimates */
  bias_p50: number | null;
}

export interface Convergence {
  real_yes_sim_yes: number;
  real_yes_sim_no: number;
  real_no_sim_yes: number;
  real_no_sim_no: number;
}

export interface ModeFigures {
  /** A mode, or 'all' */
  mode: string;
  trials: number;
  both_converged: number;
  errors: Record<ErrorFigure, ErrorStats>;
  rounds: { compared: number; exact: number; within_one: number };
  convergence: Convergence;
  postcopy_faults: { compared: number; within_factor_2: number; real_p50: number | null; sim_p50: number | null };
}

/** Signed % error of the simulated value; 0 when equal; null when undefined (real 0, simulated not). */
export function signedPctError(real: number, sim: number): number | null {
  if (real === sim) return 0;
  if (real === 0) return null;
  return ((sim - real) / Math.abs(real)) * 100;
}

const quantile = (values: number[], p: number): number | null =>
  values.length === 0 ? null : quantileSortedType7([...values].sort((a, b) => a - b), p);

export function errorStats(pairs: readonly PairedTrial[], metric: ErrorFigure): ErrorStats {
  const signed: number[] = [];
  let compared = 0;
  for (const p of pairs) {
    const r = p.real[metric];
    const s = p.sim[metric];
    if (r === null || s === null) continue;
    compared++;
    const e = signedPctError(r, s);
    if (e !== null) signed.push(e);
  }
  const abs = signed.map(Math.abs);
  return { compared, undefined: compared - signed.length, p50: quantile(abs, 0.5), p90: quantile(abs, 0.9), bias_p50: quantile(signed, 0.5) };
}

/** Both zero agree; otherwise both positive and the ratio within [1/2, 2]. */
export function withinFactor2(real: number, sim: number): boolean {
  if (real === 0 || sim === 0) return real === sim;
  const ratio = sim / real;
  return ratio >= 0.5 && ratio <= 2;
}

export function convergence(pairs: readonly PairedTrial[]): Convergence {
  const c: Convergence = { real_yes_sim_yes: 0, real_yes_sim_no: 0, real_no_sim_yes: 0, real_no_sim_no: 0 };
  for (const p of pairs) {
    const key = `real_${p.real_converged ? 'yes' : 'no'}_sim_${p.sim_converged ? 'yes' : 'no'}` as keyof Convergence;
    c[key]++;
  }
  return c;
}

export function modeFigures(mode: string, pairs: readonly PairedTrial[]): ModeFigures {
  const both = pairs.filter((p) => p.real_converged && p.sim_converged);
  const errors = Object.fromEntries(ERROR_FIGURES.map((m) => [m, errorStats(both, m)])) as Record<ErrorFigure, ErrorStats>;
  const rounds = { compared: 0, exact: 0, within_one: 0 };
  const faults = { compared: 0, within_factor_2: 0, real: [] as number[], sim: [] as number[] };
  for (const p of both) {
    if (p.real.rounds !== null && p.sim.rounds !== null) {
      rounds.compared++;
      if (p.real.rounds === p.sim.rounds) rounds.exact++;
      if (Math.abs(p.real.rounds - p.sim.rounds) <= 1) rounds.within_one++;
    }
    if (p.real.postcopy_faults !== null && p.sim.postcopy_faults !== null) {
      faults.compared++;
      if (withinFactor2(p.real.postcopy_faults, p.sim.postcopy_faults)) faults.within_factor_2++;
      faults.real.push(p.real.postcopy_faults);
      faults.sim.push(p.sim.postcopy_faults);
    }
  }
  return {
    mode,
    trials: pairs.length,
    both_converged: both.length,
    errors,
    rounds,
    convergence: convergence(pairs),
    postcopy_faults: { compared: faults.compared, within_factor_2: faults.within_factor_2, real_p50: quantile(faults.real, 0.5), sim_p50: quantile(faults.sim, 0.5) },
  };
}

/** One row per mode in the order given, then 'all'. */
export function figuresByMode(pairs: readonly PairedTrial[], modes: readonly string[]): ModeFigures[] {
  return [...modes.map((m) => modeFigures(m, pairs.filter((p) => p.mode === m))), modeFigures('all', pairs)];
}

export interface AxisFigures {
  axis: string;
  value: ParamValue;
  trials: number;
  errors: Record<ErrorMetric, ErrorStats>;
}

/** The error of each metric for every value of each axis the real campaign varies (all modes together). */
export function figuresByAxis(pairs: readonly PairedTrial[], axes: readonly string[]): AxisFigures[] {
  const both = pairs.filter((p) => p.real_converged && p.sim_converged);
  const out: AxisFigures[] = [];
  for (const axis of axes) {
    const values = [...new Map(pairs.map((p) => [JSON.stringify(p.axes[axis]), p.axes[axis]])).values()];
    for (const value of values) {
      const group = both.filter((p) => p.axes[axis] === value);
      const errors = Object.fromEntries(ERROR_METRICS.map((m) => [m, errorStats(group, m)])) as Record<ErrorMetric, ErrorStats>;
      out.push({ axis, value, trials: group.length, errors });
    }
  }
  return out;
}

export interface WorstPoint {
  point_id: string;
  mode: string;
  axes: Record<string, ParamValue>;
  metric: ErrorMetric;
  /** Median over the point's real trials that converged on both sides */
  real: number;
  sim: number;
  error_pct: number;
}

/** The points whose worst metric is furthest off: each point once, with that metric; at most `limit`. */
export function worstPoints(pairs: readonly PairedTrial[], limit: number): WorstPoint[] {
  const byPoint = new Map<string, PairedTrial[]>();
  for (const p of pairs) if (p.real_converged && p.sim_converged) byPoint.set(p.point_id, [...(byPoint.get(p.point_id) ?? []), p]);
  const out: WorstPoint[] = [];
  for (const [point_id, group] of byPoint) {
    let worst: WorstPoint | null = null;
    for (const metric of ERROR_METRICS) {
      const real = quantile(group.map((p) => p.real[metric]).filter((v): v is number => v !== null), 0.5);
      const sim = group[0].sim[metric];
      if (real === null || sim === null) continue;
      const e = signedPctError(real, sim);
      const size = e === null ? Infinity : Math.abs(e);
      if (worst === null || size > Math.abs(worst.error_pct)) worst = { point_id, mode: group[0].mode, axes: group[0].axes, metric, real, sim, error_pct: e ?? Infinity };
    }
    if (worst) out.push(worst);
  }
  return out.sort((a, b) => Math.abs(b.error_pct) - Math.abs(a.error_pct)).slice(0, limit);
}
