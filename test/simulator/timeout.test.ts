import { describe, expect, test } from 'vitest';
import { simulateTrial } from '../../simulator/simulate.js';
import { exact } from './helpers.js';

// issue 14: with bandwidth 1e-9 MiB/s, postcopy and suspend "succeeded" with 10,000 years of downtime
describe('timeout_s bounds every phase that moves data', () => {
  const tiny = { link_bandwidth_mib_s: 1e-9, timeout_s: 20 };

  test('suspend still saving at the timeout: timeout, the VM resumed at the source', () => {
    const r = simulateTrial(exact({ mode: 'suspend', ...tiny }), 1);
    expect(r.status).toBe('failed');
    expect(r.failure_reason).toBe('timeout');
    expect(r.total_ms).toBeCloseTo(20_000, 6);
    expect(r.downtime_ms).toBeCloseTo(20_000, 6);
    expect(r.events.map((e) => e.kind)).toContain('vm-resumed-at-source');
    expect(r.events.map((e) => e.kind)).not.toContain('vm-resumed');
  });

  test('post-copy switch package still streaming at the timeout: timeout, the VM back at the source', () => {
    const r = simulateTrial(exact({ mode: 'postcopy', ...tiny }), 1);
    expect(r.failure_reason).toBe('timeout');
    expect(r.total_ms).toBeCloseTo(20_000, 6);
    expect(r.downtime_ms).toBeCloseTo(20_000, 6);
    expect(r.events.map((e) => e.kind)).toContain('vm-resumed-at-source');
    expect(r.postcopy_faults).toBe(0);
  });

  test('post-copy push still running at twice the timeout: timeout, the VM stays at the destination', () => {
    // the package (0.5 MiB) goes in ~1 s at 0.5 MiB/s; the 300 MiB push would take ~10 min; post-copy cannot be
    // cancelled, so the orchestrator gives it as long again as timeout_s (the qemu backend's hard deadline)
    const r = simulateTrial(exact({ mode: 'postcopy', link_bandwidth_mib_s: 0.5, timeout_s: 20, dirty_rate_pages_s: 1000 }), 1);
    expect(r.failure_reason).toBe('timeout');
    expect(r.total_ms).toBeCloseTo(40_000, 6);
    expect(r.downtime_ms).toBeGreaterThan(0);
    expect(r.downtime_ms).toBeLessThan(2_000);
    const kinds = r.events.map((e) => e.kind);
    expect(kinds).toContain('vm-resumed');
    expect(kinds).not.toContain('vm-resumed-at-source');
    expect(kinds).toContain('network-reconverged');
    expect(r.postcopy_faults).toBeGreaterThan(0);
  });

  test('live: never switches at a tiny bandwidth (not_converged, VM never paused); a stop-and-copy past the timeout is cancelled', () => {
    const r = simulateTrial(exact({ mode: 'live', ...tiny }), 1);
    expect(r.failure_reason).toBe('not_converged');
    expect(r.downtime_ms).toBe(0);
    // a tiny VM switches at once, but its payload at 0.01 MiB/s outlasts the timeout
    const s = simulateTrial(exact({ mode: 'live', memory_mib: 1, link_bandwidth_mib_s: 0.01, downtime_limit_ms: 1e6, timeout_s: 5 }), 1);
    expect(s.failure_reason).toBe('not_converged');
    expect(s.total_ms).toBeCloseTo(5_000, 6);
    expect(s.events.map((e) => e.kind)).toContain('vm-resumed-at-source');
  });
});
