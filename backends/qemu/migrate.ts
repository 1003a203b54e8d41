/**
 * Drives one QEMU-to-QEMU migration for the live, postcopy, hybrid and suspend modes: capabilities and
 * parameters on both sides, `-incoming defer` + migrate-incoming on the destination, migrate on the source,
 * query-migrate polled every ~50 ms, cancellation at the timeout. Never throws for a failed migration.
 */
import { MODE_PROPERTIES } from '../../core/modes.js';
import type { TrialParameters } from '../../core/spec/parameters.js';
import { monoMs, sleep } from '../shared/exec.js';
import type { MigrationInfo } from './qmp.js';
import type { MigrateSample } from './rounds.js';
import { msWithoutProgress, STALL_MS } from './stall.js';
import type { QemuVm } from './vm.js';

export const POLL_MS = 50;
export const MIGRATION_PORT = 4444;
/** QEMU has no 'unlimited' for max-bandwidth; 1 TiB/s is far beyond anything this host can move. */
export const UNLIMITED_BYTES_S = 2 ** 40;

/** 'stalled': cancelled at the timeout after no byte moved for STALL_MS (stall.ts) */
export type MigrationStatus = 'completed' | 'not_converged' | 'stalled' | 'failed' | 'dest_died' | 'source_died' | 'aborted' | 'timeout';

export interface MigrationOutcome {
  status: MigrationStatus;
  requested_mono: number;
  completed_mono: number | null;
  samples: MigrateSample[];
  final: MigrationInfo | null;
  /** suspend: when Themis stopped the VM and when the destination continued */
  paused_mono: number | null;
  resumed_mono: number | null;
  postcopy_started_ms: number | null;
  error: string | null;
}

export function bandwidthBytesPerS(p: Pick<TrialParameters, 'max_bandwidth_mib_s'>): number {
  return p.max_bandwidth_mib_s === 'unlimited' ? UNLIMITED_BYTES_S : Math.round(p.max_bandwidth_mib_s * 1024 * 1024);
}

/** Themis's announce parameters as QEMU's (delays grow by `step` from `initial`, capped at `max`). */
export function announceParameters(
  p: Pick<TrialParameters, 'announce_initial_ms' | 'announce_step_ms' | 'announce_rounds'>,
): Record<string, number> {
  const initial = Math.max(1, Math.round(p.announce_initial_ms));
  const step = Math.max(1, Math.round(p.announce_step_ms));
  return {
    'announce-initial': initial,
    'announce-step': step,
    'announce-rounds': Math.round(p.announce_rounds),
    'announce-max': initial + step * Math.max(0, Math.round(p.announce_rounds) - 1),
  };
}

export function capabilitiesFor(p: Pick<TrialParameters, 'mode' | 'auto_converge'>): Record<string, boolean> {
  return {
    events: true,
    'auto-converge': p.auto_converge,
    'postcopy-ram': MODE_PROPERTIES[p.mode].postcopy_phase,
  };
}

export async function migrate(
  src: QemuVm,
  dst: QemuVm,
  p: TrialParameters,
  dstIp: string,
  signal: AbortSignal,
): Promise<MigrationOutcome> {
  const out: MigrationOutcome = {
    status: 'failed',
    requested_mono: monoMs(),
    completed_mono: null,
    samples: [],
    final: null,
    paused_mono: null,
    resumed_mono: null,
    postcopy_started_ms: null,
    error: null,
  };
  try {
    await requestMigration(src, dst, p, `tcp:${dstIp}:${MIGRATION_PORT}`, out);
  } catch (e) {
    out.error = (e as Error).message;
    out.status = dst.hasExited ? 'dest_died' : src.hasExited ? 'source_died' : 'failed';
    return out;
  }
  if (!(await pollUntilCompleted(src, dst, p, signal, out))) return out;
  // suspend: the destination stays paused (the source was paused when the migration started): continue it.
  if (MODE_PROPERTIES[p.mode].paused_throughout) await continueAtDestination(dst, out);
  return out;
}

/** Capabilities and parameters on both sides, the destination listening, then the migrate command. Throws. */
async function requestMigration(src: QemuVm, dst: QemuVm, p: TrialParameters, uri: string, out: MigrationOutcome): Promise<void> {
  const mode = MODE_PROPERTIES[p.mode];
  const sq = src.qmp!;
  const dq = dst.qmp!;
  const caps = capabilitiesFor(p);
  await sq.setCapabilities(caps);
  await dq.setCapabilities(caps);
  const bw = bandwidthBytesPerS(p);
  await sq.setParameters({
    'max-bandwidth': bw,
    // Post-copy has its own cap (0 = none); apply the same cap so the sweep's bandwidth axis means the same.
    'max-postcopy-bandwidth': p.max_bandwidth_mib_s === 'unlimited' ? 0 : bw,
    'downtime-limit': Math.max(1, Math.round(p.downtime_limit_ms)),
  });
  // The destination announces the VM (RARP / virtio-net GUEST_ANNOUNCE) after it resumes: QEMU's announce timer.
  // announce: false is announce-rounds 0: qemu_announce_self() then sends nothing, and virtio-net's own
  // post-load announce timer (virtio_net_post_load_device) takes the same migration parameters, so it stays off too.
  await dq.setParameters(p.announce ? announceParameters(p) : { 'announce-rounds': 0 });
  await dq.execute('migrate-incoming', { uri });
  if (mode.paused_throughout) {
    out.paused_mono = monoMs();
    await sq.execute('stop');
  }
  out.requested_mono = monoMs();
  await sq.execute('migrate', { uri });
  // postcopy: no pre-copy rounds, post-copy at once
  if (mode.postcopy_phase && !mode.precopy) await startPostcopy(src, out);
}

/**
 * Polls query-migrate every POLL_MS until the migration completes (true) or ends otherwise (false, with
 * out.status set); cancels it at the timeout, starts post-copy after the pre-copy rounds of hybrid.
 */
async function pollUntilCompleted(src: QemuVm, dst: QemuVm, p: TrialParameters, signal: AbortSignal, out: MigrationOutcome): Promise<boolean> {
  const mode = MODE_PROPERTIES[p.mode];
  const sq = src.qmp!;
  const deadline = out.requested_mono + p.timeout_s * 1000;
  // Post-copy cannot be cancelled once the destination runs: give it as long again before giving up.
  const hardDeadline = deadline + p.timeout_s * 1000;
  let cancelled = false;
  // at the cancel: how long the stream had moved no byte
  let stalledMs = 0;
  for (;;) {
    if (src.hasExited) {
      out.status = 'source_died';
      return false;
    }
    let info: MigrationInfo;
    try {
      info = await sq.queryMigrate();
    } catch (e) {
      out.error = (e as Error).message;
      out.status = src.hasExited ? 'source_died' : 'failed';
      return false;
    }
    const now = monoMs();
    out.samples.push({ t_ms: now - out.requested_mono, info });
    const status = info.status ?? 'none';
    if (status === 'completed') {
      out.final = info;
      out.completed_mono = now;
      out.status = 'completed';
      return true;
    }
    if (status === 'failed' || status === 'cancelled') {
      out.final = info;
      out.error = info['error-desc'] ?? status;
      out.status = cancelled ? cancelledStatus(signal, stalledMs) : dst.hasExited ? 'dest_died' : 'failed';
      if (out.status === 'stalled') out.error = `no byte of the migration stream moved for ${Math.round(stalledMs)} ms before the timeout (the migration link down?)`;
      return false;
    }
    if (mode.postcopy_phase && mode.precopy && out.postcopy_started_ms === null && status === 'active') {
      // hybrid: dirty-sync-count is 1 after setup's first sync; N full pre-copy rounds later it is N + 1.
      if ((info.ram?.['dirty-sync-count'] ?? 0) > p.postcopy_after_rounds) await startPostcopy(src, out);
    }
    const inPostcopy = status.startsWith('postcopy');
    if (!cancelled && !inPostcopy && (now > deadline || signal.aborted)) {
      cancelled = true;
      stalledMs = msWithoutProgress(out.samples);
      await sq.execute('migrate_cancel').catch(() => undefined);
    }
    if (now > hardDeadline + 5_000 || (cancelled && now > deadline + 15_000)) {
      out.status = signal.aborted ? 'aborted' : 'timeout';
      return false;
    }
    // A destination that exits after our cancel is QEMU ending a failed incoming migration, not a crash.
    if (!cancelled && dst.hasExited && !inPostcopy && status !== 'active' && status !== 'device') {
      out.status = 'dest_died';
      return false;
    }
    await sleep(POLL_MS);
  }
}

function cancelledStatus(signal: AbortSignal, stalledMs: number): MigrationStatus {
  if (signal.aborted) return 'aborted';
  return stalledMs >= STALL_MS ? 'stalled' : 'not_converged';
}

/** Continues the paused destination once it has loaded the state; a failure lands in out.status. */
async function continueAtDestination(dst: QemuVm, out: MigrationOutcome): Promise<void> {
  try {
    await waitDestinationState(dst, 5_000);
    await dst.qmp!.execute('cont');
    out.resumed_mono = monoMs();
  } catch (e) {
    out.error = (e as Error).message;
    out.status = dst.hasExited ? 'dest_died' : 'failed';
  }
}

async function startPostcopy(src: QemuVm, out: MigrationOutcome): Promise<void> {
  await src.qmp!.execute('migrate-start-postcopy');
  out.postcopy_started_ms = monoMs() - out.requested_mono;
}

/** Waits until the destination has finished loading the incoming state (it reports paused or running). */
async function waitDestinationState(dst: QemuVm, timeout_ms: number): Promise<string> {
  const deadline = monoMs() + timeout_ms;
  let status = 'unknown';
  while (monoMs() < deadline) {
    status = (await dst.qmp!.queryStatus()).status;
    if (status !== 'inmigrate') return status;
    await sleep(20);
  }
  return status;
}
