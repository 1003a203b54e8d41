/** A trial that ended without measurements: every outcome column NULL, the reason and what is known in `detail`. */
import type { FailureReason, TrialResult } from '../backend.js';

export function failedTrialResult(reason: FailureReason | null, detail: Record<string, unknown> = {}): TrialResult {
  return {
    status: 'failed',
    failure_reason: reason,
    total_ms: null,
    downtime_ms: null,
    outage_ms: null,
    loss_pct: null,
    rtt_p50_ms: null,
    rtt_p99_ms: null,
    transferred_bytes: null,
    rounds: null,
    rounds_detail: [],
    probe_gaps: [],
    events: [],
    detail,
  };
}
