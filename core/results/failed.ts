/** A trial that ended without measurements: every outcome column NULL, the reason and what is known in `detail`. */
import type { FailureReason, TrialResult } from '../backend.js';
import { nullOutcomes } from './outcomes.js';

export function failedTrialResult(reason: FailureReason | null, detail: Record<string, unknown> = {}): TrialResult {
  return { ...nullOutcomes(), status: 'failed', failure_reason: reason, rounds_detail: [], probe_gaps: [], events: [], detail };
}
