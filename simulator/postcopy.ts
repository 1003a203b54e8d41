/**
 * Post-copy, after QEMU migration/migration.c postcopy_start() and migration/postcopy-ram.c, ram.c:
 *  - postcopy_start(): the source stops the VM, syncs the bitmap (ram_postcopy_send_discard_bitmap), sends
 *    the remaining device state and the discard bitmap in one package, and the destination resumes the VM:
 *    that is the downtime (the package goes unthrottled, like a pre-copy switch-over: stopcopy.ts);
 *  - the source then pushes every page still pending in the background, capped by max-postcopy-bandwidth —
 *    the qemu backend sets it to the sweep's max_bandwidth_mib_s, so the push runs at the pre-copy rate;
 *  - when the running guest touches a page it has not received yet, the vCPU faults (userfaultfd) and the
 *    destination requests it (migrate_send_rp_req_pages → QEMU's `postcopy-requests`); the source queues it
 *    ahead of the push (ram_save_queue_pages, ram_load_postcopy places it) and the vCPU waits for it.
 * Faults come from touches, not writes: only the first touch of a page still missing faults; a page already
 * pushed, or touched before, does not. The push sends the pending pages over T ms, so a working-set page is
 * still missing at time t with probability share·(1 − t/T) (share = pending pages in the working set / the
 * working set); the guest first-touches pages at d unique(t)/dt, so without stalls the requests would be
 * F₀ = share·(1/T)∫₀ᵀ unique(t) dt (workload.ts meanUniqueOver). A fault stalls the faulting vCPU for the
 * service time S (one round trip, the page behind one QEMUFile buffer of the stream): one guest vCPU faults
 * at most T / S times, so the requests are F₀ / (1 + F₀·S/T). Guest touches are approximated by its writes
 * (the only access rate the parameters give); the guest kernel's own touches are not counted.
 */
import { POSTCOPY_BITMAP_BITS_PER_PAGE, QEMU_FILE_BUFFER_BYTES } from './constants.js';
import { bitmapPagesInWorkingSet } from './pending-estimate.js';
import type { Scratch } from './scratch.js';
import { meanUniqueOver, uniqueDirtiedPages } from './workload.js';

/** Bytes of the switch package: device state + one bit per guest page. */
export function postcopySwitchBytes(totalPages: number, deviceStateBytes: number): number {
  return deviceStateBytes + Math.ceil((totalPages * POSTCOPY_BITMAP_BITS_PER_PAGE) / 8);
}

/** Pages still at the source when post-copy starts (the bitmap after postcopy_start's sync). */
export function postcopyRemainingPages(s: Scratch): number {
  return s.pendingPages;
}

/** Share of the working set still missing at the destination when post-copy starts. */
export function missingWorkingSetShare(s: Scratch): number {
  const ws = s.dirty.workingSetPages;
  if (ws <= 0) return 0;
  const share = bitmapPagesInWorkingSet(s) / ws;
  return share < 1 ? share : 1;
}

/** vCPU stall of one page request: a round trip, the page and one QEMUFile buffer ahead of it at line rate, ms. */
export function faultServiceMs(pageWireBytes: number, linkBytesPerMs: number, rttMs: number): number {
  return (pageWireBytes + QEMU_FILE_BUFFER_BYTES) / linkBytesPerMs + rttMs;
}

/**
 * Expected page requests during `elapsedMs` of a background push that takes `pushMs` in all (elapsed < push
 * when the orchestrator gives up first), for a guest touching `touchRatePagesPerMs` pages per ms.
 */
export function postcopyFaults(s: Scratch, missingShare: number, touchRatePagesPerMs: number, pushMs: number, elapsedMs: number, serviceMs: number): number {
  if (!(pushMs > 0) || !(elapsedMs > 0) || missingShare <= 0) return 0;
  const T = elapsedMs < pushMs ? elapsedMs : pushMs;
  // ∫₀ᵀ unique'(t)·share·(1 − t/P) dt = share·[unique(T)·(1 − T/P) + (T/P)·mean unique over [0, T]]
  const left = 1 - T / pushMs;
  const mean = meanUniqueOver(s.dirty, touchRatePagesPerMs, T);
  const touched = left > 0 ? uniqueDirtiedPages(s.dirty, touchRatePagesPerMs, T) * left : 0;
  const free = missingShare * (touched + (T / pushMs) * mean);
  return free / (1 + (free * serviceMs) / T);
}
