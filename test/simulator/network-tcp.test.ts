/**
 * The TCP stall (simulator/tcp-stall.ts) against back-off sequences computed by hand from Linux's rules:
 * RTO = srtt + max(tcp_rto_min, 4·mdev); the first message into the outage arms it; each expiry resends the
 * head and doubles the RTO up to TCP_RTO_MAX.
 */
import { describe, expect, test } from 'vitest';
import { simulateTrial } from '../../simulator/simulate.js';
import { tcpRtoMs, tcpStallMs } from '../../simulator/tcp-stall.js';
import { exact } from './helpers.js';

describe('tcpRtoMs', () => {
  test("srtt + max(rto_min, 4·mdev), at most rto_max", () => {
    expect(tcpRtoMs(0.25, 0.05, 200, 120_000)).toBeCloseTo(200.25, 12);
    expect(tcpRtoMs(10, 60, 200, 120_000)).toBe(250);
    expect(tcpRtoMs(100_000, 10_000, 200, 120_000)).toBe(120_000);
  });
});

describe('tcpStallMs', () => {
  // messages every 5 ms; outage from 1000.5: last acknowledged message 1000, first lost 1005
  test('Nagle: only the RTO retransmissions, at 1005 + 200 × (1, 3, 7, 15 …)', () => {
    expect(tcpStallMs(1000.5, 1100, 5, 200, 120_000, 1)).toBe(205); // 1205 is through
    expect(tcpStallMs(1000.5, 1205, 5, 200, 120_000, 1)).toBe(205); // down until exactly the retransmission
    expect(tcpStallMs(1000.5, 1205.1, 5, 200, 120_000, 1)).toBe(605); // next: 1605
    expect(tcpStallMs(1000.5, 1700, 5, 200, 120_000, 1)).toBe(1405); // 2405
    // the whole default sequence: retransmissions 200, 600, 1400, 3000, 6200, 12 600, 25 400, 51 000,
    // 102 200, 204 600 ms after the first lost message, then steps of TCP_RTO_MAX (120 s): 324 600
    const after = [200, 600, 1400, 3000, 6200, 12_600, 25_400, 51_000, 102_200, 204_600, 324_600];
    for (let k = 1; k < after.length; k++) {
      expect(tcpStallMs(1000.5, 1005 + after[k - 1] + 0.5, 5, 200, 120_000, 1)).toBe(5 + after[k]);
    }
  });

  test('the back-off stops at rto_max', () => {
    // RTO 200, max 1000: 205, 605, 1405, then 1000 apart: 2405, 3405 … 10 405
    expect(tcpStallMs(0.5, 10_000, 5, 200, 1000, 1)).toBe(10_405);
    expect(tcpStallMs(0.5, 2405, 5, 200, 1000, 1)).toBe(2405);
  });

  test('TCP_NODELAY: a new message that gets through before the RTO ends the stall, within the window', () => {
    expect(tcpStallMs(1000.5, 1030, 5, 200, 120_000, 10)).toBe(30); // the message at 1030 is through
    expect(tcpStallMs(1000.5, 1052, 5, 200, 120_000, 10)).toBe(205); // 10 in flight by 1050: wait for the RTO
    expect(tcpStallMs(1000.5, 1052, 5, 200, 120_000, 100)).toBe(55); // a larger window: 1055
  });

  test('no message in the outage: the normal pace; an outage that never ends: infinite', () => {
    expect(tcpStallMs(1001, 1004.9, 5, 200, 120_000, 1)).toBe(5);
    expect(tcpStallMs(1001, Number.POSITIVE_INFINITY, 5, 200, 120_000, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('tcp_stall_ms of simulated trials', () => {
  test('a suspend: the stall ends at the first retransmission after the network is back', () => {
    // paused at 0: last acknowledged message at −5 ms, first lost at 0, RTO = 0.25 + 200 ms
    for (const memory_mib of [64, 256, 1024]) {
      const r = simulateTrial(exact({ mode: 'suspend', memory_mib, announce: true }), 1);
      const back = r.events.find((e) => e.kind === 'network-reconverged')!.t_ms;
      let at = 200.25;
      let step = 200.25;
      while (at < back) at += step *= 2;
      expect(r.tcp_stall_ms).toBeCloseTo(at + 5, 9);
      expect(r.tcp_stall_ms).toBeGreaterThanOrEqual(r.outage_ms!);
    }
  });

  test('stall ≥ outage in every mode and design, and one message interval when nothing was down', () => {
    for (const mode of ['live', 'postcopy', 'hybrid', 'suspend', 'cold', 'cold-hard'] as const) {
      for (const network of ['l2-announce', 'vxlan-learn', 'vxlan-fdb-push', 'routed-ospf'] as const) {
        for (const seed of [1, 2]) {
          const r = simulateTrial(exact({ mode, network, dirty_rate_pages_s: 20_000, bandwidth_jitter_share: 0.05 }), seed);
          if (r.outage_ms === null) continue;
          if (mode === 'cold' || mode === 'cold-hard') {
            expect(r.tcp_stall_ms).toBeNull(); // the reboot ends the connection: no stall to measure, as in the lab
            continue;
          }
          expect(r.tcp_stall_ms).toBeGreaterThanOrEqual(r.outage_ms);
        }
      }
    }
    const calm = simulateTrial(exact({ dirty_rate_pages_s: 1e6, working_set_mib: 256, timeout_s: 1 }), 1);
    expect(calm.failure_reason).toBe('not_converged');
    expect(calm.tcp_stall_ms).toBe(5);
  });
});
