/**
 * One live / postcopy / hybrid / suspend trial: the VM on its current hypervisor migrates to the other one
 * while the supervisor probes it; afterwards the destination's memory is verified by the guest agent.
 * A failed migration ends as a TrialResult with its reason, with the VM verified still serving at the source.
 */
import type { FailureReason, Trial, TrialResult } from '../../core/backend.js';
import { MODE_PROPERTIES } from '../../core/modes.js';
import { parseVerify, type GuestControl } from './control.js';
import { monoMs, sleep } from '../shared/exec.js';
import type { QemuLab } from './lab.js';
import type { TrialParameters } from '../../core/spec/parameters.js';
import { migrate, type MigrationOutcome, type MigrationStatus } from './migrate.js';
import type { QmpEvent } from './qmp.js';
import { failed, qmpEventRows } from './result.js';
import { roundsFromObservations } from './rounds.js';
import { beginTrial, foldProbes, SETTLE_MS, type TrialStart } from './trial-common.js';
import type { QemuVm } from './vm.js';

export interface TrialHooks {
  /** Test fault injection: called once the destination QEMU runs, before the migration starts. */
  onDestinationStarted?: (dst: QemuVm) => void;
}

const REASONS: Record<Exclude<MigrationStatus, 'completed'>, FailureReason> = {
  not_converged: 'not_converged',
  failed: 'orchestrator_error',
  dest_died: 'backend_crashed',
  source_died: 'vm_lost',
  aborted: 'aborted',
  timeout: 'timeout',
};

async function verifyMemory(control: GuestControl | null, r: TrialResult, where: string): Promise<boolean> {
  const line = control ? await control.request('verify', 'ok verify', 30_000) : null;
  const v = line ? parseVerify(line) : null;
  r.detail.memory_verification = v ? { where, ...v, ok: v.bad === 0 } : { where, ok: false, error: line ?? 'no answer' };
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
  r: TrialResult,
  signal: AbortSignal,
  verify_memory: boolean,
  hooks: TrialHooks = {},
): Promise<TrialResult> {
  const p = trial.params;
  const start = await beginTrial(lab, trial, r, p.timeout_s * 2 + 120);
  if ('status' in start) return start;
  const { src, dstHost, prober } = start;
  const run: MigrationRun = { dst: null, adopted: false, origin: monoMs() };
  try {
    const dst = await lab.startVm(dstHost, lab.shape!, true);
    run.dst = dst;
    hooks.onDestinationStarted?.(dst);
    const out = await migrate(src, dst, p, lab.topology.addresses.migration_ip[dstHost], signal);
    run.origin = out.paused_mono ?? out.requested_mono;
    const completedEvent = recordMigration(r, p, src, out, run.origin);
    if (out.status === 'completed') return await finishAtDestination(lab, r, p, start, dst, run, out, completedEvent, verify_memory);
    return await failBackAtSource(lab, r, start, dst, run.origin, out, verify_memory);
  } catch (e) {
    await foldProbes(r, prober, run.origin).catch(() => undefined);
    await lab.stopVm();
    return failed(r, 'orchestrator_error', (e as Error).message);
  } finally {
    if (run.dst) await collectQmpEvents(r, src, run.dst, run);
  }
}

/** The migration's own record: rounds, bytes, QEMU's figures; returns the source's MIGRATION completed event. */
function recordMigration(r: TrialResult, p: TrialParameters, src: QemuVm, out: MigrationOutcome, origin: number): QmpEvent | undefined {
  const paused = MODE_PROPERTIES[p.mode].paused_throughout;
  const shift = out.requested_mono - origin;
  const rel = (t: number): number => t - out.requested_mono;
  const srcEvents = src.qmp?.events ?? [];
  const completedEvent = srcEvents.find((e) => e.event === 'MIGRATION' && e.data?.status === 'completed' && e.t_mono_ms >= origin);
  const stopEvent = srcEvents.find((e) => e.event === 'STOP' && e.t_mono_ms >= origin - 1);
  r.rounds_detail = roundsFromObservations(out.samples, out.final, {
    pass_ms: srcEvents.filter((e) => e.event === 'MIGRATION_PASS' && e.t_mono_ms >= out.requested_mono - 1).map((e) => rel(e.t_mono_ms)),
    stop_ms: paused ? -shift : stopEvent ? rel(stopEvent.t_mono_ms) : null,
    end_ms: out.completed_mono === null ? null : rel(completedEvent?.t_mono_ms ?? out.completed_mono),
    postcopy: out.postcopy_started_ms !== null,
  }).map((row) => ({ ...row, start_ms: row.start_ms + shift }));
  const lastRam = out.final?.ram ?? [...out.samples].reverse().find((s) => s.info.ram)?.info.ram;
  r.transferred_bytes = lastRam?.transferred ?? null;
  r.rounds = lastRam?.['dirty-sync-count'] ?? null;
  r.detail.qemu_status = out.final?.status ?? out.samples.at(-1)?.info.status ?? null;
  r.detail.qemu_total_time_ms = out.final?.['total-time'] ?? null;
  r.detail.qemu_downtime_ms = out.final?.downtime ?? null;
  r.detail.qemu_setup_time_ms = out.final?.['setup-time'] ?? null;
  r.detail.postcopy_started_ms = out.postcopy_started_ms === null ? null : out.postcopy_started_ms + shift;
  if (out.error) r.detail.qemu_error = out.error;
  r.events.push({ t_ms: 0, source: 'themis', kind: paused ? 'stop-requested' : 'migrate-requested', detail: null });
  return completedEvent;
}

/** Completed: the guest heard at the destination, adopted as the lab's VM, its memory verified. */
async function finishAtDestination(
  lab: QemuLab,
  r: TrialResult,
  p: TrialParameters,
  start: TrialStart,
  dst: QemuVm,
  run: MigrationRun,
  out: MigrationOutcome,
  completedEvent: QmpEvent | undefined,
  verify_memory: boolean,
): Promise<TrialResult> {
  const { origin } = run;
  // The destination's RESUME event is when the guest runs again (the poll sees completion up to 50 ms late).
  const resumeEvent = dst.qmp?.events.find((e) => e.event === 'RESUME' && e.t_mono_ms >= origin);
  const runningAt = out.resumed_mono ?? resumeEvent?.t_mono_ms ?? out.completed_mono!;
  r.events.push({ t_ms: runningAt - origin, source: 'themis', kind: 'running-at-destination', detail: { host: start.dstHost } });
  const heard = await start.prober.waitReply(runningAt, 10_000);
  const controlOk = await dst.connectControl(10_000).catch(() => false);
  await lab.adopt(dst, start.dstHost);
  run.adopted = true;
  const verified = !verify_memory || (controlOk && (await verifyMemory(dst.control, r, 'destination')));
  await sleep(SETTLE_MS);
  const resumedAt = await foldProbes(r, start.prober, origin);
  r.downtime_ms = MODE_PROPERTIES[p.mode].paused_throughout ? out.resumed_mono! - out.paused_mono! : (out.final?.downtime ?? null);
  // Post-copy runs at the destination before it completes: the move is over when the source says completed.
  r.total_ms = Math.max(runningAt, completedEvent?.t_mono_ms ?? out.completed_mono!, resumedAt ?? runningAt) - origin;
  if (!heard) return failed(r, 'agent_unreachable', 'the guest was not heard by the prober after the migration');
  if (!verified) return failed(r, 'verification_failed', 'guest memory did not verify at the destination');
  r.status = 'succeeded';
  return r;
}

/** Failed: the VM must still be serving at the source. */
async function failBackAtSource(
  lab: QemuLab,
  r: TrialResult,
  start: TrialStart,
  dst: QemuVm,
  origin: number,
  out: MigrationOutcome,
  verify_memory: boolean,
): Promise<TrialResult> {
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
  const answering = running && (await prober.waitReply(failedAt, 5_000));
  r.detail.source_still_serving = answering;
  if (answering && verify_memory) await verifyMemory(src.control, r, 'source');
  await sleep(SETTLE_MS);
  await foldProbes(r, prober, origin);
  if (!answering) {
    await lab.stopVm();
    return failed(r, reason === 'not_converged' || reason === 'backend_crashed' ? 'vm_lost' : reason, `${out.status}; VM no longer serving at the source`);
  }
  return failed(r, reason, out.error ?? out.status);
}

/** Both QEMUs' QMP events into the result's events; the destination killed unless it became the lab's VM. */
async function collectQmpEvents(r: TrialResult, src: QemuVm, dst: QemuVm, run: MigrationRun): Promise<void> {
  r.events.push(...qmpEventRows(src.qmp?.events ?? [], run.origin, 'source'), ...qmpEventRows(dst.qmp?.events ?? [], run.origin, 'destination'));
  r.events.sort((x, y) => x.t_ms - y.t_ms);
  if (src.qmp) src.qmp.events.length = 0;
  if (!run.adopted) await dst.kill();
  else if (dst.qmp) dst.qmp.events.length = 0;
}
