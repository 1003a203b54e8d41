/**
 * The one way a backend builds a trial's result: events, phase rows and probe gaps are collected as the trial
 * goes, outcomes are set as they are measured, and whatever ends the trial — success or a failure reason —
 * turns them into the one TrialResult the engine stores. Outcomes not measured stay NULL, so a failed trial
 * looks the same whichever backend and step it failed in.
 */
import type { EventRow, FailureReason, ProbeGapRow, RoundRow, TrialResult } from '../backend.js';
import { nullOutcomes, type Outcomes } from './outcomes.js';

/** How a trial ended, decided before its result is built (e.g. when clean-up still adds events afterwards). */
export type TrialEnding = { status: 'succeeded' } | { status: 'failed'; reason: FailureReason; message: string; t_ms?: number };

export const SUCCEEDED: TrialEnding = { status: 'succeeded' };

/** Who writes the `failed` event. */
const THEMIS_SOURCE = 'themis';

export class TrialRecorder {
  readonly events: EventRow[] = [];
  readonly rounds: RoundRow[] = [];
  readonly gaps: ProbeGapRow[] = [];
  readonly detail: Record<string, unknown>;
  private readonly outcomes: Outcomes = nullOutcomes();

  constructor(detail: Record<string, unknown> = {}) {
    this.detail = detail;
  }

  event(t_ms: number, source: string, kind: string, detail: Record<string, unknown> | null = null): void {
    this.events.push({ t_ms, source, kind, detail });
  }

  /** A phase row; `round` defaults to the row's position (1-based). */
  round(row: Omit<RoundRow, 'round'> & { round?: number }): void {
    this.rounds.push({ ...row, round: row.round ?? this.rounds.length + 1 });
  }

  gap(row: ProbeGapRow): void {
    this.gaps.push(row);
  }

  /** Sets the outcomes measured so far (undefined keys are left as they are). */
  measure(values: Partial<Outcomes>): void {
    for (const [name, value] of Object.entries(values) as [keyof Outcomes, number | null | undefined][]) {
      if (value !== undefined) this.outcomes[name] = value;
    }
  }

  measured(name: keyof Outcomes): number | null {
    return this.outcomes[name];
  }

  succeeded(): TrialResult {
    return this.result('succeeded', null);
  }

  /**
   * Ends the trial as failed: the reason, a human message in `detail.failure_message`, and a `failed` event at
   * `t_ms`. The simulator gives no message: its `detail` already says how the trial ended.
   */
  failed(reason: FailureReason, message?: string, t_ms?: number): TrialResult {
    if (t_ms !== undefined) this.event(t_ms, THEMIS_SOURCE, 'failed', { reason, message: message ?? null });
    if (message !== undefined) this.detail.failure_message = message;
    return this.result('failed', reason);
  }

  /** The result of a trial that ended as `ending` said. */
  end(ending: TrialEnding): TrialResult {
    return ending.status === 'succeeded' ? this.succeeded() : this.failed(ending.reason, ending.message, ending.t_ms);
  }

  private result(status: TrialResult['status'], reason: FailureReason | null): TrialResult {
    return {
      ...this.outcomes,
      status,
      failure_reason: reason,
      rounds_detail: this.rounds,
      probe_gaps: this.gaps,
      events: [...this.events].sort((a, b) => a.t_ms - b.t_ms),
      detail: this.detail,
    };
  }
}

/** A trial that ended before anything was measured (e.g. the backend threw): every outcome NULL. */
export function failedTrialResult(reason: FailureReason, message: string, detail: Record<string, unknown> = {}): TrialResult {
  return new TrialRecorder(detail).failed(reason, message);
}
