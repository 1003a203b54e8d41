/**
 * Switch-over of pre-copy (stop-and-copy). QEMU migration/migration.c migration_iteration_run(): after a
 * bitmap sync, when the pending bytes (dirty pages × page size, ram_state_pending_exact) are at most
 * threshold_size = measured bandwidth × downtime-limit (migration_update_counters), the VM is stopped and
 * the rest is sent. migration_completion_precopy() → migration_switchover_start() lifts the rate limit
 * (migration_rate_set(RATE_LIMIT_DISABLED)), so the final pages and the device state go at line rate,
 * not at max-bandwidth. The measured bandwidth is the rate-limited pre-copy rate.
 */
import type { Scratch } from './scratch.js';

/** QEMU's threshold_size: what may remain at switch-over, bytes. */
export function switchoverThresholdBytes(precopyBytesPerMs: number, downtimeLimitMs: number): number {
  return precopyBytesPerMs * downtimeLimitMs;
}

/** Whether `pendingPages` dirty pages fit the downtime limit (compared as page bytes, like QEMU). */
export function fitsDowntimeLimit(pendingPages: number, pageBytes: number, thresholdBytes: number): boolean {
  return pendingPages * pageBytes <= thresholdBytes;
}

/** Bytes on the wire for the pending pages (first pass: zero pages as headers). */
export function pendingWireBytes(s: Scratch): number {
  return s.pendingFirstPass ? s.firstPassBytes : s.pendingPages * s.pageWireBytes;
}

/** Bytes sent while the VM is stopped at switch-over: pending pages plus the device state. */
export function stopCopyBytes(s: Scratch, deviceStateBytes: number): number {
  return pendingWireBytes(s) + deviceStateBytes;
}
