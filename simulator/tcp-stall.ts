/**
 * What a long-lived TCP connection feels across an outage: the supervisor writes a small message every
 * `intervalMs` (message k at k·interval, as the prober's probes) to the guest's responder, and the stall is
 * the time from the last message acknowledged before the outage to the first transmission that gets through
 * after it — longer than the ICMP gap because the sender retransmits on Linux's timer, not when the path
 * comes back. Pure: times in ms on the trial's axis, no clock.
 *
 * Linux's rules (net/ipv4/tcp_input.c, tcp_output.c, tcp_timer.c):
 *  - RTO = srtt + rttvar (__tcp_set_rto), where tcp_rtt_estimator keeps rttvar ≥ tcp_rto_min (mdev_max_us is
 *    reset to tcp_rto_min_us every RTT): on a LAN it is srtt + 200 ms, bounded by TCP_RTO_MAX (tcp_bound_rto);
 *  - the first message sent into the outage finds nothing in flight, so tcp_event_new_data_sent →
 *    tcp_rearm_rto arms the timer RTO after it; later sends do not re-arm it;
 *  - until that timer fires, new messages still go out if the socket lets them: with Nagle (the default)
 *    tcp_nagle_check holds every small message behind the unacknowledged one; with TCP_NODELAY they are sent
 *    while fewer than cwnd segments are in flight, and one that gets through is SACKed and the hole repaired
 *    at once (RACK);
 *  - at each expiry tcp_retransmit_timer resends the head, then icsk_rto = min(icsk_rto << 1, TCP_RTO_MAX) and
 *    inet_csk_reset_xmit_timer re-arms it: retransmissions at t₁ + RTO·(1 + 2 + 4 + …), each step at most
 *    TCP_RTO_MAX.
 * Left out: jiffies rounding of the RTO, the tail-loss probe (with more than one segment in flight it adds
 * one transmission 2·srtt + 2 jiffies after the second; otherwise it coincides with the RTO), and RTTs (a
 * fraction of a ms on the paths modelled). A stall is at least one message interval, the normal pace.
 */

/** Linux's RTO for a smoothed RTT `srttMs` and mean deviation `mdevMs`: srtt + max(rto_min, 4·mdev), at most rto_max. */
export function tcpRtoMs(srttMs: number, mdevMs: number, rtoMinMs: number, rtoMaxMs: number): number {
  const rttvar = 4 * mdevMs > rtoMinMs ? 4 * mdevMs : rtoMinMs;
  const rto = srttMs + rttvar;
  return rto < rtoMaxMs ? rto : rtoMaxMs;
}

/**
 * Stall across the outage [downStartMs, downEndMs), ms (Infinity if it never ends). `newSegments`: messages
 * that may go out into the outage before the first RTO (1 with Nagle, the congestion window with TCP_NODELAY).
 */
export function tcpStallMs(
  downStartMs: number,
  downEndMs: number,
  intervalMs: number,
  rtoMs: number,
  rtoMaxMs: number,
  newSegments: number,
): number {
  if (!(downEndMs < Number.POSITIVE_INFINITY)) return Number.POSITIVE_INFINITY;
  const first = Math.ceil(downStartMs / intervalMs) * intervalMs; // first message sent into the outage
  const lastAcked = first - intervalMs;
  if (first >= downEndMs) return intervalMs; // no message fell into it
  const j = Math.ceil((downEndMs - first) / intervalMs); // first new message at or after the end
  if (j < newSegments && j * intervalMs < rtoMs) return first + j * intervalMs - lastAcked;
  let at = first + rtoMs;
  let step = rtoMs;
  while (at < downEndMs && step < rtoMaxMs) {
    step = step * 2 < rtoMaxMs ? step * 2 : rtoMaxMs;
    at += step;
  }
  if (at < downEndMs) at += Math.ceil((downEndMs - at) / rtoMaxMs) * rtoMaxMs; // steps of TCP_RTO_MAX
  return at - lastAcked;
}
