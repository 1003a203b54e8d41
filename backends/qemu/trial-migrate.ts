/**
 * One live / postcopy / hybrid / suspend trial: the VM on its current hypervisor migrates to the other one
 * while the supervisor probes it; afterwards the destination's memory is verified by the guest agent.
 * A failed migration ends as a TrialResult with its reason, with the VM verified still serving at the source.
 */
import type { FailureReason, Trial, TrialResult } from '../../core/backend.js';
import { SUCCEEDED, type TrialEnding, type TrialRecorder } from '../../core/results/recorder.js';
import { MODE_PROPERTIES } from '../../core/modes.js';
import { parseVerify, type GuestControl } from './control.js';
import { monoMs, sleep } from '../shared/exec.js';
import type { QemuLab } from './lab.js';
import type { TrialParameters } from '../../core/spec/parameters.js';
import { migrate, type MigrationOutcome, type MigrationStatus } from './migrate.js';
import type { QmpEvent } from './qmp.js';
import { highestThrottlePct, qmpEventRows } from './result.js';
import { migrationFacts, QEMU_FACTS_KEY } from './migration-facts.js';
import { roundsFromObservations } from './rounds.js';
import { beginTrial, foldProbes, HEARD_TIMEOUT_MS, proberLost, SETTLE_MS, startControlPlane, type TrialStart } from './trial-common.js';
import type { ProberProcess } from './prober-process.js';
import type { QemuVm } from './vm.js';

/** What a fault-injection hook can reach: the trial, both QEMUs, the prober and the lab. */
export interface TrialFaultContext {
  trial: Trial;
  lab: QemuLab;
  src: QemuVm;
  prober: ProberProcess;
}

export interface TrialHooks {
  /** Test fault injection: called once the destination QEMU runs, before the migration starts. */
  onDestinationStarted?: (dst: QemuVm, ctx: TrialFaultContext) => void;
}

const REASONS: Record<Exclude<MigrationStatus, 'completed'>, FailureReason> = {
  not_converged: 'not_converged',
  // no progress at all until the timeout (the link down, the peer not reading): not a guest outpacing the link
  stalled: 'timeout',
  failed: 'orchestrator_error',
  dest_died: 'backend_crashed',
  source_died: 'vm_lost',
  aborted: 'aborted',
  timeout: 'timeout',
};

const failure = (reason: FailureReason, message: string): TrialEnding => ({ status: 'failed', reason, message });

async function verifyMemory(control: GuestControl | null, rec: TrialRecorder, where: string): Promise<boolean> {
  const line = control ? await control.request('verify', 'ok verify', 30_000) : null;
  const v = line ? parseVerify(line) : null;
  rec.detail.memory_verification = v ? { where, ...v, ok: v.bad === 0 } : { where, ok: false, error: line ?? 'no answer' };
  return v !== null && v.bad === 0;
}

/** What the clean-up needs to know of a trial in progress. */
interface MigrationRun {
  dst: QemuVm | null;
  /** The destination VM became the lab's VM (the migration succeeded) */
  adopted: boolean;
  /** The trial's time 0 (monotonic ms): the migration request, or the stop for suspend */
  origin: number;
}

export async function runMigrationTrial(
  lab: QemuLab,
  trial: Trial,
  rec: TrialRecorder,
  signal: AbortSignal,
  verify_memory: boolean,
  hooks: TrialHooks = {},
): Promise<TrialResult> {
  const p = trial.params;
  const start = await beginTrial(lab, trial, rec, p.timeout_s * 2 + 120);
  if ('status' in start) return start;
  const { src, dstHost, prober } = start;
  const run: MigrationRun = { dst: null, adopted: false, origin: monoMs() };
  let ending: TrialEnding;
  try {
    const dst = await lab.startVm(dstHost, lab.shape!, true);
    run.dst = dst;
    hooks.onDestinationStarted?.(dst, { trial, lab, src, prober });
    const out = await migrate(src, dst, p, lab.topology.addresses.migration_ip[dstHost], signal);
    run.origin = out.paused_mono ?? out.requested_mono;
    const completedEvent = recordMigration(rec, p, src, out, run.origin);
    ending = out.status === 'completed'
      ? await finishAtDestination(lab, rec, p, start, dst, run, out, completedEvent, verify_memory)
      : await failBackAtSource(lab, rec, start, dst, run.origin, out, verify_memory);
  } catch (e) {
    await foldProbes(rec, prober, run.origin).catch(() => undefined);
    await lab.stopVm();
    ending = { status: 'failed', reason: 'orchestrator_error', message: (e as Error).message };
  } finally {
    if (run.dst) await collectQmpEvents(rec, src, run.dst, run);
  }
  return rec.end(proberLost(rec, prober) ?? ending);
}

/** The migration's own record: rounds, bytes, QEMU's figures; returns the source's MIGRATION completed event. */
function recordMigration(rec: TrialRecorder, p: TrialParameters, src: QemuVm, out: MigrationOutcome, origin: number): QmpEvent | undefined {
  const paused = MODE_PROPERTIES[p.mode].paused_throughout;
  const shift = out.requested_mono - origin;
  const rel = (t: number): number => t - out.requested_mono;
  const srcEvents = src.qmp?.events ?? [];
  const completedEvent = srcEvents.find((e) => e.event === 'MIGRATION' && e.data?.status === 'completed' && e.t_mono_ms >= origin);
  const stopEvent = srcEvents.find((e) => e.event === 'STOP' && e.t_mono_ms >= origin - 1);
  const pass_ms = srcEvents.filter((e) => e.event === 'MIGRATION_PASS' && e.t_mono_ms >= out.requested_mono - 1).map((e) => rel(e.t_mono_ms));
  const stop_ms = paused ? -shift : stopEvent ? rel(stopEvent.t_mono_ms) : null;
  rec.rounds.push(...roundsFromObservations(out.samples, out.final, {
    pass_ms,
    stop_ms,
    end_ms: out.completed_mono === null ? null : rel(completedEvent?.t_mono_ms ?? out.completed_mono),
    postcopy: out.postcopy_started_ms !== null,
  }).map((row) => ({ ...row, start_ms: row.start_ms + shift })));
  const facts = migrationFacts({
    samples: out.samples,
    final: out.final,
    pass_ms,
    stop_ms: paused ? null : stop_ms,
    postcopy_started_ms: out.postcopy_started_ms,
    paused_throughout: paused,
    cap_mib_s: p.max_bandwidth_mib_s === 'unlimited' ? null : p.max_bandwidth_mib_s,
  });
  rec.detail[QEMU_FACTS_KEY] = facts;
  rec.measure({
    transferred_bytes: facts.transferred_bytes,
    rounds: facts.dirty_sync_count,
    throttle_max_pct: MODE_PROPERTIES[p.mode].precopy ? highestThrottlePct(out) : null,
    // without a post-copy phase no page can be requested after the switch
    postcopy_faults: MODE_PROPERTIES[p.mode].postcopy_phase ? facts.postcopy_requests : 0,
  });
  rec.detail.qemu_status = out.final?.status ?? out.samples.at(-1)?.info.status ?? null;
  rec.detail.qemu_total_time_ms = out.final?.['total-time'] ?? null;
  rec.detail.qemu_downtime_ms = out.final?.downtime ?? null;
  rec.detail.qemu_setup_time_ms = out.final?.['setup-time'] ?? null;
  rec.detail.postcopy_started_ms = out.postcopy_started_ms === null ? null : out.postcopy_started_ms + shift;
  if (out.error) rec.detail.qemu_error = out.error;
  rec.events.push({ t_ms: 0, source: 'themis', kind: paused ? 'stop-requested' : 'migrate-requested', detail: null });
  return completedEvent;
}

/** Completed: the guest heard at the destination, adopted as the lab's VM, its memory verified. */
async function finishAtDestination(
  lab: QemuLab,
  rec: TrialRecorder,
  p: TrialParameters,
  start: TrialStart,
  dst: QemuVm,
  run: MigrationRun,
  out: MigrationOutcome,
  completedEvent: QmpEvent | undefined,
  verify_memory: boolean,
): Promise<TrialEnding> {
  const { origin } = run;
  // The destination's RESUME event is when the guest runs again (the poll sees completion up to 50 ms late).
  const resumeEvent = dst.qmp?.events.find((e) => e.event === 'RESUME' && e.t_mono_ms >= origin);
  const runningAt = out.resumed_mono ?? resumeEvent?.t_mono_ms ?? out.completed_mono!;
  rec.events.push({ t_ms: runningAt - origin, source: 'themis', kind: 'running-at-destination', detail: { host: start.dstHost } });
  const controlPlane = startControlPlane(lab, rec, p, start.srcHost, start.dstHost, runningAt, origin);
  // The source QEMU ends as soon as the migration completed (as libvirt's confirm phase does), closing its tap:
  // the bridge then flushes that port's entries, which is part of how the network recovers without an announce.
  await lab.adopt(dst, start.dstHost);
  run.adopted = true;
  const heard = await start.prober.waitReply(runningAt, HEARD_TIMEOUT_MS);
  await controlPlane;
  const controlOk = await dst.connectControl(10_000).catch(() => false);
  const verified = !verify_memory || (controlOk && (await verifyMemory(dst.control, rec, 'destination')));
  await sleep(SETTLE_MS);
  const resumedAt = await foldProbes(rec, start.prober, origin);
  rec.measure({ downtime_ms: MODE_PROPERTIES[p.mode].paused_throughout ? out.resumed_mono! - out.paused_mono! : (out.final?.downtime ?? null) });
  // Post-copy runs at the destination before it completes: the move is over when the source says completed.
  rec.measure({ total_ms: Math.max(runningAt, completedEvent?.t_mono_ms ?? out.completed_mono!, resumedAt ?? runningAt) - origin });
  if (!heard) return failure('agent_unreachable', 'the guest was not heard by the prober after the migration');
  if (!verified) return failure('verification_failed', 'guest memory did not verify at the destination');
  return SUCCEEDED;
}

/** Failed: the VM must still be serving at the source. */
async function failBackAtSource(
  lab: QemuLab,
  rec: TrialRecorder,
  start: TrialStart,
  dst: QemuVm,
  origin: number,
  out: MigrationOutcome,
  verify_memory: boolean,
): Promise<TrialEnding> {
  const { src, prober } = start;
  const reason = REASONS[out.status as Exclude<MigrationStatus, 'completed'>];
  await dst.kill();
  const failedAt = monoMs();
  let running = false;
  try {
    running = !src.hasExited && (await src.qmp!.queryStatus()).running;
  } catch {
    running = false;
  }
  // Without a prober (it died mid-trial) the guest agent says whether the VM still serves.
  const answering =
    running &&
    (prober.exitedEarly === null ? await prober.waitReply(failedAt, 5_000) : (await src.control?.request('ping', 'ok pong', 5_000)) != null);
  rec.detail.source_still_serving = answering;
  if (answering && verify_memory) await verifyMemory(src.control, rec, 'source');
  await sleep(SETTLE_MS);
  await foldProbes(rec, prober, origin);
  if (!answering) {
    await lab.stopVm();
    return failure(reason === 'not_converged' || reason === 'backend_crashed' ? 'vm_lost' : reason, `${out.status}; VM no longer serving at the source`);
  }
  return failure(reason, out.error ?? out.status);
}

/** Both QEMUs' QMP events into the result's events; the destination killed unless it became the lab's VM. */
async function collectQmpEvents(rec: TrialRecorder, src: QemuVm, dst: QemuVm, run: MigrationRun): Promise<void> {
  rec.events.push(...qmpEventRows(src.qmp?.events ?? [], run.origin, 'source'), ...qmpEventRows(dst.qmp?.events ?? [], run.origin, 'destination'));
  if (src.qmp) src.qmp.events.length = 0;
  if (!run.adopted) await dst.kill();
  else if (dst.qmp) dst.qmp.events.length = 0;
}
