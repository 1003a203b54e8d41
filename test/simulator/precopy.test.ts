import { describe, expect, test } from 'vitest';
import { simulateTrial } from '../../simulator/simulate.js';
import { bpms, exact, MiB } from './helpers.js';

describe('live pre-copy, derived by hand', () => {
  test('no dirtying: 100 ms windows of non-zero pages at the cap, the zero pages last in a burst, then device state', () => {
    const p = exact({ mode: 'live', dirty_rate_pages_s: 0, memory_mib: 512, nonzero_share: 0.6 });
    const r = simulateTrial(p, 1);
    const pages = (512 * MiB) / 4096; // 131072
    const nonzero = Math.round(pages * 0.6); // 78643
    const firstPassBytes = nonzero * (4096 + 8) + (pages - nonzero) * 9;
    // max_bandwidth 128 MiB/s caps the 1192 MiB/s link: a window carries 12.8 MiB at line rate, then waits; the
    // estimate counts every unsent page (zero ones too, which come last) at 4096 bytes, so it never fits mid-pass
    // (52 429 zero pages > 128 MiB/s × 300 ms / 4096 = 9 830)
    const quota = bpms(128) * 100;
    const full = Math.ceil(firstPassBytes / quota) - 1;
    const passMs = full * 100 + (firstPassBytes - full * quota) / bpms(1192);
    const switchMs = 10 + (512 * 1024) / bpms(740); // switchover_cost_ms + device state at switchover_rate_mib_s
    expect(r.status).toBe('succeeded');
    // QEMU's dirty-sync-count: setup, the exact sync when the pass ends (estimate 0), at completion
    expect(r.rounds).toBe(3);
    expect(r.throttle_max_pct).toBe(0);
    expect(r.total_ms).toBeCloseTo(passMs + switchMs, 9);
    expect(r.downtime_ms).toBeCloseTo(switchMs, 9);
    expect(r.transferred_bytes).toBeCloseTo(firstPassBytes + 512 * 1024, 3);
    expect(r.rounds_detail.map((x) => x.phase)).toEqual(['precopy', 'stopcopy']);
    expect(r.rounds_detail[0].pages_sent).toBeCloseTo(pages, 6);
    expect(r.rounds_detail[0].dirty_pages_after).toBe(0);
    expect(r.detail).toEqual({ converged_by: 'downtime_limit' });
  });

  test('orchestrator overhead is added to the total, not to the downtime', () => {
    const a = simulateTrial(exact(), 3);
    const b = simulateTrial(exact({ orchestrator_overhead_ms: 250 }), 3);
    expect(b.total_ms! - a.total_ms!).toBeCloseTo(250, 9);
    expect(b.downtime_ms).toBeCloseTo(a.downtime_ms!, 12);
  });

  test('second round resends the unique pages dirtied during the first (uniform pattern)', () => {
    const p = exact({ dirty_rate_pages_s: 5000, working_set_mib: 64, downtime_limit_ms: 1 });
    const r = simulateTrial(p, 1);
    const W = (64 * MiB) / 4096;
    const first = r.rounds_detail[0];
    const expected = W * (1 - Math.exp((-5 * first.duration_ms) / W));
    expect(first.dirty_pages_after).toBeCloseTo(expected, 6);
    expect(r.rounds_detail[1].pages_sent).toBeCloseTo(expected, 6);
    expect(r.rounds_detail[1].bytes_sent).toBeCloseTo(expected * 4104, 3);
  });

  test('switch-over happens at the first sync whose pending pages fit bandwidth × downtime limit', () => {
    const p = exact({ dirty_rate_pages_s: 8000, working_set_mib: 128 });
    const r = simulateTrial(p, 1);
    const thresholdBytes = bpms(128) * 300;
    const pre = r.rounds_detail.filter((x) => x.phase === 'precopy');
    for (const row of pre.slice(0, -1)) expect(row.dirty_pages_after * 4096).toBeGreaterThanOrEqual(thresholdBytes);
    expect(pre[pre.length - 1].dirty_pages_after * 4096).toBeLessThan(thresholdBytes);
    // more syncs than passes: near a pass's end every 100 ms window's estimate fits and syncs
    expect(r.rounds).toBeGreaterThan(pre.length);
    const stop = r.rounds_detail[r.rounds_detail.length - 1];
    expect(stop.phase).toBe('stopcopy');
    expect(stop.duration_ms).toBeCloseTo(10 + stop.bytes_sent / bpms(740), 9);
    expect(r.downtime_ms).toBeCloseTo(stop.duration_ms, 12);
  });

  test('dirty rate above bandwidth: live never converges, cancelled at timeout_s; VM never paused', () => {
    const p = exact({ mode: 'live', dirty_rate_pages_s: 100_000, working_set_mib: 256, timeout_s: 30 });
    const r = simulateTrial(p, 1);
    expect(r.status).toBe('failed');
    expect(r.failure_reason).toBe('not_converged');
    expect(r.total_ms).toBeCloseTo(30_000, 6);
    expect(r.downtime_ms).toBe(0);
    expect(r.outage_ms).toBe(0);
    expect(r.loss_pct).toBe(0);
    expect(r.events.some((e) => e.kind === 'migration-cancelled')).toBe(true);
    // rounds add up to the time until the cancel
    const sum = r.rounds_detail.reduce((a, x) => a + x.duration_ms, 0);
    expect(sum).toBeCloseTo(30_000, 6);
  });

  test('the same workload completes with post-copy; downtime = device state + bitmap unthrottled, push at the cap', () => {
    const p = exact({ mode: 'postcopy', dirty_rate_pages_s: 100_000, working_set_mib: 256 });
    const r = simulateTrial(p, 1);
    const pages = (512 * MiB) / 4096;
    expect(r.status).toBe('succeeded');
    expect(r.detail).toEqual({ converged_by: 'postcopy' });
    expect(r.downtime_ms).toBeCloseTo((512 * 1024 + pages / 8) / bpms(740), 9);
    const nonzero = Math.round(pages * 0.6);
    // max-postcopy-bandwidth = the sweep's cap (as the qemu backend sets it)
    const push = (nonzero * 4104 + (pages - nonzero) * 9) / bpms(128);
    expect(r.total_ms).toBeCloseTo(r.downtime_ms! + push, 9);
    const done = r.events.find((e) => e.kind === 'postcopy-completed');
    const faults = (done?.detail as { faults: number }).faults;
    expect(faults).toBeGreaterThan(0);
    expect(r.postcopy_faults).toBe(Math.round(faults));
    // requests come from first touches of missing pages, one vCPU stalled per request: fewer than the writes
    // and fewer than push time / service time
    expect(faults).toBeLessThan(100 * push);
    expect(faults).toBeLessThan(push / ((4104 + 32768) / bpms(1192) + 0.2));
  });

  test('hybrid: postcopy_after_rounds pre-copy rounds, then post-copy', () => {
    const r = simulateTrial(exact({ mode: 'hybrid', postcopy_after_rounds: 3, dirty_rate_pages_s: 100_000 }), 1);
    // setup sync, one per pass, one when post-copy starts (ram_postcopy_send_discard_bitmap)
    expect(r.rounds).toBe(1 + 3 + 1);
    expect(r.rounds_detail.map((x) => x.phase)).toEqual(['precopy', 'precopy', 'precopy', 'stopcopy', 'postcopy']);
    expect(r.status).toBe('succeeded');
  });

  test('auto-converge: throttle 20 %, then +10 % per step, capped at 99 %, and the migration converges', () => {
    const p = exact({ dirty_rate_pages_s: 100_000, working_set_mib: 256, auto_converge: true, timeout_s: 600 });
    const r = simulateTrial(p, 1);
    const steps = r.events.filter((e) => e.kind === 'throttle-changed').map((e) => (e.detail as { throttle_pct: number }).throttle_pct);
    expect(steps.slice(0, 3)).toEqual([20, 30, 40]);
    for (const s of steps) expect(s).toBeLessThanOrEqual(99);
    expect(r.status).toBe('succeeded');
    // the dirty rate of a round is scaled by (1 − throttle): later rounds dirty less
    const pre = r.rounds_detail.filter((x) => x.phase === 'precopy');
    expect(pre[pre.length - 1].throttle_pct).toBeGreaterThan(0);
    expect(r.throttle_max_pct).toBe(Math.max(...steps));
    // without auto-converge the same guest never converges
    expect(simulateTrial({ ...p, auto_converge: false }, 1).failure_reason).toBe('not_converged');
  });

  test('sequential writer: converges iff it dirties fewer pages per ms than the link sends (r = D·(page+8)/bw < 1)', () => {
    const bw = bpms(128);
    const sendRate = bw / 4104; // pages per ms ≈ 32.7 → 32 704 pages/s
    const base = { dirty_pattern: 'sequential' as const, working_set_mib: 512, timeout_s: 120 };
    const D = 30_000 / 1000; // pages per ms, r ≈ 0.917
    const r = simulateTrial(exact({ ...base, dirty_rate_pages_s: D * 1000 }), 1);
    expect(r.status).toBe('succeeded');
    expect(D).toBeLessThan(sendRate);
    // well above the send rate it never converges (near it, mid-pass syncs that find pages already pending may still let it)
    const above = simulateTrial(exact({ ...base, dirty_rate_pages_s: 40_000 }), 1);
    expect(above.failure_reason).toBe('not_converged');
  });

  test('steady state (working set resent every interval) is counted in one step', () => {
    const p = exact({ dirty_pattern: 'sequential', working_set_mib: 64, dirty_rate_pages_s: 1_000_000, timeout_s: 60 });
    const r = simulateTrial(p, 1);
    expect(r.failure_reason).toBe('not_converged');
    // the rate limit holds over the whole run: 60 s at 128 MiB/s (whole windows; a window restarts at a pass's
    // end, so short pass tails may add a little)
    expect(r.transferred_bytes).toBeLessThanOrEqual(bpms(128) * 60_000 * 1.01);
    expect(r.transferred_bytes).toBeGreaterThan(bpms(128) * 59_900);
    // far fewer rows than rounds: the identical ones are aggregated
    expect(r.rounds_detail.length).toBeLessThan(r.rounds!);
    expect(r.rounds_detail.reduce((a, x) => a + x.duration_ms, 0)).toBeCloseTo(60_000, 6);
  });

  test('a tiny VM that fits the downtime limit at once goes straight to stop-and-copy', () => {
    const r = simulateTrial(exact({ memory_mib: 16, downtime_limit_ms: 1000 }), 1);
    // setup sync, the exact sync when the estimate fits, the completion sync: no pass
    expect(r.rounds).toBe(3);
    expect(r.rounds_detail.map((x) => x.phase)).toEqual(['stopcopy']);
  });
});
