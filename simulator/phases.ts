/**
 * How a trial's pause ends, shared by the migration modes, suspend and cold: the orchestrator's work while
 * the VM is stopped, the resume at the destination (with QEMU's announce rounds), the completion as the
 * orchestrator reports it, and the two ways back to the source (a link failure, a timeout).
 */
import type { TrialParameters } from '../core/spec/parameters.js';
import { announceGapMs } from './network/announce-schedule.js';
import {
  END_LINK_FAILURE, END_TIMEOUT, EV_ANNOUNCE, EV_CANCELLED, EV_COMPLETED, EV_LINK_FAILURE, EV_RESUMED, EV_RESUMED_AT_SOURCE,
  FAIL_ABORTED, PH_ORCHESTRATOR, type Scratch,
} from './scratch.js';

const NaN_ = Number.NaN;

/** The orchestrator's work while the VM is stopped (e.g. libvirt's Finish/Confirm): a phase row; returns the resume time. */
export function orchestratorWhilePaused(s: Scratch, p: TrialParameters, t: number): number {
  const ms = p.orchestrator_paused_ms;
  if (ms > 0) s.addRow(PH_ORCHESTRATOR, t, ms, 0, 0, 0, 0);
  return t + ms;
}

/** Done as the orchestrator reports it: its own work after the VM runs at the destination, then completed. */
export function completed(s: Scratch, p: TrialParameters, t: number, ending: number): void {
  s.totalMs = t + p.orchestrator_after_ms;
  s.ending = ending;
  s.addEvent(EV_COMPLETED, s.totalMs, NaN_, NaN_);
}

/**
 * The VM was stopped at `t` and a phase of `duration` ms moving `pages`/`bytes` ended `after` ms into it — by a
 * link failure (aborted) or by the timeout (`failure`, e.g. timeout or not_converged): the VM runs at the source again.
 */
export function backAtSource(
  s: Scratch, t: number, after: number, phase: number, pages: number, bytes: number, duration: number, failure: number, timedOut: boolean,
): void {
  const share = duration > 0 ? after / duration : 0;
  s.addRow(phase, t, after, pages * share, bytes * share, 0, s.throttlePct);
  s.transferredBytes += bytes * share;
  s.failure = failure;
  s.ending = timedOut ? END_TIMEOUT : END_LINK_FAILURE;
  s.downtimeMs = after;
  s.totalMs = t + after;
  s.addDown(t, t + after);
  s.addEvent(timedOut ? EV_CANCELLED : EV_LINK_FAILURE, t + after, timedOut ? (t + after) / 1000 : NaN_, NaN_);
  s.addEvent(EV_RESUMED_AT_SOURCE, t + after, NaN_, NaN_);
}

/** A link failure `after` ms into a paused phase: aborted, the VM resumes at the source. */
export function abortPaused(s: Scratch, t: number, after: number, phase: number, pages: number, bytes: number, duration: number): void {
  backAtSource(s, t, after, phase, pages, bytes, duration, FAIL_ABORTED, false);
}

export function resumedAtDestination(s: Scratch, p: TrialParameters, resumeMs: number, downtimeMs: number): void {
  s.resumeMs = resumeMs;
  s.downtimeMs = downtimeMs;
  s.moveAtMs = resumeMs;
  s.firstFrameAtMs = p.announce && p.announce_rounds > 0 ? resumeMs : NaN_;
  s.addEvent(EV_RESUMED, resumeMs, NaN_, NaN_);
  if (!p.announce || !s.eventsOn) return;
  let at = resumeMs;
  for (let round = 1; round <= p.announce_rounds; round++) {
    s.addEvent(EV_ANNOUNCE, at, round, NaN_);
    at += announceGapMs(round, p.announce_initial_ms, p.announce_step_ms);
  }
}
