/**
 * The outcome columns of a trial, declared once. Everything that carries a trial's measurements derives from
 * this list: the `TrialResult` type (core/backend.ts), the failed-trial defaults, the columnar batch
 * (batch.ts), the staging and `trial_results` DDL, the inserts by column name and the `trials` view
 * (core/store/), the dataset import/export (by catalog), and the table in docs/design.md (kept equal by a test).
 *
 * Adding an outcome: one entry here, then its producers (the simulator's `fillOutcomes`, the backends that
 * measure it). Every other backend stores NULL; older databases get the column as NULL when opened for writing.
 * All outcomes are numbers and nullable: a failed trial has measured only some of them.
 */

export interface OutcomeColumn {
  readonly name: string;
  readonly sql: 'DOUBLE' | 'INTEGER';
  readonly unit: string;
  readonly meaning: string;
}

export const OUTCOMES = [
  { name: 'total_ms', sql: 'DOUBLE', unit: 'ms', meaning: 'migration requested → VM running at the destination and verified' },
  { name: 'downtime_ms', sql: 'DOUBLE', unit: 'ms', meaning: "the VM's own execution pause (cold: shutdown start → guest booted and agent answering)" },
  { name: 'outage_ms', sql: 'DOUBLE', unit: 'ms', meaning: 'the longest time the supervisor heard nothing from the VM: pause plus network reconvergence (core/outage.ts)' },
  { name: 'loss_pct', sql: 'DOUBLE', unit: '%', meaning: 'probes lost over the trial window' },
  { name: 'rtt_p50_ms', sql: 'DOUBLE', unit: 'ms', meaning: 'median probe round-trip time over the trial window (type-7 quantile)' },
  { name: 'rtt_p99_ms', sql: 'DOUBLE', unit: 'ms', meaning: '99th percentile probe round-trip time over the trial window (type-7 quantile)' },
  { name: 'transferred_bytes', sql: 'DOUBLE', unit: 'bytes', meaning: 'bytes the migration sent (memory, device state, disk)' },
  { name: 'rounds', sql: 'INTEGER', unit: 'count', meaning: "QEMU's dirty-sync-count at the end: 1 at setup, 1 whenever the pending estimate fits the switch-over threshold (a pass's end, and each iteration near it), 1 at switch-over or post-copy start; 0 without a migration stream" },
  { name: 'throttle_max_pct', sql: 'DOUBLE', unit: '%', meaning: 'the highest auto-converge vCPU throttle the migration reached (QEMU cpu-throttle-percentage)' },
  { name: 'postcopy_faults', sql: 'INTEGER', unit: 'count', meaning: "pages the destination requested from the source after the switch because the guest touched them before they arrived (QEMU postcopy-requests); 0 without post-copy" },
  { name: 'tcp_stall_ms', sql: 'DOUBLE', unit: 'ms', meaning: 'the longest time a long-lived TCP connection between the supervisor and the VM made no progress (retransmission back-off makes it longer than the outage)' },
] as const satisfies readonly OutcomeColumn[];

export type OutcomeName = (typeof OUTCOMES)[number]['name'];

/** A trial's measurements; null = not measured (SQL NULL). */
export type Outcomes = { [K in OutcomeName]: number | null };

export const OUTCOME_NAMES: readonly OutcomeName[] = OUTCOMES.map((o) => o.name);
export const OUTCOME_COUNT = OUTCOMES.length;

/** Position of each outcome in declaration order: the columnar batch and the simulator's row use it. */
export const OUTCOME_INDEX = Object.fromEntries(OUTCOME_NAMES.map((n, i) => [n, i])) as Readonly<Record<OutcomeName, number>>;

/**
 * Each outcome's column name, for SQL written elsewhere in core (views, migrations): a renamed or removed
 * outcome fails to compile there instead of failing at run time.
 */
export const OUT = Object.fromEntries(OUTCOME_NAMES.map((n) => [n, n])) as { readonly [K in OutcomeName]: K };

/** Every outcome unmeasured. */
export function nullOutcomes(): Outcomes {
  return Object.fromEntries(OUTCOME_NAMES.map((n) => [n, null])) as Outcomes;
}

/** A row in declaration order (NaN = NULL) as named outcomes. */
export function outcomesFromRow(row: ArrayLike<number>): Outcomes {
  const out = nullOutcomes();
  OUTCOME_NAMES.forEach((n, i) => {
    out[n] = Number.isNaN(row[i]) ? null : row[i];
  });
  return out;
}

/** The docs table of the outcome columns (docs/design.md holds it verbatim; a test keeps them equal). */
export function outcomeTableMarkdown(): string {
  const rows = OUTCOMES.map((o) => `| \`${o.name}\` | ${o.sql} | ${o.unit} | ${o.meaning} |`);
  return ['| column | type | unit | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
