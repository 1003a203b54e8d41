/**
 * Routed /32 per VM with OSPF (FRR zebra + ospfd). Driven by the kernel route changes, not by hello/dead
 * timers (no adjacency changes in a move): the destination adds the VM's /32 `vm_route_add_ms` after the
 * resume; the source's goes with the VM's tap `source_port_gone_ms` after it. Each change reaches ospfd after
 * `ospf_detect_ms` (zebra reads the netlink change, its RIB work queue holds ZEBRA_RIB_PROCESS_HOLD_TIME =
 * 10 ms, then redistributes: ospf_zebra_read_route → ospf_external_lsa_originate / ospf_external_lsa_flush),
 * the LSA floods `ospf_hops` hops of `ospf_lsa_hop_ms` (ospf_ls_upd_send_queue_event runs at once) to the
 * router where the paths to the two hosts part — the supervisor's router. There:
 *  - `external` (redistributed kernel route, an AS-external LSA): ospf_external_lsa_install →
 *    ospf_ase_incremental_update computes the route at once, no SPF;
 *  - `stub` (the /32 in the host's router-LSA): ospf_router_lsa_install → ospf_spf_calculate_schedule, the
 *    SPF throttle (spf-throttle.ts) — one event per change, so a withdrawal shortly after an origination
 *    waits out the hold time;
 * then zebra installs it in the kernel (`fib_install_ms`: the same 10 ms work-queue hold + netlink). The route
 * is right once both changes are in: until the source's /32 is withdrawn its LSA still draws the traffic
 * (or half of it, ECMP), until the destination's arrives there is none.
 */
import type { TrialParameters } from '../../core/spec/parameters.js';
import { scheduleSpf, type SpfThrottleState } from './spf-throttle.js';

/** One throttle reused trial after trial (reset each time): the model allocates nothing per trial. */
const throttle: SpfThrottleState = { lastSpfMs: Number.NEGATIVE_INFINITY, multiplier: 1, scheduledAtMs: Number.NaN };

/** Supervisor's route to the VM's new location is installed at (ms). */
export function ospfReconvergedAtMs(p: TrialParameters, moveAtMs: number): number {
  const flood = p.ospf_detect_ms + p.ospf_hops * p.ospf_lsa_hop_ms;
  const added = moveAtMs + p.vm_route_add_ms + flood;
  const withdrawn = moveAtMs + p.source_port_gone_ms + flood;
  const first = added < withdrawn ? added : withdrawn;
  const last = added < withdrawn ? withdrawn : added;
  if (p.ospf_vm_route === 'external') return last + p.fib_install_ms;
  // The router had no SPF within a hold time before the move (one migration per trial): a fresh throttle.
  throttle.lastSpfMs = Number.NEGATIVE_INFINITY;
  throttle.multiplier = 1;
  throttle.scheduledAtMs = Number.NaN;
  scheduleSpf(throttle, first, p.spf_initial_ms, p.spf_hold_ms, p.spf_max_ms);
  return scheduleSpf(throttle, last, p.spf_initial_ms, p.spf_hold_ms, p.spf_max_ms) + p.fib_install_ms;
}
