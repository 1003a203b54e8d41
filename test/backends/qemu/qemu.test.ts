/**
 * The qemu backend on real components: QEMU 10 (TCG), the guest image built from Debian packages, network
 * namespaces with Linux bridges, the C prober. One lab for the file; each test is one real migration.
 * Needs root; in CI (CI=true) a missing component is an error, never a skip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trial, TrialResult } from '../../../core/backend.js';
import type { TrialParametersInput } from '../../../core/spec/parameters.js';
import { buildPlan, trialAt } from '../../../core/plan/plan.js';
import { sweepSchema } from '../../../core/spec/sweep.js';
import { QemuBackend } from '../../../backends/qemu/backend.js';
import type { TrialHooks } from '../../../backends/qemu/trial-migrate.js';
import { QEMU_FACTS_KEY, type QemuMigrationFacts } from '../../../backends/qemu/migration-facts.js';
import { labLeftovers } from '../../support/netns.js';

const isRoot = process.getuid?.() === 0;
const inCI = process.env.CI === 'true';
if (inCI && !isRoot) throw new Error('qemu backend tests need root in CI (network namespaces, taps, QEMU)');

const sweep = sweepSchema.parse({
  name: 'qemu-test',
  backend: 'qemu',
  parameters: { memory_mib: 384, working_set_mib: 128, dirty_pattern: 'uniform', timeout_s: 20 },
  qemu: { accelerator: 'tcg', verify_memory: true, trial_timeout_s: 120 },
});

let n = 0;
function trial(params: TrialParametersInput): Trial {
  const plan = buildPlan(sweepSchema.parse({ ...sweep, parameters: { ...sweep.parameters, ...params } }));
  const t = trialAt(plan, 0);
  return { ...t, index: n++ };
}

const detailOf = (r: TrialResult, key: string): Record<string, unknown> => r.detail[key] as Record<string, unknown>;
const factsOf = (r: TrialResult): QemuMigrationFacts => r.detail[QEMU_FACTS_KEY] as QemuMigrationFacts;

describe.runIf(isRoot)('qemu backend on real QEMU, namespaces and prober', () => {
  const hooks: TrialHooks = {};
  const backend = new QemuBackend({ hooks });
  const signal = new AbortController().signal;
  let namespaces: string[] = [];
  let runDir = '';

  beforeAll(async () => {
    await backend.prepare({ campaign_id: 'qemu-test', spec: { sweep, source_yaml: '', source_sha256: '', source_path: '' }, spec_dir: '.' }, signal);
    const lab = backend.currentLab!;
    namespaces = Object.values(lab.topology.namespaces);
    runDir = lab.runDir;
  }, 300_000);

  afterAll(async () => {
    await backend.dispose();
  });

  it('live migration at a moderate dirty rate completes with a sub-second pause seen by QEMU and the prober, memory intact', async () => {
    const r = await backend.runTrial(trial({ mode: 'live', dirty_rate_pages_s: 2000, max_bandwidth_mib_s: 128 }), signal);
    expect(r.failure_reason, JSON.stringify(r.detail)).toBeNull();
    expect(r.status).toBe('succeeded');
    expect(r.downtime_ms).toBeGreaterThan(0);
    expect(r.downtime_ms!).toBeLessThan(1000);
    expect(r.outage_ms!).toBeGreaterThan(0);
    expect(r.outage_ms!).toBeLessThan(1000);
    expect(detailOf(r, 'memory_verification').ok).toBe(true);
    expect(detailOf(r, 'memory_verification').bad).toBe(0);
    expect(r.detail.accelerator).toBe('tcg');
    expect(String(r.detail.qemu_version)).toMatch(/^10\./);
    expect(r.transferred_bytes!).toBeGreaterThan(64 * 1024 * 1024);
    expect(r.rounds_detail.some((x) => x.phase === 'precopy')).toBe(true);
    expect(r.rounds_detail.some((x) => x.phase === 'stopcopy')).toBe(true);
    expect(r.events.some((e) => e.source === 'qmp' && e.kind === 'MIGRATION' && e.detail?.status === 'completed')).toBe(true);
    expect(r.probe_gaps.length).toBeGreaterThan(0);
    expect(r.total_ms!).toBeGreaterThan(r.downtime_ms!);
    // QEMU's dirty-sync-count: setup, at least one pass, the switch-over
    expect(r.rounds!).toBeGreaterThanOrEqual(3);
    expect(r.throttle_max_pct).toBe(0);
    // what calibrate learns from: the first pass walks every page once, normal or zero
    const f = factsOf(r);
    expect(f.ram_pages!).toBeGreaterThanOrEqual((384 * 1024 * 1024) / 4096); // guest RAM plus ROMs and video RAM
    expect(f.ram_pages!).toBeLessThan(1.01 * ((384 * 1024 * 1024) / 4096));
    const firstPass = f.first_pass_normal_pages! + f.first_pass_zero_pages!;
    expect(firstPass / f.ram_pages!).toBeGreaterThan(0.97); // QEMU's counters fall ~0.5 % short (WALK_DONE_SHARE)
    expect(firstPass / f.ram_pages!).toBeLessThan(1.03);
    expect(f.first_pass_normal_pages!).toBeGreaterThan((128 * 1024 * 1024) / 4096); // the 128 MiB working set is non-zero
    expect(f.downtime_bytes!).toBeGreaterThan(0);
    expect(f.precopy_bytes! + f.downtime_bytes!).toBeLessThanOrEqual(r.transferred_bytes!);
    expect(f.precopy_rate_mib_s!).toBeGreaterThan(10);
    expect(f.precopy_rate_mib_s!).toBeLessThan(1.5 * 128); // bursts above the cap stay within its 100 ms windows
    expect(f.downtime_ms).toBe(r.downtime_ms);
    expect(r.postcopy_faults).toBe(0);
  }, 180_000);

  it('cold migration shows an outage at least as long as the guest boot', async () => {
    const r = await backend.runTrial(trial({ mode: 'cold', dirty_rate_pages_s: 2000 }), signal);
    expect(r.failure_reason, JSON.stringify(r.detail)).toBeNull();
    const boot = r.rounds_detail.find((x) => x.phase === 'boot');
    expect(boot).toBeDefined();
    expect(boot!.duration_ms).toBeGreaterThan(500);
    expect(r.outage_ms!).toBeGreaterThanOrEqual(boot!.duration_ms - 5);
    expect(r.downtime_ms!).toBeGreaterThanOrEqual(boot!.duration_ms);
    expect(r.rounds).toBe(0);
    expect(r.throttle_max_pct).toBeNull();
    expect(r.postcopy_faults).toBeNull(); // no migration stream
    expect(r.detail[QEMU_FACTS_KEY]).toBeUndefined();
    expect(detailOf(r, 'memory_verification').ok).toBe(true);
  }, 180_000);

  const hopeless = { dirty_rate_pages_s: 40000, max_bandwidth_mib_s: 32, working_set_mib: 256, timeout_s: 6 } as const;

  it('a migration that cannot converge is cancelled at its timeout as not_converged, VM still answering at the source', async () => {
    const t0 = Date.now();
    const r = await backend.runTrial(trial({ mode: 'live', ...hopeless }), signal);
    const wall_s = (Date.now() - t0) / 1000;
    expect(r.status).toBe('failed');
    expect(r.failure_reason).toBe('not_converged');
    expect(r.detail.source_still_serving).toBe(true);
    expect(detailOf(r, 'memory_verification').ok).toBe(true);
    // timeout plus workload setup, prober warm-up and verification; far from the 120 s trial budget
    expect(wall_s).toBeLessThan(hopeless.timeout_s + 40);
    expect(r.loss_pct!).toBeLessThan(5);
  }, 180_000);

  it('auto-converge throttles the vCPUs of a guest that outpaces the link: throttle_max_pct from query-migrate', async () => {
    const r = await backend.runTrial(trial({ mode: 'live', ...hopeless, max_bandwidth_mib_s: 96, auto_converge: true, timeout_s: 20 }), signal);
    expect(r.throttle_max_pct, JSON.stringify(r.detail)).toBeGreaterThanOrEqual(20);
    const throttled = r.rounds_detail.map((x) => x.throttle_pct);
    expect(Math.max(...throttled)).toBeLessThanOrEqual(r.throttle_max_pct!);
  }, 180_000);

  it('post-copy completes where pre-copy cannot, memory intact', async () => {
    const r = await backend.runTrial(trial({ mode: 'postcopy', ...hopeless }), signal);
    expect(r.failure_reason, JSON.stringify(r.detail)).toBeNull();
    expect(r.status).toBe('succeeded');
    expect(r.rounds_detail.some((x) => x.phase === 'postcopy')).toBe(true);
    expect(detailOf(r, 'memory_verification').ok).toBe(true);
    // QEMU's postcopy-requests: the guest touched pages it did not have yet (its dirtier runs at the destination)
    expect(r.postcopy_faults).not.toBeNull();
    expect(r.postcopy_faults!).toBeGreaterThanOrEqual(0);
    expect(r.postcopy_faults!).toBeLessThanOrEqual(factsOf(r).ram_pages!);
    expect(factsOf(r).postcopy_bytes!).toBeGreaterThan(64 * 1024 * 1024);
    // post-copy from the start: its one walk (background push and requested pages) is the first pass
    expect(factsOf(r).first_pass_normal_pages! + factsOf(r).first_pass_zero_pages!).toBeGreaterThan(0.97 * factsOf(r).ram_pages!);
  }, 180_000);

  it('the destination QEMU dying mid-migration is backend_crashed, with the source still serving', async () => {
    hooks.onDestinationStarted = (dst) => {
      setTimeout(() => {
        if (dst.pid) process.kill(dst.pid, 'SIGKILL');
      }, 1500);
    };
    try {
      const r = await backend.runTrial(trial({ mode: 'live', dirty_rate_pages_s: 2000, max_bandwidth_mib_s: 32 }), signal);
      expect(r.failure_reason, JSON.stringify(r.detail)).toBe('backend_crashed');
      expect(r.detail.source_still_serving).toBe(true);
    } finally {
      delete hooks.onDestinationStarted;
    }
  }, 180_000);

  it('suspend: downtime measured by Themis from stop to continue, longer than QEMU’s own switch-over figure', async () => {
    const r = await backend.runTrial(trial({ mode: 'suspend', dirty_rate_pages_s: 2000, max_bandwidth_mib_s: 128 }), signal);
    expect(r.failure_reason, JSON.stringify(r.detail)).toBeNull();
    expect(r.downtime_ms!).toBeGreaterThan(Number(r.detail.qemu_downtime_ms));
    expect(r.outage_ms!).toBeGreaterThan(0.5 * r.downtime_ms!);
  }, 180_000);

  it('dispose leaves no namespace, QEMU, prober, tap or run folder behind', async () => {
    expect(namespaces).toHaveLength(3);
    await backend.dispose();
    const left = labLeftovers(namespaces, runDir);
    expect(left.namespaces).toEqual([]);
    expect(left.processes).toEqual([]);
    expect(left.runDirExists).toBe(false);
    // Our taps live inside the hypervisor namespaces; one surviving them would reappear in the root namespace.
    expect(left.rootTaps.filter((t) => t === 'tap0')).toEqual([]);
  }, 60_000);
});

describe.runIf(isRoot)('qemu backend trial budget', () => {
  it('refuses, before anything is set up, a trial budget that cannot hold the migration timeout', async () => {
    const tight = sweepSchema.parse({ ...sweep, parameters: { ...sweep.parameters, timeout_s: 200 } });
    const b = new QemuBackend();
    const spec = { sweep: tight, source_yaml: '', source_sha256: '', source_path: '' };
    await expect(b.prepare({ campaign_id: 'qemu-budget', spec, spec_dir: '.' }, new AbortController().signal))
      .rejects.toThrow(/qemu\.trial_timeout_s: expected more than timeout_s \+ 60 s = 260 s .*found 120 s/);
    expect(b.currentLab).toBeNull();
  });
});
