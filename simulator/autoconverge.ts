/**
 * Auto-converge: QEMU throttles the vCPUs when the guest dirties memory faster than migration sends it.
 * Follows migration/ram.c:
 *  - migration_bitmap_sync() runs the check only when more than 1000 ms passed since the period started
 *    (and not on the very first sync), then starts a new period;
 *  - migration_trigger_throttle(): bytes dirtied in the period (num_dirty_pages_period × page size) above
 *    throttle-trigger-threshold (50 %) of the bytes transferred in the period counts once; the second such
 *    period (dirty_rate_high_cnt >= 2) throttles and resets the count;
 *  - mig_throttle_guest_down() (system/cpu-throttle.c): first step sets cpu-throttle-initial (20 %), later
 *    steps add cpu-throttle-increment (10 %), capped at max-cpu-throttle (99 %).
 * A throttle of x sleeps each vCPU x of the time, so the guest's dirty rate is scaled by (1 − x).
 * Not modelled: cpu-throttle-tailslow, and QEMU ≥ 9.1's extra periodic sync every 5 s during long rounds.
 */
import {
  QEMU_THROTTLE_HIGH_PERIODS,
  QEMU_THROTTLE_INCREMENT_PCT,
  QEMU_THROTTLE_INITIAL_PCT,
  QEMU_THROTTLE_MAX_PCT,
  QEMU_THROTTLE_PERIOD_MS,
  QEMU_THROTTLE_TRIGGER_THRESHOLD,
} from './constants.js';

export class AutoConvergeState {
  /** current throttle in whole percent, 0..99 (QEMU keeps it as an integer percentage too) */
  throttlePct = 0;
  highCount = 0;
  syncCount = 0;
  periodStartMs = 0;
  periodDirtyPages = 0;
  periodXferBytes = 0;

  /** The setup sync at migration start (ram_init_bitmaps): the first period starts here. */
  start(tMs: number): void {
    this.throttlePct = 0;
    this.highCount = 0;
    this.syncCount = 1;
    this.periodStartMs = tMs;
    this.periodDirtyPages = 0;
    this.periodXferBytes = 0;
  }
}

/** Next throttle after one throttling step (mig_throttle_guest_down without tailslow). */
export function nextThrottlePct(currentPct: number): number {
  if (currentPct <= 0) return QEMU_THROTTLE_INITIAL_PCT;
  const next = currentPct + QEMU_THROTTLE_INCREMENT_PCT;
  return next < QEMU_THROTTLE_MAX_PCT ? next : QEMU_THROTTLE_MAX_PCT;
}

/** True when no later sync can change the throttle (disabled, or already at max-cpu-throttle). */
export function throttleIsFinal(s: AutoConvergeState, enabled: boolean): boolean {
  return !enabled || s.throttlePct >= QEMU_THROTTLE_MAX_PCT;
}

/**
 * One bitmap sync at `tMs` that found `newDirtyPages` after a round that sent `sentBytes`.
 * Returns true when the throttle changed.
 */
export function onBitmapSync(
  s: AutoConvergeState,
  enabled: boolean,
  tMs: number,
  newDirtyPages: number,
  sentBytes: number,
  pageBytes: number,
): boolean {
  s.syncCount++;
  s.periodDirtyPages += newDirtyPages;
  s.periodXferBytes += sentBytes;
  if (!(tMs > s.periodStartMs + QEMU_THROTTLE_PERIOD_MS) || s.syncCount <= 1) return false;
  let changed = false;
  if (enabled && s.periodDirtyPages * pageBytes > s.periodXferBytes * QEMU_THROTTLE_TRIGGER_THRESHOLD) {
    s.highCount++;
    if (s.highCount >= QEMU_THROTTLE_HIGH_PERIODS) {
      s.highCount = 0;
      const next = nextThrottlePct(s.throttlePct);
      changed = next !== s.throttlePct;
      s.throttlePct = next;
    }
  }
  s.periodStartMs = tMs;
  s.periodDirtyPages = 0;
  s.periodXferBytes = 0;
  return changed;
}
