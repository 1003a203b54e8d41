/**
 * routed-ospf driven by the route changes (FRR zebra's 10 ms RIB work-queue hold on both ends, ospfd flooding
 * at once, AS-external LSAs installed without an SPF; stub routes through the SPF throttle `timers throttle
 * spf 0 50 5000`). Expected times by hand.
 */
import { describe, expect, test } from 'vitest';
import { defaultParameters } from '../../core/spec/parameters.js';
import { ospfReconvergedAtMs } from '../../simulator/network/routed-ospf.js';
import { exact } from './helpers.js';

describe('routed-ospf', () => {
  test("FRR's SPF throttle defaults are 0 / 50 / 5000 (lib/libospf.h)", () => {
    const d = defaultParameters();
    expect([d.spf_initial_ms, d.spf_hold_ms, d.spf_max_ms]).toEqual([0, 50, 5000]);
  });

  test('defaults: 11 ms to redistribute + 2 hops × 0.5 ms + 11 ms to install = 23 ms after the resume', () => {
    const p = exact({ network: 'routed-ospf' });
    expect(ospfReconvergedAtMs(p, 1000)).toBeCloseTo(1023, 9);
    // the SPF throttle plays no part for an external route
    expect(ospfReconvergedAtMs({ ...p, spf_initial_ms: 500, spf_hold_ms: 5000 }, 1000)).toBeCloseTo(1023, 9);
  });

  test("the later of the two route changes decides: the source's /32 goes with its tap", () => {
    const p = exact({ network: 'routed-ospf', source_port_gone_ms: 30 });
    expect(ospfReconvergedAtMs(p, 1000)).toBeCloseTo(1000 + 30 + 12 + 11, 9);
    expect(ospfReconvergedAtMs({ ...p, vm_route_add_ms: 45 }, 1000)).toBeCloseTo(1000 + 45 + 12 + 11, 9);
  });

  test('stub /32: a withdrawal within the hold time of the first SPF waits for the rest of it', () => {
    const p = exact({ network: 'routed-ospf', ospf_vm_route: 'stub', source_port_gone_ms: 30 });
    // events at 1012 (destination) and 1042 (source): SPF at 1012 (delay 0); 1042: elapsed 30 < hold 50 →
    // delay 20, SPF at 1062; + 11 ms install
    expect(ospfReconvergedAtMs(p, 1000)).toBeCloseTo(1073, 9);
    // both changes at once: one event, the SPF at once
    expect(ospfReconvergedAtMs({ ...p, source_port_gone_ms: 0 }, 1000)).toBeCloseTo(1023, 9);
    // a withdrawal after the hold: a quiet hold, delay 0 again
    expect(ospfReconvergedAtMs({ ...p, source_port_gone_ms: 80 }, 1000)).toBeCloseTo(1000 + 80 + 12 + 11, 9);
  });
});
