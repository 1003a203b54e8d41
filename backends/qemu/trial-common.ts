/**
 * Steps every qemu trial shares: a well-defined start (VM healthy, workload set, prober warm) and, at the end,
 * the prober's record folded into the result.
 */
import path from 'node:path';
import type { Trial, TrialResult } from '../../core/backend.js';
import type { TrialEnding, TrialRecorder } from '../../core/results/recorder.js';
import { workloadLine, type GuestControl } from './control.js';
import { monoMs, sleep } from '../shared/exec.js';
import type { QemuLab } from './lab.js';
import type { HostSide } from './lab/topology.js';
import type { QemuVm } from './vm.js';
import { ProberProcess } from './prober-process.js';
import { summarizeProbes } from '../shared/probes.js';

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
  const t0 = monoMs();
  prober.start();
  if (!(await prober.waitReply(t0, 10_000))) {
    await prober.stop();
    return null;
  }
  await sleep(WARM_MS);
  return prober;
}

/** Stops the prober and writes its columns into the result; returns when the VM was heard again after the outage. */
export async function foldProbes(rec: TrialRecorder, prober: ProberProcess, origin_mono: number): Promise<number | null> {
  const { interval_ms, samples } = await prober.stop();
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
  if (!prober) return rec.failed('agent_unreachable', 'the guest did not answer probes before the migration');
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
