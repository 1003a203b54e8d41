/**
 * The switch-over decision on the pending estimate, taken on every migration-thread iteration, after QEMU
 * migration/migration.c migration_iteration_run() and migration/ram.c:
 *  - ram_state_pending_estimate(): the pending size is migration_dirty_pages × page size — the dirty bitmap
 *    as it stands, so it still counts the unsent, unscanned part of the current pass, zero pages included at
 *    a page each (their bit is cleared only when their 9-byte header goes out);
 *  - when that estimate is under threshold_size, ram_state_pending_exact() syncs the bitmap
 *    (migration_bitmap_sync_precopy: the pages the guest dirtied since the last sync join it, dirty-sync-count
 *    + 1) and compares again; under the threshold still, migration_completion() stops the VM and sends the
 *    rest unthrottled (stopcopy.ts); otherwise the pass goes on, and the next iteration checks again.
 * So the syncs (QEMU's rounds) come at every iteration near the end of a pass, not once per pass, and the
 * switch-over can happen in the middle of a pass.
 * A sync adds the pages dirtied since the previous one that are not in the bitmap already: for a guest
 * writing uniformly over its working set W, a written page is already set with probability (bitmap pages in
 * W) / W; during the first pass the unsent non-zero pages lie in W in the share W / non-zero pages.
 */
import { uniqueDirtiedPages } from './workload.js';
import type { Scratch } from './scratch.js';

/** ram_state_pending_estimate() against threshold_size: the bitmap's pages × page size, strictly under it. */
export function estimateFits(pendingPages: number, pageBytes: number, thresholdBytes: number): boolean {
  return pendingPages * pageBytes < thresholdBytes;
}

/**
 * Pages of the bitmap that lie in the working set: the written pages, plus the first pass's unsent non-zero
 * pages in the share working set / non-zero pages (the working set is written memory, so non-zero).
 */
export function bitmapPagesInWorkingSet(s: Scratch): number {
  const ws = s.dirty.workingSetPages;
  const firstNonzero = s.pendingFirstPages - s.pendingZeroPages;
  const share = s.nonzeroPages > ws ? ws / s.nonzeroPages : 1;
  return firstNonzero * share + (s.pendingPages - s.pendingFirstPages);
}

/**
 * migration_bitmap_sync() at `tMs`: adds the pages written since the last sync (at `ratePagesPerMs`) that the
 * bitmap does not hold yet, counts the sync, and returns the pages added.
 */
export function syncBitmap(s: Scratch, tMs: number, ratePagesPerMs: number): number {
  const dirtied = uniqueDirtiedPages(s.dirty, ratePagesPerMs, tMs - s.lastSyncMs);
  const ws = s.dirty.workingSetPages;
  let added = 0;
  if (dirtied > 0 && ws > 0) {
    const held = bitmapPagesInWorkingSet(s) / ws;
    added = held >= 1 ? 0 : dirtied * (1 - held);
  }
  s.pendingPages += added;
  s.pendingBytes += added * s.pageWireBytes; // pages written during migration are non-zero
  s.syncs++;
  s.lastSyncMs = tMs;
  return added;
}
