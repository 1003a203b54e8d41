/**
 * The simulated prober: the supervisor sends a probe ('udp-echo', like the qemu backend's prober; direction 'rtt') every
 * probe_interval_ms from the request on, probe k at k·interval. A probe is lost when it is sent while the
 * VM cannot answer: paused, powered off, or the network not yet reconverged — the intervals the model
 * recorded with Scratch.addDown. Computed from the intervals, not probe by probe:
 *  - lost probes in [a, b) = ceil(b/I) − ceil(a/I); a gap row starts at the first lost probe and lasts
 *    lost × I (what a real prober sees: consecutive missing replies × interval);
 *  - outage_ms = the longest gap; loss_pct = lost / sent over the trial window;
 *  - the window runs from the request to max(total_ms, end of the last gap) + PROBE_TAIL_MS (1 s), so every
 *    gap is inside it and followed by answered probes; a VM lost for good leaves a gap open to the window end.
 * Probe flight time is ignored (a probe counts by its send time).
 *
 * Outage, against core/outage.ts's definition (max of the longest gap and the reply silence): replies here
 * arrive the moment their probe is sent, so the silence around a run of k lost probes is k × I — the gap —
 * and the simulator passes no separate silence to outageMs. It differs in one case only: two down intervals
 * that do not touch yet have no probe sent between them (the second starts less than one interval after the
 * first ends) give two adjacent gap rows here, where a real prober sees one run of lost probes (one gap, and a
 * silence, as long as both together). The only such pair the model records is a post-copy trial that ends
 * vm_lost (pause-and-reconvergence, then lost from lostAtMs on) when lostAtMs falls within one probe interval
 * after the network reconverged: the outage here is the longer piece, core's would be both. None of the six
 * campaigns of test/fixtures/campaign-hashes-before.json has two adjacent gaps, so this is left as it is.
 */
import { outageMs } from '../core/outage.js';
import type { TrialParameters } from '../core/spec/parameters.js';
import { PROBE_TAIL_MS, QEMU_FILE_BUFFER_BYTES } from './constants.js';
import { rttQuantileMs } from './rtt.js';
import type { Scratch } from './scratch.js';
import { tcpRtoMs, tcpStallMs } from './tcp-stall.js';

/** Overlap of [a0, a1) with the scratch's busy intervals, ms. */
function busyOverlap(s: Scratch, a0: number, a1: number): number {
  let sum = 0;
  for (let i = 0; i < s.nBusy; i++) {
    const lo = s.busyStart[i] > a0 ? s.busyStart[i] : a0;
    const hi = s.busyEnd[i] < a1 ? s.busyEnd[i] : a1;
    if (hi > lo) sum += hi - lo;
  }
  return sum;
}

/** Sorts and merges the down intervals in place (≤ 4 of them). */
function mergeDown(s: Scratch): void {
  const n = s.nDown;
  for (let i = 1; i < n; i++) {
    for (let k = i; k > 0 && s.downStart[k] < s.downStart[k - 1]; k--) {
      const a = s.downStart[k];
      const b = s.downEnd[k];
      s.downStart[k] = s.downStart[k - 1];
      s.downEnd[k] = s.downEnd[k - 1];
      s.downStart[k - 1] = a;
      s.downEnd[k - 1] = b;
    }
  }
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (m > 0 && s.downStart[i] <= s.downEnd[m - 1]) {
      if (s.downEnd[i] > s.downEnd[m - 1]) s.downEnd[m - 1] = s.downEnd[i];
    } else {
      s.downStart[m] = s.downStart[i];
      s.downEnd[m] = s.downEnd[i];
      m++;
    }
  }
  s.nDown = m;
}

/** Fills gaps, outage_ms, loss_pct and the RTT quantiles from the scratch's intervals. */
export function runProber(s: Scratch, intervalMs: number, rttBaseMs: number, rttJitterMs: number): void {
  mergeDown(s);
  let end = s.totalMs;
  for (let i = 0; i < s.nDown; i++) if (s.downEnd[i] > end && s.downEnd[i] !== Number.POSITIVE_INFINITY) end = s.downEnd[i];
  const windowEnd = end + PROBE_TAIL_MS;
  const sent = Math.ceil(windowEnd / intervalMs);
  let lostTotal = 0;
  let longest = 0;
  let downMs = 0;
  let busyDownMs = 0;
  for (let i = 0; i < s.nDown; i++) {
    const a = s.downStart[i] > 0 ? s.downStart[i] : 0;
    const b = s.downEnd[i] < windowEnd ? s.downEnd[i] : windowEnd;
    if (!(b > a)) continue;
    downMs += b - a;
    busyDownMs += busyOverlap(s, a, b);
    const first = Math.ceil(a / intervalMs);
    const lost = Math.min(Math.ceil(b / intervalMs), sent) - first;
    if (lost <= 0) continue;
    const duration = lost * intervalMs;
    s.addGap(first * intervalMs, duration, lost);
    lostTotal += lost;
    if (duration > longest) longest = duration;
  }
  s.outageMs = outageMs(longest);
  s.lossPct = (100 * lostTotal) / sent;
  const answeredMs = windowEnd - downMs;
  if (!(answeredMs > 0) || lostTotal >= sent) {
    s.rttP50Ms = Number.NaN;
    s.rttP99Ms = Number.NaN;
    return;
  }
  const busyShare = (busyOverlap(s, 0, windowEnd) - busyDownMs) / answeredMs;
  const queueMs = QEMU_FILE_BUFFER_BYTES / s.linkBytesPerMs;
  s.rttP50Ms = rttQuantileMs(0.5, rttBaseMs, queueMs, rttJitterMs, busyShare);
  s.rttP99Ms = rttQuantileMs(0.99, rttBaseMs, queueMs, rttJitterMs, busyShare);
}

/**
 * The TCP probe beside the prober (tcp-stall.ts): its longest stall over the merged down intervals (run after
 * runProber, which merges them); one message interval when nothing was down. The RTT estimate is the probes'
 * mean RTT (rtt_base_ms + rtt_jitter_ms) with rtt_jitter_ms as its mean deviation.
 */
export function runTcpProbe(s: Scratch, p: TrialParameters): void {
  const interval = p.tcp_message_interval_ms;
  const rto = tcpRtoMs(p.rtt_base_ms + p.rtt_jitter_ms, p.rtt_jitter_ms, p.tcp_rto_min_ms, p.tcp_rto_max_ms);
  const segments = p.tcp_nodelay ? p.tcp_cwnd_packets : 1;
  let longest = interval;
  for (let i = 0; i < s.nDown; i++) {
    const stall = tcpStallMs(s.downStart[i], s.downEnd[i], interval, rto, p.tcp_rto_max_ms, segments);
    if (stall > longest) longest = stall;
  }
  s.tcpStallMs = longest;
}
