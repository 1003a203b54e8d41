/**
 * The one definition of a trial's outage (its outcome column, core/results/outcomes.ts), from a prober's
 * record: one probe sent every `interval_ms`, each answered (its reply's arrival time) or lost.
 *
 *  - A **gap** is a run of consecutive unanswered probes. It lasts from the first lost probe's send time to the
 *    send time of the next answered probe; a run still open at the end of the record lasts to the last send
 *    plus one interval. So a gap of k lost probes lasts k × interval when probes go out on time.
 *  - The **reply silence** is the longest time between two consecutive reply arrivals, minus one probe
 *    interval (the time between replies when nothing is wrong). It sees what gaps cannot: replies that are
 *    delayed rather than lost — a VM paused with its probes queued answers them all at once on resume, so no
 *    probe is lost but nothing was heard for the whole pause.
 *  - The **outage** is the larger of the two: the longest time the VM was not heard, whether its probes were
 *    lost or only late. When every reply comes back within one interval of its probe, the silence around a gap
 *    of k probes is k × interval too, and the two agree.
 *
 * Used by the qemu probe analysis (backends/shared/probes.ts, which the opennebula backend's themis-prober
 * shares) and by opennebula's iperf3 probe, whose per-second counts have no reply times: its gaps already
 * take the longer of lost packets' time and silence, and it passes no separate silence. The simulator's
 * prober (simulator/prober.ts) counts lost probes analytically and uses the longest gap; see its header
 * for when that differs from this definition.
 */

/** One probe of a record (ms on the prober's clock); `recv_ms` null when no reply came back. */
export interface ProbeRecord {
  send_ms: number;
  recv_ms: number | null;
}

/** One run of lost probes, on the prober's clock. */
export interface LossGap {
  /** Send time of the first lost probe */
  start_ms: number;
  duration_ms: number;
  packets_lost: number;
  /** Arrival of the first reply after the gap; null for a gap open at the end of the record */
  resumed_at_ms: number | null;
}

/** The gaps of a record (probes in send order), as defined above. */
export function lossGaps(probes: readonly ProbeRecord[], interval_ms: number): LossGap[] {
  const gaps: LossGap[] = [];
  let i = 0;
  while (i < probes.length) {
    if (probes[i].recv_ms !== null) {
      i++;
      continue;
    }
    let j = i;
    while (j < probes.length && probes[j].recv_ms === null) j++;
    const end_ms = j < probes.length ? probes[j].send_ms : probes[j - 1].send_ms + interval_ms;
    gaps.push({ start_ms: probes[i].send_ms, duration_ms: end_ms - probes[i].send_ms, packets_lost: j - i, resumed_at_ms: j < probes.length ? probes[j].recv_ms : null });
    i = j;
  }
  return gaps;
}

/** The longest gap (the first of equally long ones), or null when nothing was lost. */
export function longestGap<G extends { duration_ms: number }>(gaps: readonly G[]): G | null {
  let longest: G | null = null;
  for (const g of gaps) if (g.duration_ms > (longest?.duration_ms ?? 0)) longest = g;
  return longest;
}

/** The reply silence of a record, as defined above (0 with fewer than two replies). */
export function replySilenceMs(probes: readonly ProbeRecord[], interval_ms: number): number {
  const arrivals = probes.filter((s) => s.recv_ms !== null).map((s) => s.recv_ms as number).sort((x, y) => x - y);
  let silence = 0;
  for (let k = 1; k < arrivals.length; k++) silence = Math.max(silence, arrivals[k] - arrivals[k - 1] - interval_ms);
  return silence;
}

/** The outage: the longest gap or the reply silence, whichever is longer (0 when neither). */
export function outageMs(longest_gap_ms: number, reply_silence_ms = 0): number {
  return Math.max(longest_gap_ms, reply_silence_ms);
}
