/**
 * Pure analysis of the TCP probe's record (backends/shared/prober/tcpprobe.c): its stalls — the last acknowledged
 * progress before, the first after — on the monotonic clock, and the trial's `tcp_stall_ms`, the longest stall
 * that overlaps the trial's window. An open stall (end 0: still no progress when the probe stopped) ends at the
 * probe's end and is marked, since the real stall was longer.
 */
export interface TcpStall {
  start_ms: number;
  end_ms: number;
  open: boolean;
}

export interface TcpProbeRecord {
  interval_ms: number;
  sent: number;
  acked_bytes: number;
  connected_ms: number;
  end_ms: number;
  /** When the guest ended the connection (monotonic ms): a reboot forgets it; null = never */
  reset_ms: number | null;
  stalls: TcpStall[];
}

export function parseTcpProbeFile(text: string): TcpProbeRecord | null {
  const head = /^# themis-tcpprobe interval_us=(\d+) sent=(\d+) acked_bytes=(\d+) connected_ns=(\d+) end_ns=(\d+)(?: reset_ns=(\d+))?/m.exec(text);
  if (!head) return null;
  const end_ms = Number(head[5]) / 1e6;
  const stalls: TcpStall[] = [];
  for (const m of text.matchAll(/^stall (\d+) (\d+)$/gm)) {
    const open = m[2] === '0';
    stalls.push({ start_ms: Number(m[1]) / 1e6, end_ms: open ? end_ms : Number(m[2]) / 1e6, open });
  }
  return {
    interval_ms: Number(head[1]) / 1000,
    sent: Number(head[2]),
    acked_bytes: Number(head[3]),
    connected_ms: Number(head[4]) / 1e6,
    end_ms,
    reset_ms: head[6] && head[6] !== '0' ? Number(head[6]) / 1e6 : null,
    stalls,
  };
}

export interface TcpStallSummary {
  /** Longest stall overlapping [from_ms, ∞), ms; 0 when none exceeded the probe's reporting threshold */
  tcp_stall_ms: number;
  /** Where it started and ended, relative to `origin_ms` */
  stall_start_ms: number | null;
  stall_end_ms: number | null;
  /** The longest stall was still open when the probe stopped: tcp_stall_ms is a lower bound */
  open: boolean;
}

export function summarizeTcpStalls(rec: TcpProbeRecord, origin_ms: number, from_ms: number): TcpStallSummary {
  let best: TcpStall | null = null;
  for (const s of rec.stalls) {
    if (s.end_ms < from_ms) continue;
    if (!best || s.end_ms - s.start_ms > best.end_ms - best.start_ms) best = s;
  }
  if (!best) return { tcp_stall_ms: 0, stall_start_ms: null, stall_end_ms: null, open: false };
  return { tcp_stall_ms: best.end_ms - best.start_ms, stall_start_ms: best.start_ms - origin_ms, stall_end_ms: best.end_ms - origin_ms, open: best.open };
}
