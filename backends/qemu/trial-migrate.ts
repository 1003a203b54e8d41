/**
 * One live / postcopy / hybrid / suspend trial: the VM on its current hypervisor migrates to the other one
 * while the supervisor probes it; afterwards the destination's memory is verified by the guest agent.
 * A failed migration ends as a TrialResult with its reason, with the VM verified still serving at the source.
 */
import type { FailureReason, Trial, TrialResult } from '../../core/backend.js';
import { parseVerify, type GuestControl } from './control.js';
import { monoMs, sleep } from '../shared/exec.js';
import type { QemuLab } from './lab.js';
import { migrate, type MigrationStatus } from './migrate.js';
import { failed, qmpEventRows } from './result.js';
import { roundsFromObservations } from './rounds.js';
import { beginTrial, foldProbes, SETTLE_MS } from './trial-common.js';
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

  let dst: QemuVm | null = null;
  let adopted = false;
  let origin = monoMs();
  try {
    dst = await lab.startVm(dstHost, lab.shape!, true);
    hooks.onDestinationStarted?.(dst);
    const out = await migrate(src, dst, p, lab.topology.addresses.migration_ip[dstHost], signal);
    origin = out.paused_mono ?? out.requested_mono;
    const shift = out.requested_mono - origin;
    const rel = (t: number): number => t - out.requested_mono;
    const srcEvents = src.qmp?.events ?? [];
    const completedEvent = srcEvents.find((e) => e.event === 'MIGRATION' && e.data?.status === 'completed' && e.t_mono_ms >= origin);
    const stopEvent = srcEvents.find((e) => e.event === 'STOP' && e.t_mono_ms >= origin - 1);
    r.rounds_detail = roundsFromObservations(out.samples, out.final, {
      pass_ms: srcEvents.filter((e) => e.event === 'MIGRATION_PASS' && e.t_mono_ms >= out.requested_mono - 1).map((e) => rel(e.t_mono_ms)),
      stop_ms: p.mode === 'suspend' ? -shift : stopEvent ? rel(stopEvent.t_mono_ms) : null,
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
    r.events.push({ t_ms: 0, source: 'themis', kind: p.mode === 'suspend' ? 'stop-requested' : 'migrate-requested', detail: null });

    if (out.status === 'completed') {
      // The destination's RESUME event is when the guest runs again (the poll sees completion up to 50 ms late).
      const resumeEvent = dst.qmp?.events.find((e) => e.event === 'RESUME' && e.t_mono_ms >= origin);
      const runningAt = out.resumed_mono ?? resumeEvent?.t_mono_ms ?? out.completed_mono!;
      r.events.push({ t_ms: runningAt - origin, source: 'themis', kind: 'running-at-destination', detail: { host: dstHost } });
      const heard = await prober.waitReply(runningAt, 10_000);
      const controlOk = await dst.connectControl(10_000).catch(() => false);
      await lab.adopt(dst, dstHost);
      adopted = true;
      const verified = !verify_memory || (controlOk && (await verifyMemory(dst.control, r, 'destination')));
      await sleep(SETTLE_MS);
      const resumedAt = await foldProbes(r, prober, origin);
      r.downtime_ms = p.mode === 'suspend' ? out.resumed_mono! - out.paused_mono! : (out.final?.downtime ?? null);
      // Post-copy runs at the destination before it completes: the move is over when the source says completed.
      r.total_ms = Math.max(runningAt, completedEvent?.t_mono_ms ?? out.completed_mono!, resumedAt ?? runningAt) - origin;
      if (!heard) return failed(r, 'agent_unreachable', 'the guest was not heard by the prober after the migration');
      if (!verified) return failed(r, 'verification_failed', 'guest memory did not verify at the destination');
      r.status = 'succeeded';
      return r;
    }

    // Failed: the VM must still be serving at the source.
    const reason = REASONS[out.status];
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
  } catch (e) {
    await foldProbes(r, prober, origin).catch(() => undefined);
    await lab.stopVm();
    return failed(r, 'orchestrator_error', (e as Error).message);
  } finally {
    if (dst) {
      r.events.push(...qmpEventRows(src.qmp?.events ?? [], origin, 'source'), ...qmpEventRows(dst.qmp?.events ?? [], origin, 'destination'));
      r.events.sort((x, y) => x.t_ms - y.t_ms);
      if (src.qmp) src.qmp.events.length = 0;
      if (!adopted) await dst.kill();
      else if (dst.qmp) dst.qmp.events.length = 0;
    }
  }
}
