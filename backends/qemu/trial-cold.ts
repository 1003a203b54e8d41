/**
 * One cold (or cold-hard) trial: the guest is powered off on its hypervisor — ACPI power button for `cold`,
 * QEMU killed for `cold-hard` — and booted on the other one; the trial ends when the prober hears it again.
 * downtime_ms = shutdown start → guest booted and answering probes. A cold move carries no memory, so the
 * verification checks the freshly started workload instead.
 */
import type { Trial, TrialResult } from '../../core/backend.js';
import type { TrialRecorder } from '../../core/results/recorder.js';
import { MODE_PROPERTIES } from '../../core/modes.js';
import type { TrialParameters } from '../../core/spec/parameters.js';
import { parseVerify } from './control.js';
import { copyDisk } from './disk-copy.js';
import { monoMs, sleep } from '../shared/exec.js';
import type { QemuLab } from './lab.js';
import { qmpEventRows } from './result.js';
import { beginTrial, BOOT_TIMEOUT_MS, foldProbes, proberLost, SETTLE_MS, setWorkload, startControlPlane, type TrialStart } from './trial-common.js';
import type { QemuVm } from './vm.js';

const ACPI_GRACE_MS = 3_000;

export async function runColdTrial(lab: QemuLab, trial: Trial, rec: TrialRecorder, signal: AbortSignal): Promise<TrialResult> {
  const p = trial.params;
  const start = await beginTrial(lab, trial, rec, (ACPI_GRACE_MS + BOOT_TIMEOUT_MS) / 1000 + 60);
  if ('status' in start) return start;
  const origin = monoMs();
  /** The destination VM once started (killed on an error unless it became the lab's VM) */
  const booted: { dst: QemuVm | null } = { dst: null };
  try {
    await powerOffAtSource(lab, rec, p, start.src, origin);
    await copyDiskUnlessShared(lab, rec, p, start, origin);
    if (signal.aborted) {
      await foldProbes(rec, start.prober, origin);
      return rec.failed('aborted', 'aborted after shutdown');
    }
    return await bootAtDestination(lab, trial, rec, start, origin, booted);
  } catch (e) {
    await foldProbes(rec, start.prober, origin).catch(() => undefined);
    if (booted.dst && lab.vm !== booted.dst) await booted.dst.kill();
    await lab.stopVm();
    return rec.failed('orchestrator_error', (e as Error).message);
  }
}

/** cold: the ACPI power button, the power cut after ACPI_GRACE_MS; cold-hard: the power cut at once. */
async function powerOffAtSource(lab: QemuLab, rec: TrialRecorder, p: TrialParameters, src: QemuVm, origin: number): Promise<void> {
  const graceful = MODE_PROPERTIES[p.mode].graceful_shutdown;
  rec.events.push({ t_ms: 0, source: 'themis', kind: graceful ? 'powerdown-requested' : 'power-cut', detail: null });
  let off = false;
  if (graceful) {
    // The ACPI power button. The guest always sees the press (its console says so), but under TCG about one
    // guest in three then stalls inside the kernel's power-off path (after device shutdown, before ACPI S5),
    // and nothing inside the guest can finish it any more. A clean power-off takes < 100 ms here, so after
    // ACPI_GRACE_MS the power is cut, as an orchestrator's hard power-off fallback does.
    await src.qmp!.execute('system_powerdown').catch(() => undefined);
    off = await Promise.race([src.exited.then(() => true), sleep(ACPI_GRACE_MS).then(() => false)]);
    rec.detail.shutdown_via = 'acpi';
  } else {
    await src.kill();
    off = true;
  }
  if (!off) {
    rec.detail.shutdown_via = 'forced';
    rec.detail.shutdown_forced = true;
    await src.kill();
  }
  const offAt = src.exitedAtMono ?? monoMs();
  rec.events.push(...qmpEventRows(src.qmp?.events ?? [], origin, 'source'));
  rec.rounds.push({ round: 1, phase: 'shutdown', start_ms: 0, duration_ms: offAt - origin, pages_sent: 0, bytes_sent: 0, dirty_pages_after: 0, throttle_pct: 0 });
  await lab.stopVm();
}

/** Without shared storage the disk image is copied to the destination host (its own round). */
async function copyDiskUnlessShared(lab: QemuLab, rec: TrialRecorder, p: TrialParameters, start: TrialStart, origin: number): Promise<void> {
  if (p.shared_storage || p.disk_gib <= 0) return;
  const copyAt = monoMs();
  const copy = await copyDisk(lab, start.srcHost, start.dstHost, p.disk_gib, Math.max(60_000, p.disk_gib * 30_000));
  rec.rounds.push({ round: 2, phase: 'disk-copy', start_ms: copyAt - origin, duration_ms: copy.duration_ms, pages_sent: 0, bytes_sent: copy.bytes, dirty_pages_after: 0, throttle_pct: 0 });
  rec.detail.disk_copy_bytes = copy.bytes;
  rec.detail.disk_copy_ms = Math.round(copy.duration_ms);
}

/** Boots the guest at the destination, waits until the prober hears it, restarts and verifies its workload. */
async function bootAtDestination(
  lab: QemuLab,
  trial: Trial,
  rec: TrialRecorder,
  start: TrialStart,
  origin: number,
  booted: { dst: QemuVm | null },
): Promise<TrialResult> {
  const p = trial.params;
  const { dstHost, prober } = start;
  const bootAt = monoMs();
  const dst = await lab.startVm(dstHost, { memory_mib: p.memory_mib, vcpus: lab.vcpus }, false);
  booted.dst = dst;
  const controlPlane = startControlPlane(lab, rec, p, start.srcHost, dstHost, bootAt, origin);
  const heard = await prober.waitReply(bootAt, BOOT_TIMEOUT_MS);
  await controlPlane;
  const heardAt = prober.lastReplyAtMono;
  rec.rounds.push({ round: rec.rounds.length + 1, phase: 'boot', start_ms: bootAt - origin, duration_ms: (heard ? heardAt : monoMs()) - bootAt, pages_sent: 0, bytes_sent: 0, dirty_pages_after: 0, throttle_pct: 0 });
  if (!heard) {
    await foldProbes(rec, prober, origin);
    await dst.kill();
    // Without its prober the boot cannot be seen: not a boot failure.
    const lost = proberLost(rec, prober);
    if (lost) return rec.end(lost);
    return rec.failed('boot_failed', `the guest did not answer probes within ${BOOT_TIMEOUT_MS} ms of booting at the destination`);
  }
  rec.events.push({ t_ms: heardAt - origin, source: 'themis', kind: 'heard-at-destination', detail: { host: dstHost } });
  lab.vm = dst;
  lab.host = dstHost;
  lab.shape = { memory_mib: p.memory_mib, vcpus: lab.vcpus };
  const controlOk = await dst.connectControl(30_000).catch(() => false);
  const again = controlOk ? await setWorkload(dst.control!, trial) : null;
  const vline = again ? await dst.control!.request('verify', 'ok verify', 30_000) : null;
  const v = vline ? parseVerify(vline) : null;
  rec.detail.memory_verification = { where: 'destination', fresh_boot: true, ...(v ?? {}), ok: v !== null && v.bad === 0 };
  await sleep(SETTLE_MS);
  const resumedAt = await foldProbes(rec, prober, origin);
  rec.measure({
    downtime_ms: heardAt - origin,
    total_ms: Math.max(heardAt, resumedAt ?? heardAt) - origin,
    transferred_bytes: Number(rec.detail.disk_copy_bytes ?? 0),
    rounds: 0, // no migration stream: QEMU never synced a dirty bitmap
  });
  rec.events.push(...qmpEventRows(dst.qmp?.events ?? [], origin, 'destination'));
  if (dst.qmp) dst.qmp.events.length = 0;
  if (!controlOk) return rec.failed('agent_unreachable', 'guest control channel did not answer after boot');
  if (v === null || v.bad !== 0) return rec.failed('verification_failed', 'workload memory did not verify after boot');
  return rec.succeeded();
}
