/**
 * Post-copy, after QEMU migration/migration.c postcopy_start() and migration/postcopy-ram.c:
 *  - the source stops the VM, sends the remaining device state and the discard (dirty) bitmap in one
 *    package, and the destination resumes the VM: that is the downtime (sent at line rate: max-postcopy-
 *    bandwidth defaults to unlimited, and the package is flushed unthrottled);
 *  - the source then pushes every page still pending in the background, at line rate;
 *  - when the running guest touches a page not yet there it faults and the page is pulled over the link
 *    (userfaultfd); each fault stalls the vCPU for a page transfer plus a network round trip.
 * Faults, analytically: the push sends the pending pages in address order over T ms, so a working-set page
 * is still missing at time t with probability share·(1 − t/T) (share = pending pages / working set, ≤ 1);
 * the guest first-touches pages at rate d unique(t)/dt; integrating, faults = share·(1/T)∫₀ᵀ unique(t) dt
 * (workload.ts meanUniqueOver). Guest accesses are approximated by its writes (the only workload rate known).
 */
import { POSTCOPY_BITMAP_BITS_PER_PAGE } from './constants.js';
import type { Scratch } from './scratch.js';
import { meanUniqueOver } from './workload.js';

/** Bytes of the switch package: device state + one bit per guest page. */
export function postcopySwitchBytes(totalPages: number, deviceStateBytes: number): number {
  return deviceStateBytes + Math.ceil((totalPages * POSTCOPY_BITMAP_BITS_PER_PAGE) / 8);
}

/** Pages still at the source when post-copy starts. */
export function postcopyRemainingPages(s: Scratch): number {
  return s.pendingFirstPass ? s.totalPages : s.pendingPages;
}

/** Expected page faults during a background push of `pushMs` ms. */
export function postcopyFaults(s: Scratch, remainingPages: number, dirtyRatePagesPerMs: number, pushMs: number): number {
  const ws = s.dirty.workingSetPages;
  if (ws <= 0 || pushMs <= 0) return 0;
  const share = remainingPages >= ws ? 1 : remainingPages / ws;
  return share * meanUniqueOver(s.dirty, dirtyRatePagesPerMs, pushMs);
}

/** vCPU stall of one fault: the page on the wire at line rate plus one round trip, ms. */
export function faultServiceMs(pageWireBytes: number, linkBytesPerMs: number, rttMs: number): number {
  return pageWireBytes / linkBytesPerMs + rttMs;
}
