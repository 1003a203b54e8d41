/**
 * live, postcopy and hybrid: pre-copy (precopy.ts), then the pre-copy switch-over (stopcopy.ts) or post-copy
 * (postcopy.ts), with the orchestrator's timeout (timeout.ts) and link failures (link-failure.ts) in every
 * phase that moves data.
 */
import { MODE_PROPERTIES } from '../core/modes.js';
import type { TrialParameters } from '../core/spec/parameters.js';
import type { AutoConvergeState } from './autoconverge.js';
import { failureWithin } from './link-failure.js';
import { syncBitmap } from './pending-estimate.js';
import { abortPaused, backAtSource, completed, orchestratorWhilePaused, resumedAtDestination } from './phases.js';
import {
  faultServiceMs, missingWorkingSetShare, postcopyFaults, postcopyRemainingPages, postcopySwitchBytes,
} from './postcopy.js';
import { PRE_LINK_FAILED, PRE_POSTCOPY, PRE_SWITCHOVER, guestWriteRate, runPrecopy, type PrecopyInput } from './precopy.js';
import {
  END_DOWNTIME_LIMIT, END_LINK_FAILURE, END_POSTCOPY, END_TIMEOUT, EV_CANCELLED, EV_LINK_FAILURE, EV_PAUSED,
  EV_POSTCOPY_COMPLETED, EV_POSTCOPY_STARTED, EV_VM_LOST, FAIL_ABORTED, FAIL_NOT_CONVERGED, FAIL_TIMEOUT, FAIL_VM_LOST,
  PH_POSTCOPY, PH_STOPCOPY, type Scratch,
} from './scratch.js';
import { stopCopyBytes, switchoverMs } from './stopcopy.js';
import { firstEnding, postcopyGiveUpAtMs, timeoutWithin } from './timeout.js';

const NaN_ = Number.NaN;

/** Pre-copy, then switch-over or post-copy; `finishNetworkLost` runs the network of a VM lost in post-copy. */
export function runMigration(
  s: Scratch, ac: AutoConvergeState, inp: PrecopyInput, p: TrialParameters, t0: number, deviceBytes: number,
  finishNetworkLost: (s: Scratch, p: TrialParameters) => void,
): void {
  const mode = MODE_PROPERTIES[p.mode];
  inp.startMs = t0;
  inp.dirtyRatePagesPerMs = p.dirty_rate_pages_s / 1000;
  inp.autoConverge = p.auto_converge;
  inp.wallClockPaced = p.workload_pacing === 'wall-clock';
  inp.thresholdBytes = s.precopyBytesPerMs * p.downtime_limit_ms; // migration_update_counters: measured bandwidth × limit
  // post-copy asked for at once (postcopy), after the pre-copy rounds (hybrid), or never (-1: live)
  inp.postcopyAfterRounds = !mode.postcopy_phase ? -1 : mode.precopy ? p.postcopy_after_rounds : 0;
  inp.timeoutAtMs = p.timeout_s * 1000;
  s.syncs = 1; // ram_init_bitmaps(): every page starts dirty
  const outcome = runPrecopy(s, ac, inp);
  const t = s.cursorMs;
  s.addBusy(t0, t);
  if (outcome === PRE_SWITCHOVER) return switchover(s, p, t, deviceBytes, inp.timeoutAtMs);
  if (outcome === PRE_POSTCOPY) return postcopy(s, ac, inp, p, t, deviceBytes, finishNetworkLost);
  s.totalMs = t;
  s.downtimeMs = 0;
  if (outcome === PRE_LINK_FAILED) {
    s.failure = FAIL_ABORTED;
    s.ending = END_LINK_FAILURE;
    s.addEvent(EV_LINK_FAILURE, t, NaN_, NaN_);
  } else {
    // not_converged: cancelled, the VM never stopped running at the source (downtime 0, no outage)
    s.failure = FAIL_NOT_CONVERGED;
    s.ending = END_TIMEOUT;
    s.addEvent(EV_CANCELLED, t, p.timeout_s, NaN_);
  }
}

/** Stop-and-copy, unthrottled; a link failure or the timeout here restarts the VM at the source. */
function switchover(s: Scratch, p: TrialParameters, t: number, deviceBytes: number, timeoutAtMs: number): void {
  const bytes = stopCopyBytes(s, deviceBytes);
  const duration = switchoverMs(bytes, s.switchoverBytesPerMs, p.switchover_cost_ms);
  const pages = s.pendingPages;
  s.syncs++; // ram_save_complete() syncs the bitmap once more before sending the rest
  s.pauseStartMs = t;
  s.addEvent(EV_PAUSED, t, NaN_, NaN_);
  const failedAfter = failureWithin(s, duration);
  const timedOutAfter = timeoutWithin(t, duration, timeoutAtMs);
  const ending = firstEnding(failedAfter, timedOutAfter);
  if (ending === 1) return abortPaused(s, t, failedAfter, PH_STOPCOPY, pages, bytes, duration);
  if (ending === 2) return backAtSource(s, t, timedOutAfter, PH_STOPCOPY, pages, bytes, duration, FAIL_NOT_CONVERGED, true);
  s.addRow(PH_STOPCOPY, t, duration, pages, bytes, 0, s.throttlePct);
  s.transferredBytes += bytes;
  const resume = orchestratorWhilePaused(s, p, t + duration);
  resumedAtDestination(s, p, resume, resume - t);
  completed(s, p, resume, END_DOWNTIME_LIMIT);
}

/** Post-copy switch (device state + bitmap), resume at the destination, background push with page requests. */
function postcopy(
  s: Scratch, ac: AutoConvergeState, inp: PrecopyInput, p: TrialParameters, t: number, deviceBytes: number,
  finishNetworkLost: (s: Scratch, p: TrialParameters) => void,
): void {
  syncBitmap(s, t, guestWriteRate(inp, ac.throttlePct)); // ram_postcopy_send_discard_bitmap() syncs before the switch
  const remaining = postcopyRemainingPages(s);
  const missing = missingWorkingSetShare(s);
  const pushBytes = s.pendingBytes;
  const switchBytes = postcopySwitchBytes(s.totalPages, deviceBytes);
  const switchMs = switchBytes / s.switchoverBytesPerMs;
  s.pauseStartMs = t;
  s.addEvent(EV_PAUSED, t, NaN_, NaN_);
  s.addEvent(EV_POSTCOPY_STARTED, t, remaining, NaN_);
  const failedInSwitch = failureWithin(s, switchMs);
  const timedOutInSwitch = timeoutWithin(t, switchMs, inp.timeoutAtMs);
  const switchEnding = firstEnding(failedInSwitch, timedOutInSwitch);
  if (switchEnding === 1) return abortPaused(s, t, failedInSwitch, PH_STOPCOPY, 0, switchBytes, switchMs);
  if (switchEnding === 2) return backAtSource(s, t, timedOutInSwitch, PH_STOPCOPY, 0, switchBytes, switchMs, FAIL_TIMEOUT, true);
  s.addRow(PH_STOPCOPY, t, switchMs, 0, switchBytes, remaining, s.throttlePct);
  s.transferredBytes += switchBytes;
  const resume = orchestratorWhilePaused(s, p, t + switchMs);
  resumedAtDestination(s, p, resume, resume - t);

  // the push, capped like pre-copy (max-postcopy-bandwidth = max_bandwidth_mib_s in the qemu backend)
  const pushMs = pushBytes / s.precopyBytesPerMs;
  const failedInPush = failureWithin(s, pushMs);
  const timedOutInPush = timeoutWithin(resume, pushMs, postcopyGiveUpAtMs(inp.timeoutAtMs));
  const pushEnding = firstEnding(failedInPush, timedOutInPush);
  const ran = pushEnding === 1 ? failedInPush : pushEnding === 2 ? timedOutInPush : pushMs;
  const share = pushMs > 0 ? ran / pushMs : 1;
  s.addRow(PH_POSTCOPY, resume, ran, remaining * share, pushBytes * share, 0, 0);
  s.transferredBytes += pushBytes * share;
  s.addBusy(resume, resume + ran);
  const serviceMs = faultServiceMs(s.pageWireBytes, s.linkBytesPerMs, p.rtt_base_ms);
  s.postcopyFaults = postcopyFaults(s, missing, inp.dirtyRatePagesPerMs, pushMs, ran, serviceMs);
  if (pushEnding === 1) return lostInPush(s, p, resume + ran, finishNetworkLost);
  if (pushEnding === 2) {
    // given up at the timeout; the VM keeps running at the destination (QEMU cannot go back)
    s.failure = FAIL_TIMEOUT;
    s.ending = END_TIMEOUT;
    s.totalMs = resume + ran;
    s.addEvent(EV_CANCELLED, s.totalMs, s.totalMs / 1000, NaN_);
    return;
  }
  s.addEvent(EV_POSTCOPY_COMPLETED, resume + pushMs, s.postcopyFaults, s.postcopyFaults * serviceMs);
  completed(s, p, resume + pushMs, END_POSTCOPY);
}

/** A link failure during the push: the VM's memory is split between the hosts, so it is lost. */
function lostInPush(s: Scratch, p: TrialParameters, at: number, finishNetworkLost: (s: Scratch, p: TrialParameters) => void): void {
  s.failure = FAIL_VM_LOST;
  s.ending = END_LINK_FAILURE;
  s.lostAtMs = at;
  s.totalMs = at;
  s.downtimeMs = NaN_;
  s.addDown(at, Number.POSITIVE_INFINITY);
  s.addEvent(EV_LINK_FAILURE, at, NaN_, NaN_);
  s.addEvent(EV_VM_LOST, at, NaN_, NaN_);
  finishNetworkLost(s, p);
}
