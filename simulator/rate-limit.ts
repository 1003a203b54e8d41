/**
 * QEMU's rate limit in 100 ms windows, after migration/migration.c migration_rate_limit() and
 * migration/migration-stats.c migration_rate_exceeded():
 *  - a window (BUFFER_DELAY = 100 ms) may carry max-bandwidth / XFER_LIMIT_RATIO (= 1000 / BUFFER_DELAY) bytes;
 *  - the migration thread sends at full speed until that quota is used, then sleeps to the window's end
 *    (qemu_sem_timedwait), so the quota goes out as a burst at line rate at the start of the window;
 *  - migration_update_counters(), once per window, measures the bandwidth (bytes of the window / its time) and
 *    sets threshold_size = measured bandwidth × downtime-limit: the achieved rate, not the configured cap.
 * A pass shorter than one window's quota therefore bursts above the cap: it ends after bytes / line rate.
 * Simplification: a window restarts when a pass ends (QEMU carries its quota into the next pass; this only
 * matters for passes shorter than one window's quota, i.e. downtime limits under BUFFER_DELAY).
 */

/** QEMU migration/migration.h BUFFER_DELAY: the rate-limit and bandwidth-measurement window, ms. */
export const BUFFER_DELAY_MS = 100;

/** Bytes one window may carry at an achieved rate of `rateBytesPerMs`. */
export function windowQuotaBytes(rateBytesPerMs: number): number {
  return rateBytesPerMs * BUFFER_DELAY_MS;
}

/**
 * Time to send `bytes` starting at a window's start: whole windows for every full quota, then the rest as a
 * burst at line rate (the tail of a short pass goes faster than the cap).
 */
export function windowedSendMs(bytes: number, rateBytesPerMs: number, lineBytesPerMs: number): number {
  if (!(bytes > 0)) return 0;
  const quota = windowQuotaBytes(rateBytesPerMs);
  if (!Number.isFinite(quota) || rateBytesPerMs >= lineBytesPerMs) return bytes / rateBytesPerMs;
  const full = Math.floor(bytes / quota);
  const rest = bytes - full * quota;
  return full * BUFFER_DELAY_MS + rest / lineBytesPerMs;
}

/** Bytes sent `ms` into a window (a burst at line rate up to the window's quota). */
export function bytesIntoWindow(ms: number, rateBytesPerMs: number, lineBytesPerMs: number): number {
  const burst = ms * lineBytesPerMs;
  const quota = windowQuotaBytes(rateBytesPerMs);
  return burst < quota ? burst : quota;
}

/**
 * The bandwidth migration_update_counters() measures over a window, bytes/ms: the achieved rate
 * min(line × jitter, cap × precopy_rate_share), which feeds threshold_size.
 */
export function measuredBandwidthBytesPerMs(lineBytesPerMs: number, capBytesPerMs: number, rateShare: number): number {
  const capped = capBytesPerMs * rateShare;
  return lineBytesPerMs < capped ? lineBytesPerMs : capped;
}
