/**
 * Without QEMU's announce: which device holds the stale entry decides. Expected times by hand from Linux's
 * br_fdb_delete_by_port (flush with the deleted port) and net/core/neighbour.c neigh_timer_handler
 * (REACHABLE reachable_time → DELAY 5 s → 3 unicast probes 1 s apart → FAILED → broadcast).
 */
import { describe, expect, test } from 'vitest';
import { Random } from '../../core/random.js';
import { lastConfirmedMs, neighbourBroadcastAtMs, reachableTimeMs } from '../../simulator/network/neighbour.js';
import { simulateTrial } from '../../simulator/simulate.js';
import { exact } from './helpers.js';

function timeline(r: ReturnType<typeof simulateTrial>): { paused: number; resumed: number; reconverged: number } {
  const at = (kind: string): number => r.events.find((e) => e.kind === kind)!.t_ms;
  return { paused: at('vm-paused'), resumed: at('vm-resumed'), reconverged: at('network-reconverged') };
}

/** The trial's neighbour draws: after the bandwidth jitter's normal (two uniforms), for a suspend without link failures. */
function neighbourDraws(seed: number): { reachU: number; phaseU: number } {
  const r = new Random(seed);
  r.normal();
  return { reachU: r.next(), phaseU: r.next() };
}

describe("the supervisor's neighbour state machine (neighbour.ts)", () => {
  test('reachable_time is uniform in [base/2, 3·base/2)', () => {
    expect(reachableTimeMs(30_000, 0)).toBe(15_000);
    expect(reachableTimeMs(30_000, 0.5)).toBe(30_000);
    expect(reachableTimeMs(30_000, 0.999)).toBeCloseTo(44_970, 6);
  });

  test('broadcast after REACHABLE + DELAY + ucast_solicit × retrans, or the next one every retrans_time after', () => {
    // confirmed at 1000: REACHABLE to 31 000, DELAY to 36 000, probes at 36, 37, 38 s, FAILED at 39 s → broadcast
    expect(neighbourBroadcastAtMs(1000, 30_000, 5000, 3, 1000, 1200)).toBe(39_000);
    // the VM answers only from 40 500 on: the INCOMPLETE broadcasts at 40 000, 41 000 … → 41 000
    expect(neighbourBroadcastAtMs(1000, 30_000, 5000, 3, 1000, 40_500)).toBe(41_000);
    // Linux's floor of HZ/100 on the probe interval
    expect(neighbourBroadcastAtMs(0, 100, 0, 3, 1, 0)).toBe(130);
  });

  test('confirmed by traffic until the stop, or at a point of its own reachable + delay cycle', () => {
    expect(lastConfirmedMs(5000, true, 20_000, 5000, 0.3)).toBe(5000);
    expect(lastConfirmedMs(50_000, false, 20_000, 5000, 0.4)).toBe(50_000 - 0.4 * 25_000);
  });
});

describe('l2-announce without announce: where the stale entry sits', () => {
  const base = { mode: 'suspend', announce: false, network: 'l2-announce' } as const;

  test('supervisor on the source host: its bridge flushes the deleted port, the next probe floods — recovered at once', () => {
    const r = simulateTrial(exact({ ...base, supervisor_at: 'source-host' }), 3);
    const t = timeline(r);
    expect(t.reconverged - t.resumed).toBeCloseTo(0.05, 9); // the flush at the resume + switch_learn_ms
    expect(r.outage_ms).toBeLessThanOrEqual(r.downtime_ms! + 2);
    // the source QEMU quitting 40 ms after the resume: recovered then
    const late = timeline(simulateTrial(exact({ ...base, supervisor_at: 'source-host', source_port_gone_ms: 40 }), 3));
    expect(late.reconverged - late.resumed).toBeCloseTo(40.05, 9);
  });

  test("a remote stale entry waits for the supervisor's broadcast: reachable_time + 5 s + 3 × 1 s after the pause", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const supervisor_at of ['switch', 'destination-host'] as const) {
        const r = simulateTrial(exact({ ...base, supervisor_at }), seed);
        const t = timeline(r);
        const { reachU } = neighbourDraws(seed);
        expect(t.reconverged).toBeCloseTo(t.paused + 15_000 + 30_000 * reachU + 5000 + 3000 + 0.05, 6);
        expect(r.outage_ms).toBeGreaterThan(20_000); // seconds, not the ageing's 300 s
        expect(r.outage_ms).toBeLessThan(60_000);
      }
    }
  });

  test('confirmed only by its own probes: the pause falls at a seeded point of the cycle', () => {
    const after = [1, 2, 3, 4, 5, 6].map((seed) => {
      const t = timeline(simulateTrial(exact({ ...base, supervisor_neigh: 'own-probes' }), seed));
      const { reachU, phaseU } = neighbourDraws(seed);
      const reachable = 15_000 + 30_000 * reachU;
      expect(t.reconverged).toBeCloseTo(t.paused + (1 - phaseU) * (reachable + 5000) + 3000 + 0.05, 6);
      return t.reconverged - t.paused;
    });
    expect(Math.min(...after)).toBeGreaterThanOrEqual(3000);
    expect(new Set(after.map((x) => x.toFixed(3))).size).toBe(6);
  });

  test('the neighbour parameters move the broadcast as Linux would', () => {
    const p = exact({ ...base, base_reachable_time_ms: 2000, delay_first_probe_ms: 1000, ucast_solicit: 1, retrans_ms: 500 });
    const t = timeline(simulateTrial(p, 7));
    const { reachU } = neighbourDraws(7);
    expect(t.reconverged).toBeCloseTo(t.paused + 1000 + 2000 * reachU + 1000 + 500 + 0.05, 6);
  });
});

describe('vxlan-learn without announce', () => {
  const base = { mode: 'suspend', announce: false, network: 'vxlan-learn', vtep_learn_ms: 0.2 } as const;

  test("the stale entry is the supervisor's VTEP's: the neighbour broadcast, flooded to every VTEP, ends it", () => {
    const t = timeline(simulateTrial(exact(base), 2));
    const { reachU } = neighbourDraws(2);
    expect(t.reconverged).toBeCloseTo(t.paused + 15_000 + 30_000 * reachU + 8000 + 0.2, 6);
  });

  test("supervisor on the source host's bridge: the flush floods through the VTEP at once", () => {
    const t = timeline(simulateTrial(exact({ ...base, supervisor_at: 'source-host', source_port_gone_ms: 5 }), 2));
    expect(t.reconverged - t.resumed).toBeCloseTo(5.2, 9);
  });
});
