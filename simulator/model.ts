/**
 * One trial of the model, written into a Scratch: derives the per-trial constants and seeded draws, runs
 * the mode's phase sequence (pre-copy / switch-over / post-copy / save / cold) with the orchestrator's work
 * before, during and after the pause, the network reconvergence and the prober. Deterministic: the only inputs are the parameters and the seed; draws happen in a fixed
 * order (bandwidth; link failure when its rate > 0; shutdown and boot for cold modes; controller for
 * vxlan-fdb-push; the supervisor's neighbour cycle when the network waits on it), so changing a parameter never shifts another parameter's draw.
 */
import { maxBandwidthMiBs } from '../core/spec/max-bandwidth.js';
import type { TrialParameters } from '../core/spec/parameters.js';
import { Random } from '../core/random.js';
import { MODE_PROPERTIES } from '../core/modes.js';
import { AutoConvergeState } from './autoconverge.js';
import { bootMs, diskCopyBytes, shutdownMs } from './cold.js';
import { GIB_BYTES, MIB_BYTES, QEMU_PAGE_HEADER_BYTES, QEMU_ZERO_PAGE_BYTES, mibPerSecondToBytesPerMs } from './constants.js';
import { failAfterFlowMs, failureWithin } from './link-failure.js';
import { runMigration } from './migration.js';
import { reconvergedAtMs, usesNeighbourDraws } from './network/index.js';
import { abortPaused, backAtSource, completed, orchestratorWhilePaused, resumedAtDestination } from './phases.js';
import type { PrecopyInput } from './precopy.js';
import { runProber, runTcpProbe } from './prober.js';
import { measuredBandwidthBytesPerMs } from './rate-limit.js';
import {
  END_COLD_BOOT, END_LINK_FAILURE, END_STOP_AND_COPY, EV_AGENT_READY, EV_BOOT, EV_BOOTED, EV_DISK_COPY, EV_LINK_FAILURE,
  EV_PAUSED, EV_RECONVERGED, EV_REQUESTED, EV_SHUTDOWN, EV_STARTED, FAIL_ABORTED, FAIL_TIMEOUT, PH_AGENT, PH_BOOT,
  PH_DISK_COPY, PH_SHUTDOWN, PH_STOPCOPY, Scratch,
} from './scratch.js';
import { switchoverBytesPerMs } from './stopcopy.js';
import { suspendBytes } from './suspend.js';
import { firstEnding, timeoutWithin } from './timeout.js';
import { patternCode, setDirtyModel } from './workload.js';

const NaN_ = Number.NaN;

/** Reusable working objects of one thread (the model is synchronous, so one set per thread suffices). */
export class ModelContext {
  readonly s = new Scratch();
  readonly ac = new AutoConvergeState();
  readonly rng = new Random(0);
  readonly pre: PrecopyInput = {
    startMs: 0, dirtyRatePagesPerMs: 0, autoConverge: false, wallClockPaced: false, thresholdBytes: 0, postcopyAfterRounds: -1, timeoutAtMs: 0,
  };
}

/** Seeded relative spread: max(0.05, 1 + share·z), as Random.jitter, but always consuming its draw. */
function jitter(rng: Random, share: number): number {
  const z = rng.normal();
  const j = 1 + share * z;
  return j > 0.05 ? j : 0.05;
}

export function runModel(ctx: ModelContext, p: TrialParameters, seed: number): Scratch {
  const s = ctx.s;
  const rng = ctx.rng;
  s.reset();
  rng.reseed(seed);

  // --- constants of this trial
  const page = p.page_size_bytes;
  s.pageBytes = page;
  s.pageWireBytes = page + QEMU_PAGE_HEADER_BYTES;
  s.totalPages = Math.floor((p.memory_mib * MIB_BYTES) / page);
  s.nonzeroPages = Math.round(s.totalPages * p.nonzero_share);
  s.firstPassBytes = s.nonzeroPages * s.pageWireBytes + (s.totalPages - s.nonzeroPages) * QEMU_ZERO_PAGE_BYTES;
  const link = mibPerSecondToBytesPerMs(p.link_bandwidth_mib_s) * jitter(rng, p.bandwidth_jitter_share);
  const cap = mibPerSecondToBytesPerMs(maxBandwidthMiBs(p)); // Infinity stays Infinity
  s.linkBytesPerMs = link;
  s.precopyBytesPerMs = measuredBandwidthBytesPerMs(link, cap, p.precopy_rate_share);
  s.switchoverBytesPerMs = switchoverBytesPerMs(link, mibPerSecondToBytesPerMs(p.switchover_rate_mib_s));
  s.failAfterFlowMs = p.link_failure_rate_per_s > 0 ? failAfterFlowMs(p.link_failure_rate_per_s, rng.next()) : Number.POSITIVE_INFINITY;
  const ws = Math.min(s.totalPages, Math.floor((p.working_set_mib * MIB_BYTES) / page));
  setDirtyModel(s.dirty, patternCode(p.dirty_pattern), ws, p.hot_set_share, p.hot_write_share);
  const deviceBytes = p.device_state_kib * 1024;
  const t0 = p.orchestrator_overhead_ms;
  s.addEvent(EV_REQUESTED, 0, NaN_, NaN_);
  s.addEvent(EV_STARTED, t0, NaN_, NaN_);

  const mode = MODE_PROPERTIES[p.mode];
  if (mode.reboots) runCold(s, rng, p, t0, !mode.graceful_shutdown);
  else if (mode.paused_throughout) runSuspend(s, p, t0, deviceBytes);
  else runMigration(s, ctx.ac, ctx.pre, p, t0, deviceBytes, finishNetworkLost);

  if (!Number.isNaN(s.moveAtMs) && Number.isNaN(s.lostAtMs)) finishNetwork(s, rng, p);
  runProber(s, p.probe_interval_ms, p.rtt_base_ms, p.rtt_jitter_ms);
  runTcpProbe(s, p);
  return s;
}

/** Stop, stream the whole state (capped like pre-copy: QEMU's max-bandwidth applies to the save), resume at the destination. */
function runSuspend(s: Scratch, p: TrialParameters, t0: number, deviceBytes: number): void {
  const bytes = suspendBytes(s, deviceBytes);
  const duration = bytes / s.precopyBytesPerMs;
  s.syncs = 1; // the stream's setup sync; a stopped VM dirties nothing, so one pass sends everything
  s.pauseStartMs = t0;
  s.addEvent(EV_PAUSED, t0, NaN_, NaN_);
  const failedAfter = failureWithin(s, duration);
  const timedOutAfter = timeoutWithin(t0, duration, p.timeout_s * 1000);
  const ending = firstEnding(failedAfter, timedOutAfter);
  if (ending === 1) return abortPaused(s, t0, failedAfter, PH_STOPCOPY, s.totalPages, bytes, duration);
  // still saving at the timeout: the orchestrator gives up and resumes the VM at the source
  if (ending === 2) return backAtSource(s, t0, timedOutAfter, PH_STOPCOPY, s.totalPages, bytes, duration, FAIL_TIMEOUT, true);
  s.syncs += 2; // after the pass (pending estimate 0) and at completion
  s.addRow(PH_STOPCOPY, t0, duration, s.totalPages, bytes, 0, 0);
  s.transferredBytes = bytes;
  const resume = orchestratorWhilePaused(s, p, t0 + duration);
  resumedAtDestination(s, p, resume, resume - t0);
  completed(s, p, resume, END_STOP_AND_COPY);
}

/** Shutdown (cold) or destroy (cold-hard), disk copy without shared storage, boot, agent start. */
function runCold(s: Scratch, rng: Random, p: TrialParameters, t0: number, hard: boolean): void {
  const bootJ = p.boot_jitter_share;
  const shutdown = shutdownMs(hard, p.shutdown_s, jitter(rng, bootJ));
  const boot = bootMs(p.boot_s, jitter(rng, bootJ));
  const agent = p.agent_start_s * 1000;
  let t = t0;
  s.pauseStartMs = t0;
  s.addEvent(EV_SHUTDOWN, t0, NaN_, NaN_);
  if (!hard) s.addRow(PH_SHUTDOWN, t, shutdown, 0, 0, 0, 0);
  t += shutdown;
  const disk = diskCopyBytes(p.shared_storage, p.disk_gib, GIB_BYTES);
  if (disk > 0) {
    const copyMs = disk / s.linkBytesPerMs;
    s.addEvent(EV_DISK_COPY, t, disk, NaN_);
    const failedAfter = failureWithin(s, copyMs);
    if (failedAfter >= 0) {
      // the copy broke: the VM boots again where it was; the network never moved
      s.addRow(PH_DISK_COPY, t, failedAfter, 0, (disk * failedAfter) / copyMs, 0, 0);
      s.transferredBytes = (disk * failedAfter) / copyMs;
      t += failedAfter;
      s.addEvent(EV_LINK_FAILURE, t, NaN_, NaN_);
      t = bootAndAgent(s, t, boot, agent);
      s.failure = FAIL_ABORTED;
      s.ending = END_LINK_FAILURE;
      s.downtimeMs = t - t0;
      s.totalMs = t;
      s.addDown(t0, t);
      return;
    }
    s.addRow(PH_DISK_COPY, t, copyMs, 0, disk, 0, 0);
    s.transferredBytes = disk;
    t += copyMs;
  }
  t = orchestratorWhilePaused(s, p, t);
  s.moveAtMs = t;
  s.firstFrameAtMs = t + boot; // the guest's own boot traffic (DHCP/ARP) is its first frame
  t = bootAndAgent(s, t, boot, agent);
  s.resumeMs = t;
  s.downtimeMs = t - t0;
  completed(s, p, t, END_COLD_BOOT);
}

function bootAndAgent(s: Scratch, t: number, boot: number, agent: number): number {
  s.addEvent(EV_BOOT, t, NaN_, NaN_);
  s.addRow(PH_BOOT, t, boot, 0, 0, 0, 0);
  s.addEvent(EV_BOOTED, t + boot, NaN_, NaN_);
  s.addRow(PH_AGENT, t + boot, agent, 0, 0, 0, 0);
  s.addEvent(EV_AGENT_READY, t + boot + agent, NaN_, NaN_);
  return t + boot + agent;
}

/** Reconvergence after a successful move: the VM is unreachable from its pause until both it runs and the network knows. */
function finishNetwork(s: Scratch, rng: Random, p: TrialParameters): void {
  const controllerJ = p.network === 'vxlan-fdb-push' ? jitter(rng, p.controller_jitter_share) : 1;
  // the supervisor's neighbour cycle: reachable_time, then where in the cycle the VM stopped answering
  const neigh = usesNeighbourDraws(p, s.firstFrameAtMs);
  const reachU = neigh ? rng.next() : 0.5;
  const phaseU = neigh ? rng.next() : 0.5;
  const at = reconvergedAtMs(p, s.moveAtMs, s.firstFrameAtMs, s.pauseStartMs, controllerJ, reachU, phaseU);
  s.reconvergedAtMs = at;
  s.addEvent(EV_RECONVERGED, at, at - s.moveAtMs, NaN_);
  s.addDown(s.pauseStartMs, at > s.resumeMs ? at : s.resumeMs);
}

/** vm_lost after a post-copy resume: the pause and any reconvergence before the loss still count. */
function finishNetworkLost(s: Scratch, p: TrialParameters): void {
  // no draws here (the VM is lost anyway): the mean controller latency and neighbour cycle
  const at = reconvergedAtMs(p, s.moveAtMs, s.firstFrameAtMs, s.pauseStartMs, 1, 0.5, 0.5);
  s.addDown(s.pauseStartMs, at > s.resumeMs ? at : s.resumeMs);
}
