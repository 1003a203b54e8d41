import { describe, expect, test } from 'vitest';
import { simulateTrial } from '../../simulator/simulate.js';
import { exact } from './helpers.js';

describe('simulated prober', () => {
  test('gaps count the probes sent while the VM cannot answer; loss over request → end + 1 s', () => {
    for (const interval of [1, 7, 50]) {
      const r = simulateTrial(exact({ mode: 'suspend', probe_interval_ms: interval }), 1);
      const paused = r.events.find((e) => e.kind === 'vm-paused')!.t_ms;
      const reconverged = r.events.find((e) => e.kind === 'network-reconverged')!.t_ms;
      const lost = Math.ceil(reconverged / interval) - Math.ceil(paused / interval);
      expect(r.probe_gaps).toHaveLength(1);
      const g = r.probe_gaps[0];
      expect(g).toMatchObject({ probe: 'udp-echo', direction: 'rtt', packets_lost: lost, duration_ms: lost * interval });
      expect(g.start_ms).toBe(Math.ceil(paused / interval) * interval);
      expect(r.outage_ms).toBe(lost * interval);
      const sent = Math.ceil((Math.max(r.total_ms!, reconverged) + 1000) / interval);
      expect(r.loss_pct).toBeCloseTo((100 * lost) / sent, 12);
    }
  });

  test('a pause shorter than the probe interval may lose no probe at all', () => {
    const r = simulateTrial(exact({ mode: 'live', probe_interval_ms: 1000, switchover_cost_ms: 0, nonzero_share: 0, device_state_kib: 64 }), 1);
    expect(r.downtime_ms).toBeLessThan(1);
    expect(r.outage_ms === 0 || r.outage_ms === 1000).toBe(true);
  });

  test('RTT percentiles: base + jitter when idle; pre-copy traffic adds queueing', () => {
    const idle = simulateTrial(exact({ mode: 'cold', rtt_base_ms: 0.2, rtt_jitter_ms: 0.05 }), 1);
    expect(idle.rtt_p50_ms).toBeCloseTo(0.2 + 0.05 * Math.log(2), 9);
    expect(idle.rtt_p99_ms).toBeCloseTo(0.2 + 0.05 * Math.log(100), 9);
    const live = simulateTrial(exact({ mode: 'live', rtt_base_ms: 0.2, rtt_jitter_ms: 0.05 }), 1);
    expect(live.rtt_p50_ms!).toBeGreaterThan(idle.rtt_p50_ms!);
    expect(live.rtt_p99_ms!).toBeGreaterThan(live.rtt_p50_ms!);
  });
});
