/**
 * Steps every qemu trial shares: a well-defined start (VM healthy, workload set, prober warm) and, at the end,
 * the prober's record folded into the result.
 */
import path from 'node:path';
import type { Trial, TrialResult } from '../../core/backend.js';
import type { TrialParameters } from '../../core/spec/parameters.js';
import { MODE_PROPERTIES } from '../../core/modes.js';
import type { TrialEnding, TrialRecorder } from '../../core/results/recorder.js';
import { workloadLine, type GuestControl } from './control.js';
import { monoMs, sleep } from '../shared/exec.js';
import type { QemuLab } from './lab.js';
import type { HostSide } from './lab/topology.js';
import type { QemuVm } from './vm.js';
import { ProberProcess } from './prober-process.js';
import { summarizeProbes } from '../shared/probes.js';
import { summarizeTcpStalls } from '../shared/tcp-probes.js';
import { TcpProbeProcess } from './tcp-probe-process.js';

export const BOOT_TIMEOUT_MS = 90_000;
/**
 * Guest RAM the working set leaves to the guest's kernel and its RAM-backed root (the initramfs with busybox and
 * the agents, docs/qemu.md) and to the agent's own page table: the agent populates its working set at once
 * (mmap MAP_POPULATE, backends/shared/guest/agent.c), so a working set of all the RAM would run the guest out of
 * memory. A margin chosen with the guest image, not a measured minimum.
 */
export const GUEST_RESERVED_MIB = 96;
export const WARM_MS = 300;
/** After the VM is heard again, keep probing this long so the tail of the window is measured too. */
export const SETTLE_MS = 300;
/**
 * How long the UDP prober may wait to hear the VM again after it runs at the destination. Without an announce some
 * designs recover only when the supervisor's neighbour entry re-resolves the guest (Linux NUD defaults: REACHABLE
 * 15–45 s, DELAY 5 s, 3 unicast probes 1 s apart, then a broadcast): up to ~53 s, with room.
 */
export const HEARD_TIMEOUT_MS = 75_000;
/**
 * How long the TCP probe may still need to make progress once the network carries probes again: the next
 * retransmission comes one RTO after the last, and Linux caps the RTO at TCP_RTO_MAX = 120 s.
 */
export const TCP_RECOVERY_TIMEOUT_MS = 125_000;
/** A TCP probe that acknowledged nothing for this long is stalled (it reports progress every 20 ms). */
const TCP_STALLED_AFTER_MS = 100;

export async function setWorkload(control: GuestControl, trial: Trial, timeout_ms = 60_000): Promise<string | null> {
  const p = trial.params;
  return control.request(
    workloadLine({
      working_set_mib: Math.min(p.working_set_mib, Math.max(1, p.memory_mib - GUEST_RESERVED_MIB)),
      dirty_rate_pages_s: p.dirty_rate_pages_s,
      dirty_pattern: p.dirty_pattern,
      hot_set_share: p.hot_set_share,
      hot_write_share: p.hot_write_share,
      seed: trial.seed,
    }),
    'ok ready',
    timeout_ms,
  );
}

/** Starts the prober and waits until the guest answers; null when it never does. */
export async function startWarmProber(lab: QemuLab, trial: Trial, max_s: number): Promise<ProberProcess | null> {
  const prober = new ProberProcess(
    lab.image.prober,
    lab.topology.namespaces.supervisor,
    lab.topology.addresses.guest_ip,
    trial.params.probe_interval_ms,
    max_s,
    path.join(lab.runDir, `probes-${trial.index}.txt`),
  );
  const tcp = new TcpProbeProcess(
    lab.image.tcp_prober,
    lab.topology.namespaces.supervisor,
    lab.topology.addresses.guest_ip,
    max_s + TCP_RECOVERY_TIMEOUT_MS / 1000,
    path.join(lab.runDir, `tcp-${trial.index}.txt`),
  );
  const t0 = monoMs();
  prober.start();
  if (!(await prober.waitReply(t0, 10_000))) {
    await prober.stop();
    return null;
  }
  // A cold move reboots the guest: its TCP state is gone, the connection cannot survive (nothing to wait for).
  tcp.survivesMove = !MODE_PROPERTIES[trial.params.mode].reboots;
  tcp.start();
  prober.tcp = tcp;
  if (!(await tcp.waitConnected(10_000))) {
    await prober.stop();
    await tcp.stop();
    return null;
  }
  await sleep(WARM_MS);
  return prober;
}

/** Waits (bounded) until a stalled TCP probe makes progress again, stops it and writes `tcp_stall_ms`. */
async function foldTcpProbe(rec: TrialRecorder, tcp: TcpProbeProcess, origin_mono: number): Promise<void> {
  const now = monoMs();
  if (tcp.survivesMove) await tcp.waitProgress(now - TCP_STALLED_AFTER_MS, TCP_RECOVERY_TIMEOUT_MS);
  const record = await tcp.stop();
  if (!record) {
    rec.detail.tcp_probe_error = tcp.stderr.trim().slice(0, 300) || 'no record';
    return;
  }
  if (record.reset_ms !== null || !tcp.survivesMove) {
    // The guest rebooted (cold) or ended the connection: no stall to measure, the connection is lost.
    rec.detail.tcp_stall = { connection_lost: true, reset_ms: record.reset_ms === null ? null : record.reset_ms - origin_mono, interval_ms: record.interval_ms, sent: record.sent };
    return;
  }
  const s = summarizeTcpStalls(record, origin_mono, origin_mono - WARM_MS);
  rec.measure({ tcp_stall_ms: s.tcp_stall_ms });
  rec.detail.tcp_stall = { start_ms: s.stall_start_ms, end_ms: s.stall_end_ms, open: s.open, interval_ms: record.interval_ms, sent: record.sent };
}

/** Stops the prober and writes its columns into the result; returns when the VM was heard again after the outage. */
export async function foldProbes(rec: TrialRecorder, prober: ProberProcess, origin_mono: number): Promise<number | null> {
  const { interval_ms, samples } = await prober.stop();
  if (prober.tcp) await foldTcpProbe(rec, prober.tcp, origin_mono);
  prober.tcp = null;
  const s = summarizeProbes(samples, interval_ms, origin_mono, origin_mono - WARM_MS);
  rec.measure({ outage_ms: s.outage_ms, loss_pct: s.loss_pct, rtt_p50_ms: s.rtt_p50_ms, rtt_p99_ms: s.rtt_p99_ms });
  rec.gaps.push(...s.gaps);
  rec.detail.outage_loss_gap_ms = s.loss_gap_ms;
  rec.detail.outage_reply_silence_ms = s.reply_silence_ms;
  rec.detail.probes_sent = s.sent;
  rec.detail.probes_received = s.received;
  rec.detail.probe_interval_ms = interval_ms;
  return s.resumed_at_ms;
}

/**
 * Starts the design's control plane for the VM now running at `to` (route move, controller push) without waiting;
 * the returned promise records what it did on the trial's timeline and never rejects.
 */
export function startControlPlane(lab: QemuLab, rec: TrialRecorder, p: TrialParameters, from: HostSide, to: HostSide, running_at_mono: number, origin_mono: number): Promise<void> {
  return lab.topology.vmRunning(from, to, p, running_at_mono).then(
    (events) => {
      for (const { at_mono, ...e } of events) rec.events.push({ ...e, t_ms: at_mono - origin_mono });
    },
    (e: Error) => {
      rec.detail.control_plane_error = e.message.slice(0, 300);
    },
  );
}

export interface TrialStart {
  src: QemuVm;
  srcHost: HostSide;
  dstHost: HostSide;
  prober: ProberProcess;
}

/**
 * The opening every qemu trial shares: record source and destination, set the workload, start a warm prober
 * (allowed to run `prober_max_s`). Returns the failed result instead when the guest does not answer.
 */
export async function beginTrial(lab: QemuLab, trial: Trial, rec: TrialRecorder, prober_max_s: number): Promise<TrialStart | TrialResult> {
  const src = lab.vm!;
  const srcHost = lab.host;
  const dstHost = lab.otherHost();
  rec.detail.source_host = srcHost;
  rec.detail.destination_host = dstHost;
  const ready = await setWorkload(src.control!, trial);
  if (!ready?.startsWith('ok')) return rec.failed('agent_unreachable', `workload not set: ${ready ?? 'no answer'}`);
  rec.detail.workload = ready;
  const prober = await startWarmProber(lab, trial, prober_max_s);
  if (!prober) return rec.failed('agent_unreachable', 'the guest did not answer the UDP or TCP probes before the migration');
  rec.detail.network_facts = lab.topology.facts;
  return { src, srcHost, dstHost, prober };
}

/**
 * The prober ended mid-trial (killed, crashed): its record is lost, so the outage was not measured. Whatever the
 * migration did (kept in rounds, events, QEMU's figures, the memory verification), the trial is not a
 * measurement: orchestrator_error, the prober's columns NULL rather than figures from no probes.
 */
export function proberLost(rec: TrialRecorder, prober: ProberProcess): TrialEnding | null {
  const how = prober.exitedEarly;
  if (how === null) return null;
  rec.measure({ outage_ms: null, loss_pct: null, rtt_p50_ms: null, rtt_p99_ms: null });
  rec.gaps.length = 0;
  rec.detail.prober_exit = how;
  return { status: 'failed', reason: 'orchestrator_error', message: `the prober ${how} mid-trial: the outage was not measured` };
}
