/**
 * Builds a trial's TrialResult as it goes: events and phase rows are collected step by step, and whatever
 * step ends the trial — success or a failure reason — turns them into the one result the engine stores.
 */
import type { EventRow, FailureReason, ProbeGapRow, RoundRow, TrialResult } from '../../core/backend.js';
import { failedTrialResult } from '../../core/results/failed.js';
import type { OpenNebulaMode } from './modes.js';
import { phaseOfState } from './modes.js';
import type { StateChange } from './wait.js';

export class TrialRecorder {
  readonly events: EventRow[] = [];
  readonly rounds: RoundRow[] = [];
  readonly gaps: ProbeGapRow[] = [];
  readonly detail: Record<string, unknown> = {};

  event(t_ms: number, source: string, kind: string, detail: Record<string, unknown> | null = null): void {
    this.events.push({ t_ms, source, kind, detail });
  }

  /** One `lcm_state` event per observed state, and one phase row per state the VM left. */
  states(changes: StateChange[], end_ms: number, mode: OpenNebulaMode): void {
    changes.forEach((c, i) => {
      this.event(c.t_ms, 'oned', 'lcm_state', { state: c.label, vm_state: c.state, lcm_state: c.lcm_state, host_id: c.host_id });
      if (c.label === 'RUNNING') return;
      const next = i + 1 < changes.length ? changes[i + 1].t_ms : end_ms;
      this.rounds.push({
        round: this.rounds.length,
        phase: phaseOfState(c.label, mode),
        start_ms: c.t_ms,
        duration_ms: Math.max(0, next - c.t_ms),
        pages_sent: 0,
        bytes_sent: 0,
        dirty_pages_after: 0,
        throttle_pct: 0,
      });
    });
  }

  fail(reason: FailureReason, t_ms: number, message: string, extra: Partial<TrialResult> = {}): TrialResult {
    this.event(t_ms, 'themis', 'failed', { reason, message });
    this.detail.failure_message = message;
    return this.result('failed', reason, extra);
  }

  result(status: 'succeeded' | 'failed', reason: FailureReason | null, extra: Partial<TrialResult> = {}): TrialResult {
    // every outcome column NULL unless the step that ended the trial measured it
    return {
      ...failedTrialResult(reason, this.detail),
      status,
      ...extra,
      rounds_detail: this.rounds,
      probe_gaps: this.gaps,
      events: [...this.events].sort((a, b) => a.t_ms - b.t_ms),
      detail: this.detail,
    };
  }
}
