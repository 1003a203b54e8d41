/**
 * Constants of the real implementations the simulator follows, each with where it comes from.
 * Everything tunable per trial lives in core/spec/parameters.ts; these are the fixed facts of the code.
 */

export const MIB_BYTES = 1024 * 1024;
export const GIB_BYTES = 1024 * MIB_BYTES;

/** MiB/s → bytes per simulated millisecond. */
export function mibPerSecondToBytesPerMs(mibPerS: number): number {
  return (mibPerS * MIB_BYTES) / 1000;
}

/**
 * QEMU migration/ram.c save_page_header(): a be64 of (offset | flags) per page; the RAMBlock id string
 * (1 + strlen bytes) only when the block changes, which we ignore (one block: "pc.ram").
 */
export const QEMU_PAGE_HEADER_BYTES = 8;

/** QEMU migration/ram.c save_zero_page(): header + qemu_put_byte(file, 0) → 9 bytes for a zero page. */
export const QEMU_ZERO_PAGE_BYTES = QEMU_PAGE_HEADER_BYTES + 1;

/**
 * QEMU migration/ram.c migration_bitmap_sync(): the throttle check (migration_trigger_throttle) and the rate
 * counters run only when more than 1000 ms passed since the previous period started.
 */
export const QEMU_THROTTLE_PERIOD_MS = 1000;

/** QEMU migration parameter throttle-trigger-threshold (default 50 %): dirtied bytes vs transferred bytes. */
export const QEMU_THROTTLE_TRIGGER_THRESHOLD = 0.5;

/** QEMU cpu-throttle-initial (20 %), cpu-throttle-increment (10 %), max-cpu-throttle (99 %). */
export const QEMU_THROTTLE_INITIAL_PCT = 20;
export const QEMU_THROTTLE_INCREMENT_PCT = 10;
export const QEMU_THROTTLE_MAX_PCT = 99;

/** migration_trigger_throttle(): the threshold must be exceeded in 2 periods (dirty_rate_high_cnt >= 2). */
export const QEMU_THROTTLE_HIGH_PERIODS = 2;

/** QEMU announce-max (net/announce.c, qapi AnnounceParameters default): longest gap between announce rounds. */
export const QEMU_ANNOUNCE_MAX_MS = 550;

/**
 * QEMUFile's buffer (migration/qemu-file.c IO_BUF_SIZE = 32768): a probe that shares the NIC with the
 * migration stream waits, in this model, behind one such buffer on the wire.
 */
export const QEMU_FILE_BUFFER_BYTES = 32768;

/** Post-copy discard/dirty bitmap: one bit per guest page (migration/postcopy-ram.c sends ranges; bitmap as bound). */
export const POSTCOPY_BITMAP_BITS_PER_PAGE = 1;

/** Probe window: the prober keeps listening this long after the migration and the network settled. */
export const PROBE_TAIL_MS = 1000;

/**
 * Pre-copy rounds whose dirty set stopped changing (relative change below this) repeat identically until
 * the timeout; the simulator then counts the remaining rounds in one step instead of iterating them.
 */
export const STEADY_STATE_RELATIVE_CHANGE = 1e-12;

/**
 * Pre-copy with 100 ms windows settles into quasi-periodic orbits (precopy.ts steadyState): a sync whose bitmap
 * is within this share of a reference sync's closes a period, and the periods up to the timeout are counted in
 * one step. Bounds the work of a non-converging migration; its figures are exact to about this share.
 */
export const QUASI_PERIOD_RELATIVE_CHANGE = 1e-3;
