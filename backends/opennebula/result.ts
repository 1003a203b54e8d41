/**
 * Core's TrialRecorder (core/results/recorder.ts) with what OpenNebula adds: the LCM states a VM passed through
 * become `lcm_state` events and phase rows, and each ending carries the outcomes its step measured.
 */
import type { FailureReason, TrialResult } from '../../core/backend.js';
import type { Outcomes } from '../../core/results/outcomes.js';
import { TrialRecorder as CoreRecorder } from '../../core/results/recorder.js';
import type { OpenNebulaMode } from './modes.js';
import { phaseOfState } from './modes.js';
import type { StateChange } from './wait.js';

export class TrialRecorder extends CoreRecorder {
  /** One `lcm_state` event per observed state, and one phase row per state the VM left. */
  states(changes: StateChange[], end_ms: number, mode: OpenNebulaMode): void {
    changes.forEach((c, i) => {
      this.event(c.t_ms, 'oned', 'lcm_state', { state: c.label, vm_state: c.state, lcm_state: c.lcm_state, host_id: c.host_id });
      if (c.label === 'RUNNING') return;
      const next = i + 1 < changes.length ? changes[i + 1].t_ms : end_ms;
      this.round({
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

  /** Failed at `t_ms` on the trial's timeline, with the outcomes measured before it failed. */
  fail(reason: FailureReason, t_ms: number, message: string, measured: Partial<Outcomes> = {}): TrialResult {
    this.measure(measured);
    return this.failed(reason, message, t_ms);
  }

  /** Succeeded with the outcomes measured. */
  done(measured: Partial<Outcomes>): TrialResult {
    this.measure(measured);
    return this.succeeded();
  }
}
