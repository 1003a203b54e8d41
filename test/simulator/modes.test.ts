import { describe, expect, test } from 'vitest';
import { simulateTrial } from '../../simulator/simulate.js';
import { bpms, exact, MiB, params } from './helpers.js';

describe('suspend and cold phase sequences', () => {
  test('suspend: paused for the whole state, streamed at the cap (max-bandwidth applies to the save)', () => {
    const r = simulateTrial(exact({ mode: 'suspend' }), 1);
    const pages = (512 * MiB) / 4096;
    const nonzero = Math.round(pages * 0.6);
    const bytes = nonzero * 4104 + (pages - nonzero) * 9 + 512 * 1024;
    expect(r.downtime_ms).toBeCloseTo(bytes / bpms(128), 9);
    expect(r.total_ms).toBeCloseTo(r.downtime_ms!, 9);
    expect(r.rounds_detail.map((x) => x.phase)).toEqual(['stopcopy']);
    expect(r.detail).toEqual({ converged_by: 'stop_and_copy' });
  });

  test('cold: downtime = shutdown + boot + agent start (shared storage), and ≥ boot time', () => {
    const r = simulateTrial(exact({ mode: 'cold', shutdown_s: 2, boot_s: 3, agent_start_s: 0.3 }), 1);
    expect(r.downtime_ms).toBeCloseTo(5300, 9);
    expect(r.total_ms).toBeCloseTo(5300, 9);
    expect(r.transferred_bytes).toBe(0);
    expect(r.rounds_detail.map((x) => x.phase)).toEqual(['shutdown', 'boot', 'agent']);
  });

  test('cold downtime ≥ boot time for any seed, with jitter', () => {
    for (let seed = 0; seed < 200; seed++) {
      const r = simulateTrial(params({ mode: 'cold', boot_jitter_share: 0.3 }), seed);
      const boot = r.rounds_detail.find((x) => x.phase === 'boot')!.duration_ms;
      expect(r.downtime_ms).toBeGreaterThanOrEqual(boot);
      expect(r.outage_ms).toBeGreaterThanOrEqual(Math.floor(r.downtime_ms!));
    }
  });

  test('cold without shared storage copies the disk at the link rate', () => {
    const r = simulateTrial(exact({ mode: 'cold', shared_storage: false, disk_gib: 2 }), 1);
    const copyMs = (2 * 1024 * MiB) / bpms(1192);
    expect(r.downtime_ms).toBeCloseTo(5300 + copyMs, 6);
    expect(r.transferred_bytes).toBe(2 * 1024 * MiB);
    expect(r.rounds_detail.map((x) => x.phase)).toEqual(['shutdown', 'disk-copy', 'boot', 'agent']);
  });

  test('cold-hard skips the graceful shutdown', () => {
    const r = simulateTrial(exact({ mode: 'cold-hard' }), 1);
    expect(r.downtime_ms).toBeCloseTo(3300, 9);
    expect(r.rounds_detail.map((x) => x.phase)).toEqual(['boot', 'agent']);
  });

  test('boot time and bandwidth vary between repetitions (seeded)', () => {
    const cold = new Set([1, 2, 3, 4].map((s) => simulateTrial(params({ mode: 'cold' }), s).downtime_ms));
    expect(cold.size).toBe(4);
    const live = new Set([1, 2, 3, 4].map((s) => simulateTrial(params({ mode: 'live', max_bandwidth_mib_s: 'unlimited' }), s).total_ms));
    expect(live.size).toBe(4);
  });
});
