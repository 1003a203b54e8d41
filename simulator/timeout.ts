/**
 * The orchestrator's `timeout_s`, counted from the migration request, for every phase that moves data:
 *  - pre-copy still running → cancelled (QEMU migrate_cancel), the VM never stopped: `not_converged`
 *    (precopy.ts); a stop-and-copy still running is cancelled too and the VM resumes at the source
 *    (migration_iteration_finish → vm_start): `not_converged`, downtime = the pause until the cancel;
 *  - a suspend (save/restore) or a post-copy switch package still streaming while the VM is paused at the
 *    source → the orchestrator gives up and resumes the VM where it is: `timeout`, the VM back at the source;
 *  - a post-copy push still running after the destination resumed → `timeout`, but the VM stays at the
 *    destination: QEMU cannot go back once the destination runs (its memory is split between the hosts, so
 *    there is nothing to cancel to). Since cancelling is impossible, the orchestrator gives the push as long
 *    again as the timeout before it gives up — 2 × timeout_s after the request, as the qemu backend does
 *    (backends/qemu/migrate.ts, its hard deadline).
 * Without this, a tiny bandwidth made post-copy and suspend "succeed" after years of downtime.
 */

/** When the orchestrator gives up on a post-copy push it cannot cancel: as long again as the timeout, ms. */
export function postcopyGiveUpAtMs(timeoutAtMs: number): number {
  return 2 * timeoutAtMs;
}

/** How far into a phase of `durationMs` starting at `tMs` the timeout falls (ms), or -1 when it does not. */
export function timeoutWithin(tMs: number, durationMs: number, timeoutAtMs: number): number {
  const left = timeoutAtMs - tMs;
  if (left < durationMs) return left > 0 ? left : 0;
  return -1;
}

/**
 * Which ends a phase first: the link failure `failedAfter` (-1: none) or the timeout `timedOutAfter` (-1:
 * none). Returns 0: neither, 1: the link failure, 2: the timeout (a tie goes to the failure).
 */
export function firstEnding(failedAfter: number, timedOutAfter: number): number {
  if (failedAfter < 0 && timedOutAfter < 0) return 0;
  if (timedOutAfter < 0) return 1;
  if (failedAfter < 0) return 2;
  return failedAfter <= timedOutAfter ? 1 : 2;
}
