/**
 * `themis validate <simulator sweep> --against <real data>`: how far the simulator is from real migrations on the
 * user's own setup. Every real trial is paired with the sweep's point of the same parameters (pairing.ts); those
 * points run in process as `themis run` would run them (simulated.ts); the figures come from the pairs
 * (statistics.ts). Scratch databases live in a temp folder, removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { modeRank } from '../../core/modes.js';
import { buildPlan, type Point } from '../../core/plan/plan.js';
import { loadSweepFile } from '../../core/spec/load.js';
import { defaultParameters, PARAMETER_NAMES } from '../../core/spec/parameters.js';
import type { CampaignSpec } from '../../core/spec/sweep.js';
import { ERROR_METRICS } from './outcomes.js';
import { pickRealCampaign } from '../real-campaign.js';
import { openRealData } from '../scratch.js';
import { pairPoints } from './pairing.js';
import { presentColumns, readRealSide, type ParamValue, type RealSide } from './real-points.js';
import { simulatePoints, type SimulatedPoint } from './simulated.js';
import { figuresByAxis, figuresByMode, worstPoints, type AxisFigures, type ModeFigures, type PairedTrial, type WorstPoint } from './statistics.js';

export interface ValidateOptions {
  sweepPath: string;
  /** DuckDB file, dataset folder or dataset root holding the real campaign */
  against: string;
  campaignId?: string;
}

export interface Validation {
  sweep: { path: string; name: string; repetitions: number; points: number; simulated_points: number };
  real: { input: string; campaign_id: string; name: string; backend: string; trials: number; points: number };
  /** The outcomes with an error figure (ERROR_METRICS), in order */
  metrics: readonly string[];
  /** The parameters the real campaign varies, mode excluded */
  axes: string[];
  modes: ModeFigures[];
  byAxis: AxisFigures[];
  worst: WorstPoint[];
  pairs: PairedTrial[];
  notes: string[];
}

/** Worst points listed. */
export const WORST_POINTS = 10;

export async function validate(o: ValidateOptions): Promise<Validation> {
  const spec = loadSweepFile(o.sweepPath);
  if (spec.sweep.backend !== 'simulator') {
    throw new UsageError(`${o.sweepPath}: validate needs a simulator sweep (the real setup's settings); found backend ${spec.sweep.backend}`);
  }
  const work = mkdtempSync(join(tmpdir(), 'themis-validate-'));
  try {
    const real = await readReal(o, work);
    return await validateIn(o, spec, real, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function readReal(o: ValidateOptions, work: string): Promise<RealSide> {
  const db = await openRealData(o.against, work);
  try {
    const campaign = await pickRealCampaign(db.connection, o.against, o.campaignId);
    return await readRealSide(db.connection, campaign, await presentColumns(db.connection, o.against));
  } finally {
    db.close();
  }
}

/** The applied parameters whose value differs between the real points (mode aside): what a message names. */
function variedParameters(real: RealSide): string[] {
  return real.applied.filter((n) => n !== 'mode' && new Set(real.points.map((p) => JSON.stringify(p.values[n]))).size > 1);
}

async function validateIn(o: ValidateOptions, spec: CampaignSpec, real: RealSide, work: string): Promise<Validation> {
  if (real.trials.length === 0) throw new UsageError(`${o.against}: campaign ${real.campaign.campaign_id} has no trials to validate against`);
  const plan = buildPlan(spec.sweep);
  const axes = variedParameters(real);
  const pairing = pairPoints(real.points, plan.points, real.applied, ['mode', ...axes]);
  const used = [...new Map([...pairing.byRealPoint.values()].map((p) => [p.point_id, p])).values()];
  const simulated = await simulatePoints(spec, used, join(work, 'simulated.duckdb'));
  const pairs = pairTrials(real, pairing.byRealPoint, simulated, axes);
  const modes = [...new Set(real.points.map((p) => p.mode))].sort((a, b) => modeRank(a) - modeRank(b) || a.localeCompare(b));
  return {
    sweep: { path: o.sweepPath, name: spec.sweep.name, repetitions: spec.sweep.repetitions, points: plan.points.length, simulated_points: used.length },
    real: {
      input: o.against, campaign_id: real.campaign.campaign_id, name: real.campaign.name, backend: real.campaign.backend,
      trials: real.trials.length, points: real.points.length,
    },
    metrics: ERROR_METRICS,
    axes,
    modes: figuresByMode(pairs, modes),
    byAxis: figuresByAxis(pairs, axes),
    worst: worstPoints(pairs, WORST_POINTS),
    pairs,
    notes: notes(real, used, plan.points.length),
  };
}

function pairTrials(real: RealSide, byRealPoint: Map<string, Point>, simulated: Map<string, SimulatedPoint>, axes: readonly string[]): PairedTrial[] {
  const points = new Map(real.points.map((p) => [p.point_id, p]));
  return real.trials.map((t) => {
    const point = points.get(t.point_id)!;
    const simPoint = byRealPoint.get(t.point_id)!;
    const sim = simulated.get(simPoint.point_id)!;
    return {
      trial_id: t.trial_id,
      point_id: t.point_id,
      sim_point_id: simPoint.point_id,
      mode: point.mode,
      axes: Object.fromEntries(axes.map((a) => [a, point.values[a]])),
      real_converged: t.status === 'succeeded',
      sim_converged: sim.converged,
      real: t.outcomes,
      sim: sim.outcomes,
    };
  });
}

const showValues = (values: ParamValue[]) => [...new Set(values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))].join(' | ');

function notes(real: RealSide, used: readonly Point[], planPoints: number): string[] {
  const out: string[] = [];
  const value = (n: string) => showValues(used.map((p) => (p.params as Record<string, ParamValue>)[n]));
  for (const n of real.missing) out.push(`the data has no column ${n}: the sweep's value (${value(n)}) is used`);
  // (a parsed sweep carries every parameter, defaults included: name only those it moves off their default)
  const defaults = defaultParameters() as Record<string, unknown>;
  const supplied = PARAMETER_NAMES.filter(
    (n) => !real.applied.includes(n) && !real.missing.includes(n) && used.some((p) => (p.params as Record<string, unknown>)[n] !== defaults[n]),
  );
  if (supplied.length > 0) {
    out.push(
      `from the sweep (the ${real.campaign.backend} backend does not apply them; the others at their defaults): ` +
        supplied.map((n) => `${n}=${value(n)}`).join(', '),
    );
  }
  if (used.length < planPoints) out.push(`${planPoints - used.length} of the sweep's ${planPoints} points have no real trial: not simulated`);
  return out;
}
