/**
 * Pure analysis of the prober's record: loss gaps, the outage (core/outage.ts), loss and RTT percentiles
 * (core/quantile.ts) — the same columns the simulator fills. Times are ms on the monotonic clock;
 * `origin_ms` (the migration request) becomes 0 on the trial's timeline.
 */
import { lossGaps, longestGap, outageMs, replySilenceMs } from '../../core/outage.js';
import { quantileSortedType7 } from '../../core/quantile.js';
import type { ProbeGapRow } from '../../core/backend.js';

export interface ProbeSample {
  seq: number;
  send_ms: number;
  /** null when no reply came back */
  recv_ms: number | null;
}

export interface ProbeSummary {
  sent: number;
  received: number;
  loss_pct: number | null;
  rtt_p50_ms: number | null;
  rtt_p99_ms: number | null;
  /** max(longest loss gap, longest silence between reply arrivals minus one interval) */
  outage_ms: number;
  /** Longest run of lost probes, ms */
  loss_gap_ms: number;
  /** Longest time without any reply arriving, minus one probe interval: catches replies delayed, not lost */
  reply_silence_ms: number;
  gaps: ProbeGapRow[];
  /** First reply after the longest gap (monotonic ms), when there was a gap */
  resumed_at_ms: number | null;
}

/** Parses the prober's output file ("seq send_ns recv_ns" lines, recv_ns 0 = lost). */
export function parseProberFile(text: string): { interval_ms: number; samples: ProbeSample[] } {
  let interval_ms = 1;
  const samples: ProbeSample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      const m = /interval_us=(\d+)/.exec(line);
      if (m) interval_ms = Number(m[1]) / 1000;
      continue;
    }
    const parts = line.trim().split(' ');
    if (parts.length !== 3) continue;
    const recv = Number(parts[2]);
    samples.push({ seq: Number(parts[0]), send_ms: Number(parts[1]) / 1e6, recv_ms: recv === 0 ? null : recv / 1e6 });
  }
  return { interval_ms, samples };
}

/**
 * The record's columns on the trial's timeline. Gaps, reply silence and outage as core/outage.ts defines
 * them; RTT percentiles by core/quantile.ts (DuckDB's quantile_cont). Only probes sent in [from_ms, to_ms] count.
 */
export function summarizeProbes(
  samples: readonly ProbeSample[],
  interval_ms: number,
  origin_ms: number,
  from_ms = Number.NEGATIVE_INFINITY,
  to_ms = Number.POSITIVE_INFINITY,
): ProbeSummary {
  const window = samples.filter((s) => s.send_ms >= from_ms && s.send_ms <= to_ms);
  const rtts = window.filter((s) => s.recv_ms !== null).map((s) => (s.recv_ms as number) - s.send_ms).sort((x, y) => x - y);
  const lost = lossGaps(window, interval_ms);
  const gaps: ProbeGapRow[] = lost.map((g) => ({ probe: 'udp-echo', direction: 'rtt', start_ms: g.start_ms - origin_ms, duration_ms: g.duration_ms, packets_lost: g.packets_lost }));
  const longest = longestGap(lost);
  const silence = replySilenceMs(window, interval_ms);
  const sent = window.length;
  const received = rtts.length;
  return {
    sent,
    received,
    loss_pct: sent === 0 ? null : (100 * (sent - received)) / sent,
    rtt_p50_ms: received === 0 ? null : quantileSortedType7(rtts, 0.5),
    rtt_p99_ms: received === 0 ? null : quantileSortedType7(rtts, 0.99),
    outage_ms: outageMs(longest?.duration_ms ?? 0, silence),
    loss_gap_ms: longest?.duration_ms ?? 0,
    reply_silence_ms: silence,
    gaps,
    resumed_at_ms: longest?.resumed_at_ms ?? null,
  };
}
