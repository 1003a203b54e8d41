/**
 * Switch-over of pre-copy (stop-and-copy), after QEMU migration/migration.c:
 *  - migration_update_counters() sets threshold_size = measured bandwidth × downtime-limit, the measured
 *    bandwidth being the achieved rate of the last 100 ms window (rate-limit.ts), not the configured cap;
 *  - migration_iteration_run() switches when the pending estimate, then the exact pending after a sync, is
 *    under it (pending-estimate.ts);
 *  - migration_completion() → migration_completion_precopy(): the VM stops, migration_switchover_start() lifts
 *    the rate limit (migration_rate_set(RATE_LIMIT_DISABLED)), ram_save_complete() syncs once more and sends
 *    every page left, then the device state goes.
 * The rate of that unthrottled payload is not the link's nominal speed: QEMU scans for zero pages and, under
 * TCG, competes with nothing but itself — `switchover_rate_mib_s`, bounded by the link. The switch also has a
 * fixed cost (vCPU stop, device save and load, destination start): `switchover_cost_ms`.
 */
import type { Scratch } from './scratch.js';

/** QEMU's threshold_size: what may remain at switch-over, bytes (bandwidth = the measured one). */
export function switchoverThresholdBytes(measuredBytesPerMs: number, downtimeLimitMs: number): number {
  return measuredBytesPerMs * downtimeLimitMs;
}

/** Bytes on the wire for the pages still in the bitmap (zero pages of the first pass as headers). */
export function pendingWireBytes(s: Scratch): number {
  return s.pendingBytes;
}

/** Bytes sent while the VM is stopped at switch-over: pending pages plus the device state. */
export function stopCopyBytes(s: Scratch, deviceStateBytes: number): number {
  return pendingWireBytes(s) + deviceStateBytes;
}

/** Rate of the unthrottled switch-over payload: min(link × jitter, switchover_rate), bytes/ms. */
export function switchoverBytesPerMs(linkBytesPerMs: number, switchoverRateBytesPerMs: number): number {
  return linkBytesPerMs < switchoverRateBytesPerMs ? linkBytesPerMs : switchoverRateBytesPerMs;
}

/** Time the VM stays stopped for a switch-over payload of `bytes`: the fixed cost plus the payload, ms. */
export function switchoverMs(bytes: number, rateBytesPerMs: number, costMs: number): number {
  return costMs + bytes / rateBytesPerMs;
}
