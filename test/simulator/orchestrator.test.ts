import { describe, expect, test } from 'vitest';
import { MODES } from '../../core/spec/parameters.js';
import { simulateTrial } from '../../simulator/simulate.js';
import { exact } from './helpers.js';

// OpenNebula's own work falls in three places on a trial's timeline (docs/lab.md): before the VM stops,
// while it is stopped, and after it runs at the destination. Each must move exactly its own part.
const BEFORE = 700;
const PAUSED = 450;
const AFTER = 1300;
const base = { dirty_rate_pages_s: 0, probe_interval_ms: 0.5, memory_mib: 256 } as const;

/** Start of the longest probe gap: the outage's start as the supervisor sees it. */
function outageStartMs(r: ReturnType<typeof simulateTrial>): number {
  const longest = r.probe_gaps.reduce((a, b) => (b.duration_ms > a.duration_ms ? b : a));
  return longest.start_ms;
}

describe('orchestrator overheads, by where they fall', () => {
  test.each(MODES)('%s: paused work adds to downtime, outage and total; after-work to total only', (mode) => {
    const plain = simulateTrial(exact({ ...base, mode }), 11);
    const paused = simulateTrial(exact({ ...base, mode, orchestrator_paused_ms: PAUSED }), 11);
    const after = simulateTrial(exact({ ...base, mode, orchestrator_after_ms: AFTER }), 11);
    for (const r of [plain, paused, after]) expect(r.status).toBe('succeeded');

    expect(paused.downtime_ms! - plain.downtime_ms!).toBeCloseTo(PAUSED, 9);
    expect(paused.total_ms! - plain.total_ms!).toBeCloseTo(PAUSED, 9);
    expect(Math.abs(paused.outage_ms! - plain.outage_ms! - PAUSED)).toBeLessThanOrEqual(1); // probes every 0.5 ms

    expect(after.total_ms! - plain.total_ms!).toBeCloseTo(AFTER, 9);
    expect(after.downtime_ms).toBeCloseTo(plain.downtime_ms!, 9);
    expect(Math.abs(after.outage_ms! - plain.outage_ms!)).toBeLessThanOrEqual(1);
    const done = after.events.filter((e) => e.kind === 'migration-completed');
    expect(done.map((e) => e.t_ms)).toEqual([after.total_ms]);
  });

  test.each(MODES)('%s: work before the VM stops shifts the whole outage, not its length', (mode) => {
    const plain = simulateTrial(exact({ ...base, mode }), 5);
    const before = simulateTrial(exact({ ...base, mode, orchestrator_overhead_ms: BEFORE }), 5);
    expect(Math.abs(outageStartMs(before) - outageStartMs(plain) - BEFORE)).toBeLessThanOrEqual(1);
    expect(before.downtime_ms).toBeCloseTo(plain.downtime_ms!, 9);
    expect(before.total_ms! - plain.total_ms!).toBeCloseTo(BEFORE, 9);
  });

  test('the paused work is a phase row where the orchestrator does it: after stop-and-copy, between power-off and boot', () => {
    const live = simulateTrial(exact({ ...base, mode: 'live', orchestrator_paused_ms: PAUSED }), 1);
    expect(live.rounds_detail.map((x) => x.phase)).toEqual(['precopy', 'stopcopy', 'orchestrator']);
    const stop = live.rounds_detail[1];
    expect(live.rounds_detail[2]).toMatchObject({ start_ms: stop.start_ms + stop.duration_ms, duration_ms: PAUSED, bytes_sent: 0 });

    const cold = simulateTrial(exact({ ...base, mode: 'cold', shared_storage: false, disk_gib: 1, orchestrator_paused_ms: PAUSED }), 1);
    expect(cold.rounds_detail.map((x) => x.phase)).toEqual(['shutdown', 'disk-copy', 'orchestrator', 'boot', 'agent']);
    const resumed = cold.events.find((e) => e.kind === 'boot-started')!;
    const orch = cold.rounds_detail[2];
    expect(resumed.t_ms).toBeCloseTo(orch.start_ms + PAUSED, 9);
  });

  test('no overheads: no orchestrator row, results as before the split', () => {
    const r = simulateTrial(exact({ ...base, mode: 'suspend' }), 2);
    expect(r.rounds_detail.map((x) => x.phase)).toEqual(['stopcopy']);
  });

  test('a migration that fails is not reported done: after-work is not added to a not_converged trial', () => {
    const p = { mode: 'live', dirty_rate_pages_s: 100_000, working_set_mib: 256, timeout_s: 30 } as const;
    const plain = simulateTrial(exact(p), 1);
    const after = simulateTrial(exact({ ...p, orchestrator_after_ms: AFTER, orchestrator_paused_ms: PAUSED }), 1);
    expect(after.failure_reason).toBe('not_converged');
    expect(after.total_ms).toBe(plain.total_ms);
    expect(after.downtime_ms).toBe(0);
  });
});
