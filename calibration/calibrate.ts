/**
 * `themis calibrate`: learns the orchestrator's overheads of a real cloud from one of its campaigns, and from a
 * qemu campaign the guest and host facts QEMU's counters give (calibration/guest-facts.ts). The user's simulator
 * sweep says everything else (memory, bandwidth, boot time…); the facts are set first, then per mode the three
 * overheads are fitted so that the simulator's medians of the time before the outage, the outage and the time
 * after it match the real campaign's. The calibrated figures printed are those of the written sweep itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { UsageError } from '../core/errors.js';
import { buildPlan } from '../core/plan/plan.js';
import { campaignSpecFromText, loadSweepFile } from '../core/spec/load.js';
import type { SweepSpec } from '../core/spec/sweep.js';
import { Store } from '../core/store/store.js';
import { fitStep, NO_OVERHEADS, residual, type Overheads } from './fit.js';
import { readFactRows } from './guest-fact-rows.js';
import { factComment, learnGuestFacts, type LearntFact } from './guest-facts.js';
import { openRealData, runSimulated } from './scratch.js';
import { pickRealCampaign, type RealCampaign } from './real-campaign.js';
import { calibratedSweepText, checkCalibratable } from './sweep-rewrite.js';
import { timelineMediansByMode, type ModeTimeline, type TimelineParts } from './timeline-medians.js';

export interface CalibrateOptions {
  /** DuckDB file or dataset folder holding the real campaign */
  db: string;
  campaignId?: string;
  /** The simulator sweep with the real cloud's settings */
  sweepPath: string;
  /** Name of the calibrated sweep (default: the sweep's name + '-calibrated') */
  name?: string;
}

export interface ModeCalibration {
  mode: string;
  real: ModeTimeline | null;
  uncalibrated: ModeTimeline;
  overheads: Overheads;
  calibrated: ModeTimeline;
  /** real − calibrated per part; null when there were no real trials of this mode */
  residual: TimelineParts | null;
}

export interface Calibration {
  real: RealCampaign;
  modes: ModeCalibration[];
  /** Guest and host facts learnt (none when the campaign recorded no QEMU migration facts) */
  facts: LearntFact[];
  sweepText: string;
}

export async function calibrate(o: CalibrateOptions): Promise<Calibration> {
  const { sweep, source_yaml: source } = loadSweepFile(o.sweepPath);
  if (sweep.backend !== 'simulator') {
    throw new UsageError(`${o.sweepPath}: calibrate needs a simulator sweep (the real cloud's settings); found backend ${sweep.backend}`);
  }
  checkCalibratable(source, o.sweepPath);
  const work = mkdtempSync(join(tmpdir(), 'themis-calibrate-'));
  try {
    return await calibrateIn(work, o, source, sweep);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function calibrateIn(work: string, o: CalibrateOptions, source: string, sweep: SweepSpec): Promise<Calibration> {
  const modes = [...new Set(buildPlan(sweep).points.map((p) => p.params.mode))];
  const { real, observed, facts } = await readRealCampaign(o.db, work, o.campaignId);
  checkCalibratable(source, o.sweepPath, facts.map((f) => f.parameter));
  const learnable = modes.filter((m) => observed.has(m));
  if (learnable.length === 0) {
    throw new UsageError(
      `${o.db}: campaign ${real.campaign_id} has no succeeded trial with probe gaps in the sweep's modes (${modes.join(', ')}); ` +
        `it has ${[...observed.keys()].join(', ') || 'none'}`,
    );
  }
  const name = o.name ?? (sweep.name.endsWith('-calibrated') ? sweep.name : `${sweep.name}-calibrated`);
  const textFor = (overheads: Map<string, Overheads>) =>
    calibratedSweepText(source, o.sweepPath, {
      name,
      overheads,
      header: headerLines(real, o, overheads, observed, facts),
      calibratedOn: real.campaign_id,
      facts: facts.map((f) => ({ parameter: f.parameter, value: f.value, comment: factComment(f, real.campaign_id) })),
    });

  // The model is additive in the overheads (each moves its own part by exactly its value), so one step from
  // a precise baseline fits: the baseline runs with many repetitions, so its medians carry no noise worth
  // fitting; the real campaign's own sampling noise stays, and shows in the residual.
  const zero = new Map(modes.map((m) => [m, NO_OVERHEADS]));
  const repetitions = Math.max(sweep.repetitions, BASELINE_REPETITIONS);
  const uncalibrated = await simulatedMedians(withRepetitions(textFor(zero), repetitions), o.sweepPath, join(work, 'baseline.duckdb'));
  const overheads = new Map(
    modes.map((m) => [m, observed.has(m) ? fitStep(NO_OVERHEADS, observed.get(m)!, uncalibrated.get(m)!) : NO_OVERHEADS]),
  );
  const sweepText = textFor(overheads);
  // the calibrated figures are the written sweep's own, as `themis run` will reproduce them
  const calibrated = await simulatedMedians(sweepText, o.sweepPath, join(work, 'calibrated.duckdb'));
  return {
    real,
    sweepText,
    facts,
    modes: modes.map((mode) => {
      const r = observed.get(mode) ?? null;
      const c = calibrated.get(mode)!;
      return { mode, real: r, uncalibrated: uncalibrated.get(mode)!, overheads: overheads.get(mode)!, calibrated: c, residual: r && residual(r, c) };
    }),
  };
}

/** Repetitions per point of the uncalibrated baseline (≈ 1 ms of simulation each). */
const BASELINE_REPETITIONS = 2000;

function withRepetitions(text: string, repetitions: number): string {
  const doc = parseDocument(text);
  doc.set('repetitions', repetitions);
  return doc.toString({ lineWidth: 0 });
}

interface RealFigures {
  real: RealCampaign;
  observed: Map<string, ModeTimeline>;
  facts: LearntFact[];
}

/** The real campaign's timeline medians and facts, from a database or a dataset folder (loaded as `themis merge` would). */
async function readRealCampaign(db: string, work: string, campaignId?: string): Promise<RealFigures> {
  const database = await openRealData(db, work);
  const con = database.connection;
  try {
    const real = await pickRealCampaign(con, db, campaignId);
    const observed = new Map((await timelineMediansByMode(con, real.campaign_id)).map((t) => [t.mode, t]));
    return { real, observed, facts: learnGuestFacts(await readFactRows(con, real.campaign_id)) };
  } finally {
    database.close();
  }
}

/** Runs the sweep text through the engine into a scratch database and reads its medians back with the same SQL. */
async function simulatedMedians(text: string, file: string, dbPath: string): Promise<Map<string, ModeTimeline>> {
  const spec = campaignSpecFromText(text, file);
  if (spec.sweep.store.probe_gaps === 'none' || spec.sweep.store.probe_gaps === 'failed') {
    throw new UsageError(`${file}: store.probe_gaps must be 'all' for calibrate: the outage's position comes from the probe gaps`);
  }
  const campaignId = await runSimulated(spec, dbPath);
  const store = await Store.open(dbPath, { readOnly: true });
  try {
    return new Map((await timelineMediansByMode(store.connection, campaignId)).map((t) => [t.mode, t]));
  } finally {
    store.close();
  }
}

function headerLines(
  real: RealCampaign,
  o: CalibrateOptions,
  overheads: Map<string, Overheads>,
  observed: Map<string, ModeTimeline>,
  facts: readonly LearntFact[],
): string[] {
  const lines = [
    `Calibrated by \`themis calibrate\` from ${o.sweepPath} and the real campaign ${real.campaign_id} (backend ${real.backend}) in ${o.db}:`,
    `per mode, the orchestrator's work before the VM stops, while it is stopped and after it runs at the destination is`,
    `fitted so that the simulated medians of those parts of the timeline match the real ones (docs/simulator.md).`,
  ];
  if (facts.length > 0) {
    lines.push(`The guest and host facts ${facts.map((f) => f.parameter).join(', ')} are QEMU's own figures of that campaign (see their comments).`);
  }
  for (const [mode, oh] of overheads) {
    const r = observed.get(mode);
    lines.push(
      r
        ? `  ${mode}: ${r.trials} real trials; before ${oh.orchestrator_overhead_ms} ms, paused ${oh.orchestrator_paused_ms} ms, after ${oh.orchestrator_after_ms} ms`
        : `  ${mode}: no real trials — not calibrated (overheads 0)`,
    );
  }
  return lines;
}
