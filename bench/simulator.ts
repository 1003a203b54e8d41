/**
 * Simulator speed: live-migration trials per second on one core (in-thread simulateInto, detail rows off
 * and on) and on all cores through the backend's runBatches (worker threads). Target: ≤ 1 µs per live
 * trial per core. Prints µs/trial; run `node dist/bench/simulator.js` after `npm run build`.
 */
import { availableParallelism } from 'node:os';
import { buildPlan, type Plan } from '../core/plan/plan.js';
import { repetitionSeed } from '../core/plan/seed.js';
import { emptyBatch } from '../core/results/batch.js';
import { parseSweep } from '../core/spec/load.js';
import type { SweepSpec } from '../core/spec/sweep.js';
import { createBackend } from '../simulator/backend.js';
import { chunkPlan } from '../simulator/chunk.js';
import { simulateInto, type RecordPolicy } from '../simulator/simulate.js';

const NONE: RecordPolicy = { rounds: 'none', probe_gaps: 'none', events: 'none' };
const ALL: RecordPolicy = { rounds: 'all', probe_gaps: 'all', events: 'all' };

/** Live migrations over a spread of dirty rates and bandwidths: most converge in 2–10 rounds, some not at all. */
function liveSweep(trials: number): SweepSpec {
  const points = 64;
  return parseSweep(
      [
        'name: bench-live',
        `repetitions: ${Math.ceil(trials / points)}`,
        'parameters: { mode: live }',
        'axes:',
        '  - random:',
        '      seed: 7',
        `      count: ${points}`,
        '      ranges:',
        '        dirty_rate_pages_s: { min: 100, max: 40000, scale: log }',
        '        link_bandwidth_mib_s: { min: 100, max: 2400, scale: log }',
        '        max_bandwidth_mib_s: { choice: [128, 512, unlimited] }',
        '        dirty_pattern: { choice: [uniform, sequential, hotcold] }',
        'store: { rounds: none, probe_gaps: none, events: none }',
      ].join('\n'),
      'bench',
  );
}

/** µs per trial in wall time and in this process's CPU time (the fairer figure on a loaded machine). */
function inThread(plan: Plan, trials: number, record: RecordPolicy): { wall: number; cpu: number } {
  const cp = chunkPlan(plan.campaignSeed, plan.repetitions, plan.points);
  const size = 8192;
  let batch = emptyBatch(size);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let index = 0; index < trials; index++) {
    if (batch.nTrials === size) batch = emptyBatch(size);
    const point = Math.floor(index / plan.repetitions);
    simulateInto(batch, index, cp.params[point], repetitionSeed(cp.pointHashes[point], index % plan.repetitions), record, 0);
  }
  const wall = ((performance.now() - t0) * 1000) / trials;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / trials };
}

/** µs per trial in wall time, and CPU µs per trial summed over all threads (workers included). */
async function allCores(sweep: SweepSpec, plan: Plan, trials: number): Promise<{ wall: number; cpu: number }> {
  const backend = createBackend();
  const spec = { sweep, source_yaml: '', source_sha256: '', source_path: 'bench' };
  await backend.prepare({ campaign_id: 'bench', spec, spec_dir: '.' }, new AbortController().signal);
  const indices = new Int32Array(trials).map((_, i) => i);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let seen = 0;
  for await (const b of backend.runBatches(plan, indices, new AbortController().signal)) seen += b.nTrials;
  const wall = ((performance.now() - t0) * 1000) / trials;
  const c = process.cpuUsage(c0);
  if (seen !== trials) throw new Error(`runBatches returned ${seen} of ${trials} trials`);
  return { wall, cpu: (c.user + c.system) / trials };
}

export async function benchSimulator(trials = 1_000_000): Promise<Record<string, number>> {
  const sweep = liveSweep(trials);
  const plan = buildPlan(sweep);
  inThread(plan, Math.min(trials, 50_000), NONE); // warm up the JIT
  const usNone = inThread(plan, trials, NONE);
  const usAll = inThread(plan, Math.min(trials, 200_000), ALL);
  const usCores = await allCores(sweep, plan, plan.size);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    sim_live_us_per_trial_one_core: round(usNone.wall),
    sim_live_cpu_us_per_trial_one_core: round(usNone.cpu),
    sim_live_trials_per_s_one_core: Math.round(1e6 / usNone.wall),
    sim_live_us_per_trial_one_core_all_rows: round(usAll.wall),
    sim_live_cpu_us_per_trial_one_core_all_rows: round(usAll.cpu),
    sim_live_trials_per_s_one_core_all_rows: Math.round(1e6 / usAll.wall),
    sim_live_us_per_trial_all_cores: round(usCores.wall),
    sim_live_cpu_us_per_trial_all_cores: round(usCores.cpu),
    sim_live_trials_per_s_all_cores: Math.round(1e6 / usCores.wall),
    sim_cores: availableParallelism(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchSimulator());
}
