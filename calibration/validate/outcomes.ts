/** The outcomes `themis validate` compares, and how a trial's or a point's values of them are held. */
import type { OutcomeName } from '../../core/results/outcomes.js';

/** Durations and bytes: median and p90 of the absolute % error. */
export const ERROR_METRICS = ['total_ms', 'transferred_bytes', 'downtime_ms', 'outage_ms'] as const satisfies readonly OutcomeName[];
export type ErrorMetric = (typeof ERROR_METRICS)[number];

/** Everything read from both sides: the error metrics, rounds, and the two newer outcomes (often NULL). */
export const VALIDATED_OUTCOMES = [...ERROR_METRICS, 'rounds', 'postcopy_faults', 'tcp_stall_ms'] as const satisfies readonly OutcomeName[];
export type ValidatedOutcome = (typeof VALIDATED_OUTCOMES)[number];

export type OutcomeValues = Record<ValidatedOutcome, number | null>;
