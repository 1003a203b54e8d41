/**
 * Migration-link failures: a Poisson process with `link_failure_rate_per_s` that runs only while migration
 * data flows (pre-copy rounds, switch-over, post-copy push, save, disk copy). One exponential draw per trial
 * gives the flow time at which the link breaks; each data phase asks whether it reaches that point.
 * What a failure means depends on the phase (QEMU migration/migration.c): during pre-copy or the precopy
 * switch-over QEMU fails the migration and restarts the VM at the source (`aborted`); once post-copy has
 * resumed the VM at the destination its memory is split between hosts and the VM is `vm_lost` (QEMU would
 * pause it in postcopy-paused; without a recovery the orchestrator loses it).
 */
import type { Scratch } from './scratch.js';

/** Flow time (ms) until the link fails, from a uniform draw u in [0, 1); Infinity when the rate is 0. */
export function failAfterFlowMs(ratePerS: number, u: number): number {
  if (!(ratePerS > 0)) return Number.POSITIVE_INFINITY;
  return (-Math.log(1 - u) / ratePerS) * 1000;
}

/**
 * A data phase of `durationMs` starts now. Returns how far into it the link fails (ms), or -1 when it
 * survives; on survival the phase's flow time is accounted.
 */
export function failureWithin(s: Scratch, durationMs: number): number {
  const left = s.failAfterFlowMs - s.flowedMs;
  if (left < durationMs) {
    s.flowedMs = s.failAfterFlowMs;
    return left > 0 ? left : 0;
  }
  s.flowedMs += durationMs;
  return -1;
}
