/**
 * The iperf3 probe: a UDP stream from the VM to the supervisor (`iperf3 -c <vm> -u -R`, run on the supervisor,
 * so the receiver — whose per-interval counts show the losses — is the supervisor), as in the original design.
 * Its JSON report (-J) is parsed here into probe gaps, the longest outage and the loss share.
 * iperf3 counts the packets lost in a silence only when packets flow again (by sequence number), so a gap's
 * length is its lost packets at the sending rate, or the silent 100 ms intervals when longer (a paused sender
 * loses nothing); a silence that never ends is measured by its intervals. Gaps under one interval (100 ms)
 * without loss are invisible to iperf3: the project's fine-grained prober is for those.
 */
import { z } from 'zod';
import type { ProbeGapRow } from '../../core/backend.js';
import { longestGap, outageMs } from '../../core/outage.js';

const intervalSum = z
  .object({
    start: z.number(),
    end: z.number(),
    packets: z.number().default(0),
    lost_packets: z.number().default(0),
  })
  .loose();

const reportSchema = z
  .object({
    start: z
      .object({
        test_start: z.object({ blksize: z.number(), target_bitrate: z.number().optional(), reverse: z.number().optional() }).loose(),
      })
      .loose(),
    intervals: z.array(z.object({ sum: intervalSum }).loose()).default([]),
    end: z
      .object({
        sum: z.object({ packets: z.number().optional(), lost_packets: z.number().optional(), lost_percent: z.number().optional() }).loose().optional(),
      })
      .loose()
      .optional(),
    error: z.string().optional(),
  })
  .loose();

export interface ProbeSummary {
  packets_received: number;
  packets_lost: number;
  loss_pct: number | null;
  /** Longest gap, ms (0 when none) */
  outage_ms: number;
  /** Gaps with start_ms relative to the probe's start */
  gaps: ProbeGapRow[];
  /** Packets received in the last `tail_s` seconds: > 0 means probes flow (again) */
  tail_packets: number;
  /** iperf3's own error text, except the expected one of an interrupted client */
  error: string | null;
  duration_s: number;
}

export interface Iperf3Settings {
  /** Datagram payload, bytes */
  length_bytes: number;
  packets_per_s: number;
}

/** Rate and size for a probe interval (e.g. 1 ms → 1000 packets/s of 64 bytes). */
export function iperf3Settings(probe_interval_ms: number): Iperf3Settings {
  // iperf3 cannot pace finer than ~10 µs and reports per 100 ms; keep the rate sane for the agents.
  const pps = Math.min(10_000, Math.max(10, Math.round(1000 / probe_interval_ms)));
  return { length_bytes: 64, packets_per_s: pps };
}

/** The supervisor's command line. `-t` is only an upper bound: the stream is stopped with SIGINT. */
export function iperf3ClientArgs(vm_ip: string, bind_ip: string | null, port: number, s: Iperf3Settings, max_s: number): string[] {
  return [
    'iperf3', '-c', vm_ip, ...(bind_ip ? ['-B', bind_ip] : []), '-p', String(port), '-u', '-R',
    '-b', String(s.packets_per_s * s.length_bytes * 8), '-l', String(s.length_bytes),
    '-t', String(Math.ceil(max_s)), '--interval', '0.1', '-J',
  ];
}

export class ProbeParseError extends Error {
  override readonly name = 'ProbeParseError';
}

const INTERRUPTED = /interrupt - the (client|server) has terminated/;

export function parseIperf3(json: string, tail_s = 0.3): ProbeSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ProbeParseError(`iperf3 output is not JSON: ${json.slice(0, 200)}`);
  }
  const r = reportSchema.safeParse(raw);
  if (!r.success) throw new ProbeParseError(`unexpected iperf3 report: ${z.prettifyError(r.error)}`);
  const rep = r.data;
  const ts = rep.start.test_start;
  const pps = ts.target_bitrate && ts.blksize > 0 ? ts.target_bitrate / (ts.blksize * 8) : 0;
  const sums = rep.intervals.map((i) => i.sum);
  const gaps: ProbeGapRow[] = [];
  let run: { start_s: number; end_s: number; lost: number; silent_s: number } | null = null;
  const close = (resumed: boolean) => {
    if (!run) return;
    // When traffic resumed, iperf3 counted the lost packets; when it did not, only the silence measures the gap.
    const lost = resumed || run.lost > 0 ? run.lost : Math.round(run.silent_s * pps);
    // A paused sender (a VM stopped for switch-over) loses nothing but goes silent, then catches up in a burst:
    // the gap is the longer of the silence and the lost packets' worth of time.
    const duration_ms = Math.max(pps > 0 ? (lost / pps) * 1000 : 0, run.silent_s * 1000);
    if (lost > 0 || run.silent_s > 0) {
      gaps.push({ probe: 'iperf3', direction: 'from_vm', start_ms: run.start_s * 1000, duration_ms, packets_lost: lost });
    }
    run = null;
  };
  for (const s of sums) {
    const lossy = s.lost_packets > 0 || s.packets === 0;
    if (!lossy) {
      close(true);
      continue;
    }
    run ??= { start_s: s.start, end_s: s.end, lost: 0, silent_s: 0 };
    run.end_s = s.end;
    run.lost += s.lost_packets;
    if (s.packets === 0) run.silent_s += s.end - s.start;
    if (s.packets > 0) close(true); // the interval where packets came back closes the gap
  }
  close(false);
  const received = sums.reduce((a, s) => a + Math.max(0, s.packets - s.lost_packets), 0);
  const lost = gaps.reduce((a, g) => a + g.packets_lost, 0);
  const duration_s = sums.length > 0 ? sums[sums.length - 1].end : 0;
  const tail = sums.filter((s) => s.end > duration_s - tail_s);
  const error = rep.error && !INTERRUPTED.test(rep.error) ? rep.error : null;
  return {
    packets_received: received,
    packets_lost: lost,
    loss_pct: received + lost > 0 ? (lost / (received + lost)) * 100 : null,
    // iperf3 has no reply times: each gap already takes the longer of its lost packets' time and its silence
    outage_ms: outageMs(longestGap(gaps)?.duration_ms ?? 0),
    gaps,
    tail_packets: tail.reduce((a, s) => a + s.packets, 0),
    error,
    duration_s,
  };
}
