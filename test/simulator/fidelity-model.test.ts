import { describe, expect, test } from 'vitest';
import { simulateTrial } from '../../simulator/simulate.js';
import { windowedSendMs } from '../../simulator/rate-limit.js';
import { bpms, exact, MiB } from './helpers.js';

describe('model elements of the fidelity issue', () => {
  test('100 ms rate-limit windows: a pass shorter than one quota bursts at line rate', () => {
    const cap = bpms(128);
    const line = bpms(1192);
    expect(windowedSendMs(cap * 50, cap, line)).toBeCloseTo((cap * 50) / line, 12);
    expect(windowedSendMs(cap * 250, cap, line)).toBeCloseTo(200 + (cap * 50) / line, 12);
    expect(windowedSendMs(cap * 250, line, line)).toBeCloseTo(250 * (cap / line), 12);
  });

  test('the switch-over is decided every window on the pending estimate, so it can come mid-pass', () => {
    // no zero pages, no dirtying: the estimate (unsent pages × 4096) fits 128 MiB/s × 300 ms before the pass ends
    const r = simulateTrial(exact({ dirty_rate_pages_s: 0, nonzero_share: 1, switchover_cost_ms: 0 }), 1);
    const pages = (512 * MiB) / 4096;
    const quota = bpms(128) * 100;
    const k = Math.floor((pages - (bpms(128) * 300) / 4096) / (quota / 4104)) + 1;
    const payload = pages * 4104 - k * quota + 512 * 1024;
    expect(r.total_ms).toBeCloseTo(k * 100 + payload / bpms(740), 9);
    expect(r.downtime_ms).toBeCloseTo(payload / bpms(740), 9);
    expect(r.rounds).toBe(3);
  });

  test('precopy_rate_share scales the achieved rate, and with it threshold_size', () => {
    const full = simulateTrial(exact({ dirty_rate_pages_s: 0 }), 1);
    const slow = simulateTrial(exact({ dirty_rate_pages_s: 0, precopy_rate_share: 0.5 }), 1);
    expect(slow.total_ms!).toBeGreaterThan(1.8 * full.total_ms!);
  });

  test('switchover_rate_mib_s and switchover_cost_ms set the downtime of the same payload', () => {
    const a = simulateTrial(exact({ dirty_rate_pages_s: 2000, switchover_cost_ms: 0, switchover_rate_mib_s: 1000 }), 1);
    const b = simulateTrial(exact({ dirty_rate_pages_s: 2000, switchover_cost_ms: 25, switchover_rate_mib_s: 500 }), 1);
    const payload = a.rounds_detail.find((x) => x.phase === 'stopcopy')!.bytes_sent;
    expect(a.downtime_ms).toBeCloseTo(payload / bpms(1000), 9);
    expect(b.downtime_ms).toBeCloseTo(25 + payload / bpms(500), 9);
  });

  test('postcopy_faults: counted for post-copy, 0 for a stream without one, NULL for cold', () => {
    const pc = simulateTrial(exact({ mode: 'postcopy', dirty_rate_pages_s: 10_000 }), 1);
    expect(pc.postcopy_faults).toBeGreaterThan(0);
    // first touches of missing pages only: far fewer than the writes during the push
    const push = pc.rounds_detail.find((x) => x.phase === 'postcopy')!.duration_ms;
    expect(pc.postcopy_faults!).toBeLessThan(10 * push);
    expect(simulateTrial(exact({ mode: 'postcopy', dirty_rate_pages_s: 0 }), 1).postcopy_faults).toBe(0);
    expect(simulateTrial(exact({ mode: 'live', dirty_rate_pages_s: 2000 }), 1).postcopy_faults).toBe(0);
    expect(simulateTrial(exact({ mode: 'suspend' }), 1).postcopy_faults).toBe(0);
    expect(simulateTrial(exact({ mode: 'cold' }), 1).postcopy_faults).toBeNull();
  });

  test('workload_pacing: auto-converge slows a CPU-paced dirtier, not a wall-clock-paced one', () => {
    const base = { dirty_rate_pages_s: 100_000, working_set_mib: 256, auto_converge: true, timeout_s: 600 };
    const cpu = simulateTrial(exact({ ...base, workload_pacing: 'cpu' }), 1);
    const wall = simulateTrial(exact({ ...base, workload_pacing: 'wall-clock' }), 1);
    expect(cpu.status).toBe('succeeded');
    expect(wall.failure_reason).toBe('not_converged');
    // the throttle still climbs (QEMU throttles either way), it just does not help
    expect(wall.throttle_max_pct).toBe(99);
  });
});
