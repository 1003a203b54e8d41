/**
 * One probe stream of a trial, whichever tool measures it (iperf3, or themis-prober when installed): started
 * before the migration request, stopped after the VM runs at the destination, and summarised on the trial's
 * timeline (ms since the request).
 */
import type { ProbeGapRow } from '../../core/backend.js';
import { ensureVmServer, ProbeStream, stopVmServer, type ProbeEndpoints } from './agents.js';
import { ensureResponder, ProberStream, proberInstalled } from './prober.js';
import type { SshConnection } from './ssh.js';

export interface ProbeResult {
  probe: 'iperf3' | 'themis-prober';
  outage_ms: number;
  loss_pct: number | null;
  rtt_p50_ms: number | null;
  rtt_p99_ms: number | null;
  /** start_ms on the trial's timeline */
  gaps: ProbeGapRow[];
  packets_received: number;
  /** Replies / packets arrived at the end of the stream: probes flow (again) */
  flowing: boolean;
  error: string | null;
}

export type ProbeKind = 'iperf3' | 'themis-prober';

/** Which tool measures: the prober when asked for and installed on both VMs, else iperf3. */
export async function chooseProbe(wanted: ProbeKind, supervisor: SshConnection, vm: SshConnection): Promise<ProbeKind> {
  if (wanted === 'themis-prober' && (await proberInstalled(supervisor, vm))) return 'themis-prober';
  return 'iperf3';
}

/** The VM side of a probe: a one-off server Themis started (to stop afterwards), or null when an agent serves. */
export async function ensureVmSide(kind: ProbeKind, vm: SshConnection, ep: ProbeEndpoints, timeout_ms: number): Promise<number | null> {
  return kind === 'iperf3' ? ensureVmServer(vm, ep, timeout_ms) : ensureResponder(vm, ep.port);
}

export { stopVmServer as stopVmSide };

export interface RunningProbe {
  stop(t0: number, timeout_ms: number): Promise<ProbeResult>;
}

export async function startProbe(kind: ProbeKind, supervisor: SshConnection, ep: ProbeEndpoints, interval_ms: number, max_s: number): Promise<RunningProbe> {
  if (kind === 'themis-prober') return ProberStream.start(supervisor, ep.vm_ip, ep.port, interval_ms, max_s);
  const stream = await ProbeStream.start(supervisor, ep, interval_ms, max_s);
  return {
    async stop(t0: number, timeout_ms: number): Promise<ProbeResult> {
      const s = await stream.stop(timeout_ms);
      const offset_ms = stream.started_at - t0;
      return {
        probe: 'iperf3',
        outage_ms: s.outage_ms,
        loss_pct: s.loss_pct,
        rtt_p50_ms: null,
        rtt_p99_ms: null,
        gaps: s.gaps.map((g) => ({ ...g, start_ms: g.start_ms + offset_ms })),
        packets_received: s.packets_received,
        flowing: s.tail_packets > 0,
        error: s.error,
      };
    },
  };
}
