/**
 * Pre-copy rounds, after QEMU migration/ram.c and migration/migration.c:
 *  - ram_init_bitmaps(): every page starts dirty (one setup bitmap sync);
 *  - a round walks the dirty bitmap once and sends each dirty page: a non-zero page costs the page plus an
 *    8-byte header (save_normal_page), a zero page 9 bytes (save_zero_page); pages written after the first
 *    pass are non-zero;
 *  - the stream is rate-limited to max-bandwidth, so a round lasts bytes / min(link × jitter, cap);
 *  - at the end of a round migration_bitmap_sync() collects the pages the guest dirtied meanwhile (the
 *    unique pages of the workload, workload.ts) and runs the auto-converge check (autoconverge.ts);
 *  - migration_iteration_run() then switches over when the pending bytes fit threshold_size (stopcopy.ts),
 *    else switches to post-copy when asked (hybrid), else starts the next round.
 * The orchestrator cancels a migration still in pre-copy at `timeout_s` (not_converged); a link failure
 * during a round fails the migration (aborted). Work is O(rounds); a dirty set that stopped changing
 * (steady state, throttle final) is fast-forwarded: its identical rounds are counted in one step and
 * recorded as one aggregated row.
 */
import { STEADY_STATE_RELATIVE_CHANGE } from './constants.js';
import { AutoConvergeState, onBitmapSync, throttleIsFinal } from './autoconverge.js';
import { EV_THROTTLE, PH_PRECOPY, type Scratch } from './scratch.js';
import { fitsDowntimeLimit, pendingWireBytes } from './stopcopy.js';
import { uniqueDirtiedPages } from './workload.js';

export const PRE_SWITCHOVER = 0;
export const PRE_POSTCOPY = 1;
export const PRE_TIMEOUT = 2;
export const PRE_LINK_FAILED = 3;

export interface PrecopyInput {
  startMs: number;
  /** guest writes, pages per ms (before throttling) */
  dirtyRatePagesPerMs: number;
  autoConverge: boolean;
  thresholdBytes: number;
  /** switch to post-copy after this many rounds; -1: never (live) */
  postcopyAfterRounds: number;
  /** cancel time, ms since the request */
  timeoutAtMs: number;
}

/**
 * Runs the rounds; leaves in `s` where they stopped (cursorMs, pendingPages, pendingFirstPass, throttlePct)
 * and returns one of PRE_*. On PRE_TIMEOUT / PRE_LINK_FAILED, cursorMs is the time it ended.
 */
export function runPrecopy(s: Scratch, ac: AutoConvergeState, inp: PrecopyInput): number {
  const page = s.pageBytes;
  const bw = s.precopyBytesPerMs;
  let t = inp.startMs;
  ac.start(t);
  s.pendingPages = s.totalPages;
  s.pendingFirstPass = true;
  for (;;) {
    const pending = s.pendingPages;
    if (fitsDowntimeLimit(pending, page, inp.thresholdBytes)) {
      // QEMU syncs whenever the estimate fits (ram_state_pending_exact); after a pass that sync is the pass's own
      if (s.pendingFirstPass) s.syncs++;
      return stop(s, ac, t, PRE_SWITCHOVER);
    }
    if (inp.postcopyAfterRounds >= 0 && s.passes >= inp.postcopyAfterRounds) return stop(s, ac, t, PRE_POSTCOPY);
    if (t >= inp.timeoutAtMs) return stop(s, ac, t, PRE_TIMEOUT);

    const bytes = pendingWireBytes(s);
    const pagesSent = s.pendingFirstPass ? s.totalPages : pending;
    const duration = bytes / bw;
    const rate = (inp.dirtyRatePagesPerMs * (100 - ac.throttlePct)) / 100;
    const untilTimeout = inp.timeoutAtMs - t;
    const untilFailure = s.failAfterFlowMs - s.flowedMs;
    if (untilTimeout < duration || untilFailure < duration) {
      // the round is cut short: cancelled at the timeout or broken by the link, whichever comes first
      const failed = untilFailure <= untilTimeout;
      const part = failed ? untilFailure : untilTimeout;
      const share = part / duration;
      s.flowedMs += part;
      s.transferredBytes += bytes * share;
      s.addRow(PH_PRECOPY, t, part, pagesSent * share, bytes * share, uniqueDirtiedPages(s.dirty, rate, part), ac.throttlePct);
      return stop(s, ac, t + part, failed ? PRE_LINK_FAILED : PRE_TIMEOUT);
    }

    const newDirty = uniqueDirtiedPages(s.dirty, rate, duration);
    s.flowedMs += duration;
    s.transferredBytes += bytes;
    s.passes++;
    s.syncs++; // migration_bitmap_sync() at the end of the pass
    s.addRow(PH_PRECOPY, t, duration, pagesSent, bytes, newDirty, ac.throttlePct);
    t += duration;
    if (onBitmapSync(ac, inp.autoConverge, t, newDirty, bytes, page)) s.addEvent(EV_THROTTLE, t, ac.throttlePct, Number.NaN);

    const steady =
      !s.pendingFirstPass &&
      Math.abs(newDirty - pending) <= STEADY_STATE_RELATIVE_CHANGE * pending &&
      throttleIsFinal(ac, inp.autoConverge) &&
      !fitsDowntimeLimit(newDirty, page, inp.thresholdBytes);
    s.pendingPages = newDirty;
    s.pendingFirstPass = false;
    if (steady) t = fastForward(s, inp, t, duration, bytes, newDirty, ac.throttlePct);
  }
}

/** Counts the identical steady rounds that end before the timeout, the link failure or the post-copy switch. */
function fastForward(s: Scratch, inp: PrecopyInput, t: number, duration: number, bytes: number, dirty: number, throttlePct: number): number {
  const horizon = Math.min(inp.timeoutAtMs - t, s.failAfterFlowMs - s.flowedMs);
  let k = Math.floor(horizon / duration);
  if (inp.postcopyAfterRounds >= 0) k = Math.min(k, Math.max(0, inp.postcopyAfterRounds - s.passes));
  // leave the last round to the loop, which cuts it at the timeout or the failure exactly
  if (k * duration >= horizon) k--;
  if (k <= 0) return t;
  s.passes += k;
  s.syncs += k;
  s.flowedMs += k * duration;
  s.transferredBytes += k * bytes;
  s.addRow(PH_PRECOPY, t, k * duration, k * dirty, k * bytes, dirty, throttlePct);
  return t + k * duration;
}

function stop(s: Scratch, ac: AutoConvergeState, t: number, outcome: number): number {
  s.cursorMs = t;
  s.throttlePct = ac.throttlePct;
  return outcome;
}
