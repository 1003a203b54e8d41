/**
 * Pre-copy, after QEMU migration/ram.c and migration/migration.c:
 *  - ram_init_bitmaps(): every page starts dirty (one setup bitmap sync);
 *  - the migration thread walks the bitmap and sends each dirty page: a non-zero page costs the page plus an
 *    8-byte header (save_normal_page), a zero page 9 bytes (save_zero_page); pages written during migration
 *    are non-zero; the first pass sends the non-zero pages before the zero ones (see send());
 *  - the stream is rate-limited in 100 ms windows (rate-limit.ts): a window's quota goes out as a burst at line
 *    rate, so whole windows carry the achieved rate and a short pass bursts above the cap;
 *  - every iteration (a window, or the bitmap running empty) checks the pending estimate against threshold_size
 *    and syncs when it fits (pending-estimate.ts): near the end of a pass that means a sync per window, and
 *    the switch-over may come mid-pass; an empty bitmap (the pass's end) always syncs;
 *  - each sync runs the auto-converge check (autoconverge.ts); a throttle of x slows a CPU-paced guest's
 *    writes by (1 − x), a wall-clock-paced guest's not at all (workload_pacing);
 *  - hybrid: the orchestrator asks for post-copy once dirty-sync-count exceeds postcopy_after_rounds (as the
 *    qemu backend does), and postcopy_start() follows at the next iteration.
 * The orchestrator cancels a migration still in pre-copy at `timeout_s` (not_converged); a link failure
 * fails it (aborted). Work is O(windows near a pass's end + passes), never O(pages): the windows before the
 * estimate can fit are skipped in one step, and a pass that repeats itself exactly (steady dirty set, final
 * throttle) is fast-forwarded and recorded as one aggregated row.
 */
import { QEMU_ZERO_PAGE_BYTES, QUASI_PERIOD_RELATIVE_CHANGE } from './constants.js';
import { AutoConvergeState, onBitmapSync, throttleIsFinal } from './autoconverge.js';
import { estimateFits, syncBitmap } from './pending-estimate.js';
import { BUFFER_DELAY_MS, windowQuotaBytes } from './rate-limit.js';
import { EV_THROTTLE, PH_PRECOPY, type Scratch } from './scratch.js';

export const PRE_SWITCHOVER = 0;
export const PRE_POSTCOPY = 1;
export const PRE_TIMEOUT = 2;
export const PRE_LINK_FAILED = 3;
/** internal: the bitmap ran empty (a pass ended) */
const PASS_DONE = 4;

export interface PrecopyInput {
  startMs: number;
  /** guest writes, pages per ms (before throttling) */
  dirtyRatePagesPerMs: number;
  autoConverge: boolean;
  /** workload_pacing wall-clock: the throttle does not slow the guest's writes */
  wallClockPaced: boolean;
  thresholdBytes: number;
  /** hybrid/postcopy: ask for post-copy once dirty-sync-count exceeds this; -1: never (live) */
  postcopyAfterRounds: number;
  /** cancel time, ms since the request */
  timeoutAtMs: number;
}

/** The guest's write rate under the throttle in force (pages/ms). */
export function guestWriteRate(inp: PrecopyInput, throttlePct: number): number {
  return inp.wallClockPaced ? inp.dirtyRatePagesPerMs : (inp.dirtyRatePagesPerMs * (100 - throttlePct)) / 100;
}

/** The state after the previous sync, for the steady-state fast-forward (reused; no allocation per trial). */
const last = { t: 0, pending: -1, bytes: 0, passes: 0, syncs: 0, age: 0 };
/** Syncs a reference waits for the orbit to return before a fresher one replaces it (a transient start). */
const QUASI_PERIOD_MAX_SYNCS = 16;

/**
 * Runs pre-copy; leaves in `s` where it stopped (cursorMs, pendingPages/Bytes, lastSyncMs, throttlePct) and
 * returns one of PRE_*. On PRE_TIMEOUT / PRE_LINK_FAILED, cursorMs is the time it ended.
 */
export function runPrecopy(s: Scratch, ac: AutoConvergeState, inp: PrecopyInput): number {
  let t = inp.startMs;
  ac.start(t);
  s.pendingPages = s.totalPages;
  s.pendingBytes = s.firstPassBytes;
  s.pendingFirstPages = s.totalPages;
  s.pendingZeroPages = s.totalPages - s.nonzeroPages;
  s.lastSyncMs = t;
  s.rowSentPages = 0;
  s.rowSentBytes = 0;
  last.pending = -1;
  for (;;) {
    const outcome = runPass(s, ac, inp, t);
    if (outcome !== PASS_DONE) return outcome;
    t = s.cursorMs;
    // the bitmap is empty: the estimate (0) fits, so QEMU syncs (ram_state_pending_exact)
    sync(s, ac, inp, t);
    if (estimateFits(s.pendingPages, s.pageBytes, inp.thresholdBytes)) return stop(s, ac, t, PRE_SWITCHOVER);
    t = steadyState(s, ac, inp, t);
  }
}

/**
 * After a sync that did not switch over, at a window's start: when the bitmap holds what it held after a
 * reference sync (first-pass pages negligible, throttle final), the interval since then repeats; its repetitions
 * that end before the timeout, the link failure or the post-copy request are counted in one step. The 100 ms
 * windows make such orbits quasi-periodic (intervals of 100 and 200 ms in no fixed order), so "holds what it
 * held" is to QUASI_PERIOD_RELATIVE_CHANGE: the fast-forward is then exact to that share, and bounded in work.
 */
function steadyState(s: Scratch, ac: AutoConvergeState, inp: PrecopyInput, t: number): number {
  const pending = s.pendingPages;
  // first-pass pages still in the bitmap (they drain with the written ones, so never to exactly 0) must be negligible
  if (s.pendingFirstPages > QUASI_PERIOD_RELATIVE_CHANGE * pending || !throttleIsFinal(ac, inp.autoConverge)) {
    last.pending = -1;
    return t;
  }
  if (last.pending > 0 && Math.abs(pending - last.pending) <= QUASI_PERIOD_RELATIVE_CHANGE * last.pending) {
    t = fastForward(s, inp, t, pending, ac.throttlePct);
  } else if (last.pending > 0 && ++last.age < QUASI_PERIOD_MAX_SYNCS) {
    return t; // keep the reference a while for the orbit to come back to it; then take a fresher one
  }
  last.age = 0;
  last.t = t;
  last.pending = pending;
  last.bytes = s.transferredBytes;
  last.passes = s.passes;
  last.syncs = s.syncs;
  return t;
}

/** One sync at `t`: the bitmap gains the pages written since the last one; its row; the auto-converge check. */
function sync(s: Scratch, ac: AutoConvergeState, inp: PrecopyInput, t: number): number {
  const since = s.lastSyncMs;
  const added = syncBitmap(s, t, guestWriteRate(inp, ac.throttlePct));
  if (t > since || s.rowSentBytes > 0) {
    s.addRow(PH_PRECOPY, since, t - since, s.rowSentPages, s.rowSentBytes, s.pendingPages, ac.throttlePct);
  }
  if (onBitmapSync(ac, inp.autoConverge, t, added, s.rowSentBytes, s.pageBytes)) s.addEvent(EV_THROTTLE, t, ac.throttlePct, Number.NaN);
  s.rowSentPages = 0;
  s.rowSentBytes = 0;
  return added;
}

/**
 * Sends `bytes` of the bitmap: its non-zero pages first (first-pass and written ones in proportion), the
 * first pass's zero pages last — a guest's free memory lies together (datasets/qemu-tcg: a capped pass switches
 * over with a few MiB where a uniform mix would leave the threshold's worth), and 9 bytes each they cost little.
 */
function send(s: Scratch, bytes: number, elapsedMs: number): void {
  const zeroBytes = s.pendingZeroPages * QEMU_ZERO_PAGE_BYTES;
  const nonzeroBytes = s.pendingBytes - zeroBytes;
  const nonzeroPages = s.pendingPages - s.pendingZeroPages;
  let nzSent = nonzeroPages;
  let zeroSent = 0;
  if (bytes < nonzeroBytes) nzSent = bytes / s.pageWireBytes;
  else zeroSent = Math.min(s.pendingZeroPages, (bytes - nonzeroBytes) / QEMU_ZERO_PAGE_BYTES);
  const firstNonzero = s.pendingFirstPages - s.pendingZeroPages;
  const firstSent = nonzeroPages > 0 ? (nzSent * firstNonzero) / nonzeroPages : 0;
  s.pendingPages -= nzSent + zeroSent;
  s.pendingBytes -= bytes;
  s.pendingFirstPages -= firstSent + zeroSent;
  s.pendingZeroPages -= zeroSent;
  if (s.pendingPages < 0) s.pendingPages = 0;
  if (s.pendingBytes < 0) s.pendingBytes = 0;
  if (s.pendingFirstPages < 0) s.pendingFirstPages = 0;
  if (s.pendingZeroPages < 0) s.pendingZeroPages = 0;
  s.transferredBytes += bytes;
  s.rowSentPages += nzSent + zeroSent;
  s.rowSentBytes += bytes;
  s.flowedMs += elapsedMs;
}

/**
 * One pass from `t` (a window's start) until the bitmap runs empty (PASS_DONE) or a decision: the iteration
 * checks of migration_iteration_run() at each window, whole windows skipped while the estimate cannot fit.
 */
function runPass(s: Scratch, ac: AutoConvergeState, inp: PrecopyInput, t: number): number {
  const line = s.linkBytesPerMs;
  const quota = windowQuotaBytes(s.precopyBytesPerMs);
  const perQuota = 1 / quota;
  // estimateFits() as a page count: pending × page < threshold ⇔ pending < threshold / page
  const fitPages = inp.thresholdBytes / s.pageBytes;
  for (;;) {
    if (s.pendingPages < fitPages) {
      sync(s, ac, inp, t);
      if (s.pendingPages < fitPages) return stop(s, ac, t, PRE_SWITCHOVER);
      t = steadyState(s, ac, inp, t);
    }
    if (inp.postcopyAfterRounds >= 0 && s.syncs > inp.postcopyAfterRounds) return flushRow(s, ac, t, PRE_POSTCOPY);
    if (t >= inp.timeoutAtMs) return flushRow(s, ac, t, PRE_TIMEOUT);
    const untilTimeout = inp.timeoutAtMs - t;
    const untilFailure = s.failAfterFlowMs - s.flowedMs;
    const horizon = untilTimeout < untilFailure ? untilTimeout : untilFailure;
    const bytes = s.pendingBytes;
    if (bytes <= quota) {
      // the rest of the pass fits this window's quota: a burst at line rate
      const ms = bytes / line;
      if (horizon < ms) return cut(s, ac, inp, t, horizon, horizon * line, untilFailure <= untilTimeout);
      send(s, bytes, ms);
      s.passes++;
      s.cursorMs = t + ms;
      return PASS_DONE;
    }
    // whole windows of non-zero pages in which no check can fit: the estimate falls by quota / page-on-wire each;
    // the window where the zero pages start is taken on its own
    const excess = s.pendingPages - fitPages;
    let k = excess >= 0 ? Math.floor(excess * s.pageWireBytes * perQuota) + 1 : 1;
    const nonzeroWindows = Math.floor((bytes - s.pendingZeroPages * QEMU_ZERO_PAGE_BYTES) * perQuota);
    if (k > nonzeroWindows) k = nonzeroWindows > 0 ? nonzeroWindows : 1;
    const keepsPages = Math.ceil(bytes * perQuota) - 1; // windows after which the bitmap still holds pages
    if (k > keepsPages) k = keepsPages;
    if (horizon < k * BUFFER_DELAY_MS) {
      const inHorizon = Math.floor(horizon / BUFFER_DELAY_MS);
      if (inHorizon === 0) {
        const burst = horizon * line;
        return cut(s, ac, inp, t, horizon, burst < quota ? burst : quota, untilFailure <= untilTimeout);
      }
      k = inHorizon;
    }
    send(s, k * quota, k * BUFFER_DELAY_MS);
    t += k * BUFFER_DELAY_MS;
  }
}

/** The pass is cut `ms` after `t` (timeout, or link failure when `failed`), having sent `bytes` more. */
function cut(s: Scratch, ac: AutoConvergeState, inp: PrecopyInput, t: number, ms: number, bytes: number, failed: boolean): number {
  send(s, bytes < s.pendingBytes ? bytes : s.pendingBytes, ms);
  return flushRow(s, ac, t + ms, failed ? PRE_LINK_FAILED : PRE_TIMEOUT);
}

/** Pre-copy ends at `end` between two syncs: the row of what was sent since the last one. */
function flushRow(s: Scratch, ac: AutoConvergeState, end: number, outcome: number): number {
  const since = s.lastSyncMs;
  if (end > since || s.rowSentBytes > 0) {
    s.addRow(PH_PRECOPY, since, end - since, s.rowSentPages, s.rowSentBytes, s.pendingPages, ac.throttlePct);
  }
  s.rowSentPages = 0;
  s.rowSentBytes = 0;
  return stop(s, ac, end, outcome);
}

/** Counts the repetitions of the interval since the previous sync (`last`) in one aggregated row. */
function fastForward(s: Scratch, inp: PrecopyInput, t: number, dirty: number, throttlePct: number): number {
  const duration = t - last.t;
  const syncs = s.syncs - last.syncs;
  const bytes = s.transferredBytes - last.bytes;
  const passes = s.passes - last.passes;
  if (!(duration > 0) || syncs <= 0) return t;
  const horizon = Math.min(inp.timeoutAtMs - t, s.failAfterFlowMs - s.flowedMs);
  let k = Math.floor(horizon / duration);
  if (inp.postcopyAfterRounds >= 0) k = Math.min(k, Math.max(0, Math.floor((inp.postcopyAfterRounds - s.syncs) / syncs)));
  // leave the last repetition to the loop, which cuts it at the timeout or the failure exactly
  if (k * duration >= horizon) k--;
  if (k <= 0) return t;
  s.passes += k * passes;
  s.syncs += k * syncs;
  s.flowedMs += k * duration;
  s.transferredBytes += k * bytes;
  // after the first pass every page sent is a non-zero one
  s.addRow(PH_PRECOPY, t, k * duration, (k * bytes) / s.pageWireBytes, k * bytes, dirty, throttlePct);
  s.lastSyncMs = t + k * duration;
  return t + k * duration;
}

function stop(s: Scratch, ac: AutoConvergeState, t: number, outcome: number): number {
  s.cursorMs = t;
  s.throttlePct = ac.throttlePct;
  return outcome;
}
