/**
 * QEMU's self-announce after the VM resumes at the destination (net/announce.c, migration/savevm.c
 * process_incoming_migration_bh → qemu_announce_self): the first round of RARP frames (one per NIC, to the
 * broadcast MAC) goes out at once; qemu_announce_timer_step() schedules the next after
 * initial + (rounds − round − 1) × step ms, capped at announce-max (550 ms), where `round` counts down.
 * With QEMU's defaults (50 ms, +100 ms, 5 rounds) the rounds go out at 0, 50, 200, 450 and 800 ms.
 */
import { QEMU_ANNOUNCE_MAX_MS } from '../constants.js';

/** Time of announce round `i` (0-based) after the resume, ms. */
export function announceOffsetMs(i: number, rounds: number, initialMs: number, stepMs: number): number {
  let t = 0;
  // round counts down from `rounds`; after sending with `round` left, the timer waits one step
  for (let k = 1; k <= i; k++) {
    const left = rounds - k; // value of timer->round after the decrement in qemu_announce_self_once
    let step = initialMs + (rounds - left - 1) * stepMs;
    if (step < 0 || step > QEMU_ANNOUNCE_MAX_MS) step = QEMU_ANNOUNCE_MAX_MS;
    t += step;
  }
  return t;
}
