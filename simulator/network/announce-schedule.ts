/**
 * QEMU's self-announce after the VM resumes at the destination (net/announce.c, migration/savevm.c
 * process_incoming_migration_bh → qemu_announce_self): the first round of RARP frames (one per NIC, to the
 * broadcast MAC) goes out at once; after each round qemu_announce_self_once() decrements timer->round and
 * qemu_announce_timer_step() arms the next after initial + (rounds − round − 1) × step ms, capped at
 * announce-max (550 ms). With QEMU's defaults (50 ms, +100 ms, 5 rounds) the rounds go out at 0, 50, 200,
 * 450 and 800 ms.
 */
import { QEMU_ANNOUNCE_MAX_MS } from '../constants.js';

/**
 * Wait after announce round `sent` (1-based: rounds sent so far) before the next one, ms. QEMU's
 * rounds − round − 1 with round = rounds − sent is sent − 1. Callers add the gaps one by one to the resume
 * time (model.ts), so the float sums are those of a running clock.
 */
export function announceGapMs(sent: number, initialMs: number, stepMs: number): number {
  const step = initialMs + (sent - 1) * stepMs;
  // QEMU also takes max for a negative step; the parameters are non-negative, so only the cap applies
  return step < 0 || step > QEMU_ANNOUNCE_MAX_MS ? QEMU_ANNOUNCE_MAX_MS : step;
}
