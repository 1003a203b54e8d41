import { describe, expect, test } from 'vitest';
import { announceGapMs } from '../../simulator/network/announce-schedule.js';
import { simulateTrial } from '../../simulator/simulate.js';
import { exact } from './helpers.js';

/** [pause, reconverged) as the trial recorded them. */
function timeline(r: ReturnType<typeof simulateTrial>): { paused: number; resumed: number; reconverged: number } {
  const at = (kind: string): number => r.events.find((e) => e.kind === kind)!.t_ms;
  return { paused: at('vm-paused'), resumed: at('vm-resumed'), reconverged: at('network-reconverged') };
}

/** With 1 ms probes the longest gap is the whole ms ticks inside [pause, reconverged). */
function expectedOutage(from: number, to: number, intervalMs = 1): number {
  return (Math.ceil(to / intervalMs) - Math.ceil(from / intervalMs)) * intervalMs;
}

describe('network reconvergence after the resume', () => {
  test('QEMU announce rounds at 0, 50, 200, 450, 800 ms after the resume', () => {
    expect([1, 2, 3, 4].map((sent) => announceGapMs(sent, 50, 100))).toEqual([50, 150, 250, 350]);
    // capped at QEMU's announce-max, 550 ms
    expect([1, 2, 3].map((sent) => announceGapMs(sent, 50, 300))).toEqual([50, 350, 550]);
    const r = simulateTrial(exact({ mode: 'suspend' }), 1);
    const { resumed } = timeline(r);
    const announces = r.events.filter((e) => e.kind === 'announce').map((e) => e.t_ms - resumed);
    expect(announces.map((x) => Math.round(x * 1e6) / 1e6)).toEqual([0, 50, 200, 450, 800]);
  });

  test('l2-announce: the first announce fixes the bridges after switch_learn_ms', () => {
    const r = simulateTrial(exact({ mode: 'suspend', network: 'l2-announce', switch_learn_ms: 3 }), 1);
    const t = timeline(r);
    expect(t.reconverged - t.resumed).toBeCloseTo(3, 9);
    expect(r.outage_ms).toBe(expectedOutage(t.paused, t.reconverged));
  });

  test('l2 without announce, static neighbour entry: learned only when the stale entry ages out (mac_ageing_s after the last frame at the source)', () => {
    const r = simulateTrial(exact({ mode: 'suspend', announce: false, supervisor_neigh: 'permanent', mac_ageing_s: 20, switch_learn_ms: 0.05 }), 1);
    const t = timeline(r);
    expect(t.reconverged).toBeCloseTo(t.paused + 20_000 + 0.05, 9);
    expect(r.outage_ms).toBe(expectedOutage(t.paused, t.reconverged));
    expect(r.events.some((e) => e.kind === 'announce')).toBe(false);
  });

  test('vxlan-learn: remote VTEPs relearn from the flooded RARP after vtep_learn_ms; without it (static neighbour) on FDB ageing', () => {
    const r = simulateTrial(exact({ mode: 'suspend', network: 'vxlan-learn', vtep_learn_ms: 7 }), 1);
    const t = timeline(r);
    expect(t.reconverged - t.resumed).toBeCloseTo(7, 9);
    const q = simulateTrial(
      exact({ mode: 'suspend', network: 'vxlan-learn', announce: false, supervisor_neigh: 'permanent', mac_ageing_s: 10, vtep_learn_ms: 7 }),
      1,
    );
    const u = timeline(q);
    expect(u.reconverged).toBeCloseTo(u.paused + 10_000 + 7, 9);
  });

  test('vxlan-fdb-push: controller latency + hosts × per-host update (supervisor host updated last)', () => {
    const r = simulateTrial(exact({ network: 'vxlan-fdb-push', controller_latency_ms: 150, hosts: 16, fdb_update_per_host_ms: 4 }), 1);
    const t = timeline(r);
    expect(t.reconverged - t.resumed).toBeCloseTo(150 + 16 * 4, 9);
    expect(r.outage_ms).toBe(expectedOutage(t.paused, t.reconverged));
    // the announce does not help: remote VTEPs do not learn
    const n = simulateTrial(exact({ network: 'vxlan-fdb-push', announce: false }), 1);
    expect(timeline(n).reconverged - timeline(n).resumed).toBeCloseTo(150 + 16 * 4, 9);
  });

  test('vxlan-fdb-push: controller latency varies between repetitions with controller_jitter_share', () => {
    const p = exact({ network: 'vxlan-fdb-push', controller_jitter_share: 0.2 });
    const after = [1, 2, 3, 4, 5].map((seed) => {
      const t = timeline(simulateTrial(p, seed));
      return t.reconverged - t.resumed;
    });
    expect(new Set(after.map((x) => x.toFixed(6))).size).toBe(5);
  });

  test('routed-ospf: route change + redistribution (detect) + hops × LSA hop + FIB install, tens of ms with the defaults', () => {
    const p = exact({ network: 'routed-ospf', ospf_detect_ms: 11, ospf_hops: 3, ospf_lsa_hop_ms: 0.5, fib_install_ms: 11 });
    const t = timeline(simulateTrial(p, 1));
    expect(t.reconverged - t.resumed).toBeCloseTo(11 + 3 * 0.5 + 11, 9);
    // FRR's and zebra's defaults: 11 + 2 × 0.5 + 11 = 23 ms after the resume, no hello or dead timer involved
    const d = timeline(simulateTrial(exact({ network: 'routed-ospf' }), 1));
    expect(d.reconverged - d.resumed).toBeCloseTo(23, 9);
  });

  test('cold: the guest booting at the destination teaches the network (announce flag irrelevant)', () => {
    const r = simulateTrial(exact({ mode: 'cold', announce: false, network: 'l2-announce' }), 1);
    expect(r.outage_ms).toBeLessThanOrEqual(Math.ceil(r.downtime_ms!) + 1);
    expect(r.outage_ms).toBeGreaterThanOrEqual(Math.floor(r.downtime_ms!));
  });
});
