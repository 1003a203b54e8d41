/**
 * The supervisor's neighbour (ARP) entry for the VM, as Linux runs it (net/core/neighbour.c
 * neigh_timer_handler, __neigh_event_send; net/ipv4/arp.c arp_solicit): when does the supervisor send the
 * broadcast that reaches the VM wherever it now is, while a stale forwarding entry swallows every frame sent
 * to the VM's MAC.
 *
 * From its last confirmation the entry is REACHABLE for reachable_time (neigh_rand_reach_time: uniform in
 * [base/2, 3·base/2), base_reachable_time_ms). The prober uses it every ms, so at expiry it goes straight to
 * DELAY (the `used` test); after delay_first_probe_time with no confirmation, PROBE: ucast_solicit unicast
 * ARP requests retrans_time apart, to the cached MAC — lost behind the stale entry like the probes. One
 * retrans_time after the last, probes ≥ neigh_max_probes (mcast_resolicit 0) → FAILED. The next packet
 * (the prober's, a ms later) finds FAILED and __neigh_event_send makes it INCOMPLETE with probes =
 * ucast_solicit, so arp_solicit broadcasts at once; an unanswered INCOMPLETE broadcasts every retrans_time
 * (mcast_solicit of them, FAILED, and the next packet starts again), so broadcasts follow every retrans_time.
 * A broadcast floods every bridge and VTEP, the VM answers from its new port and the network learns it.
 * Timer granularity (HZ/100 minimum) and the prober's ms to the next packet are ignored.
 */

/** Linux's floor on the probe interval: max(retrans_time, HZ/100) = 10 ms. */
const NEIGH_MIN_RETRANS_MS = 10;

/** reachable_time for a uniform draw `u` ∈ [0, 1): neigh_rand_reach_time(base) = base/2 + random below base. */
export function reachableTimeMs(baseMs: number, u: number): number {
  return baseMs * (0.5 + u);
}

/**
 * First broadcast ARP request at or after `notBeforeMs` (the VM can answer from its new place), ms.
 * `lastConfirmedMs`: the entry's last confirmation before the VM stopped answering.
 */
export function neighbourBroadcastAtMs(
  lastConfirmedMs: number,
  reachableMs: number,
  delayFirstProbeMs: number,
  ucastSolicit: number,
  retransMs: number,
  notBeforeMs: number,
): number {
  const retrans = retransMs > NEIGH_MIN_RETRANS_MS ? retransMs : NEIGH_MIN_RETRANS_MS;
  const first = lastConfirmedMs + reachableMs + delayFirstProbeMs + ucastSolicit * retrans;
  if (first >= notBeforeMs) return first;
  return first + Math.ceil((notBeforeMs - first) / retrans) * retrans;
}

/**
 * The last confirmation before the VM stopped answering at `stopMs`. A connection's ACKs (tcp_ack →
 * sk_dst_confirm) confirm the entry up to the stop; the state machine's own answered probe confirms it once
 * a cycle (reachable + delay: the probe is answered at once), so the stop falls at a uniform point `phase`
 * of that cycle.
 */
export function lastConfirmedMs(stopMs: number, byTraffic: boolean, reachableMs: number, delayFirstProbeMs: number, phase: number): number {
  return byTraffic ? stopMs : stopMs - phase * (reachableMs + delayFirstProbeMs);
}
