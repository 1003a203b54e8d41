/**
 * The orchestrator's overheads as the difference between what a real cloud took and what the simulator,
 * on the same settings, takes for each part of the timeline. Each overhead moves exactly its own part, by its
 * value, in every trial (test/simulator/orchestrator.test.ts), so the medians move by it too.
 */
import type { TimelineParts } from './timeline-medians.js';

export interface Overheads {
  orchestrator_overhead_ms: number;
  orchestrator_paused_ms: number;
  orchestrator_after_ms: number;
}

export const NO_OVERHEADS: Overheads = { orchestrator_overhead_ms: 0, orchestrator_paused_ms: 0, orchestrator_after_ms: 0 };

/** Overhead parameter that moves each timeline part. */
export const OVERHEAD_OF_PART = {
  before_ms: 'orchestrator_overhead_ms',
  outage_ms: 'orchestrator_paused_ms',
  after_ms: 'orchestrator_after_ms',
} as const satisfies Record<keyof TimelineParts, keyof Overheads>;

/** Current overheads + (real − simulated) per part, never negative, whole milliseconds. */
export function fitStep(current: Overheads, real: TimelineParts, simulated: TimelineParts): Overheads {
  const next = { ...current };
  for (const [part, overhead] of Object.entries(OVERHEAD_OF_PART) as [keyof TimelineParts, keyof Overheads][]) {
    next[overhead] = Math.max(0, Math.round(current[overhead] + real[part] - simulated[part]));
  }
  return next;
}

/** Real − simulated per part: what calibration could not explain (negative: the model is slower than reality). */
export function residual(real: TimelineParts, simulated: TimelineParts): TimelineParts {
  return {
    before_ms: real.before_ms - simulated.before_ms,
    outage_ms: real.outage_ms - simulated.outage_ms,
    after_ms: real.after_ms - simulated.after_ms,
  };
}
