/**
 * Results of many trials in columns. The simulator fills these directly in worker threads (typed arrays move
 * between threads without copying); backends that run one trial at a time go through `addTrialResult`.
 * The store appends a batch in one transaction, so a trial is never half stored.
 * Numbers use NaN for SQL NULL.
 */
import { FAILURE_REASONS, type FailureReason, type TrialResult } from '../backend.js';
import { OUTCOME_NAMES } from './outcomes.js';

export interface TrialColumns {
  /** Plan index of the trial; the store derives ids, seed and parameters from it. */
  index: Int32Array;
  succeeded: Uint8Array;
  /** -1 for none, else the position in FAILURE_REASONS */
  failure_reason: Int8Array;
  /** One column per outcome, in declaration order (OUTCOME_INDEX); NaN = NULL. */
  outcomes: Float64Array[];
  /** Host clock when the trial started (ms since epoch; the simulator uses the campaign start) */
  started_at_ms: Float64Array;
  wall_ms: Float64Array;
  /** JSON text or null */
  detail: (string | null)[];
}

export interface RoundColumns {
  trial: Int32Array;
  round: Int32Array;
  phase: string[];
  start_ms: Float64Array;
  duration_ms: Float64Array;
  pages_sent: Float64Array;
  bytes_sent: Float64Array;
  dirty_pages_after: Float64Array;
  throttle_pct: Float64Array;
}

export interface ProbeGapColumns {
  trial: Int32Array;
  probe: string[];
  direction: string[];
  start_ms: Float64Array;
  duration_ms: Float64Array;
  packets_lost: Float64Array;
}

export interface EventColumns {
  trial: Int32Array;
  t_ms: Float64Array;
  source: string[];
  kind: string[];
  /** JSON text or null */
  detail: (string | null)[];
}

/** `n*` are the filled lengths; the arrays may be longer. */
export interface ResultBatch {
  nTrials: number;
  trials: TrialColumns;
  nRounds: number;
  rounds: RoundColumns;
  nProbeGaps: number;
  probe_gaps: ProbeGapColumns;
  nEvents: number;
  events: EventColumns;
}

export function failureReasonCode(reason: FailureReason | null): number {
  return reason === null ? -1 : FAILURE_REASONS.indexOf(reason);
}

export function failureReasonOf(code: number): FailureReason | null {
  return code < 0 ? null : FAILURE_REASONS[code];
}

function grow<T extends Float64Array | Int32Array | Uint8Array | Int8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

function emptyTrials(cap: number): TrialColumns {
  return {
    index: new Int32Array(cap),
    succeeded: new Uint8Array(cap),
    failure_reason: new Int8Array(cap),
    outcomes: OUTCOME_NAMES.map(() => new Float64Array(cap)),
    started_at_ms: new Float64Array(cap),
    wall_ms: new Float64Array(cap),
    detail: [],
  };
}

function emptyRounds(cap: number): RoundColumns {
  return {
    trial: new Int32Array(cap),
    round: new Int32Array(cap),
    phase: [],
    start_ms: new Float64Array(cap),
    duration_ms: new Float64Array(cap),
    pages_sent: new Float64Array(cap),
    bytes_sent: new Float64Array(cap),
    dirty_pages_after: new Float64Array(cap),
    throttle_pct: new Float64Array(cap),
  };
}

function emptyGaps(cap: number): ProbeGapColumns {
  return {
    trial: new Int32Array(cap),
    probe: [],
    direction: [],
    start_ms: new Float64Array(cap),
    duration_ms: new Float64Array(cap),
    packets_lost: new Float64Array(cap),
  };
}

function emptyEvents(cap: number): EventColumns {
  return { trial: new Int32Array(cap), t_ms: new Float64Array(cap), source: [], kind: [], detail: [] };
}

export function emptyBatch(trialCapacity = 16): ResultBatch {
  return {
    nTrials: 0,
    trials: emptyTrials(trialCapacity),
    nRounds: 0,
    rounds: emptyRounds(trialCapacity * 4),
    nProbeGaps: 0,
    probe_gaps: emptyGaps(trialCapacity),
    nEvents: 0,
    events: emptyEvents(trialCapacity * 4),
  };
}

const nullable = (x: number | null): number => (x === null ? Number.NaN : x);

/** Makes room for one more trial and returns its row number. */
export function reserveTrial(b: ResultBatch): number {
  const i = b.nTrials++;
  const t = b.trials;
  if (i >= t.index.length) {
    const need = i + 1;
    t.index = grow(t.index, need);
    t.succeeded = grow(t.succeeded, need);
    t.failure_reason = grow(t.failure_reason, need);
    t.outcomes = t.outcomes.map((col) => grow(col, need));
    t.started_at_ms = grow(t.started_at_ms, need);
    t.wall_ms = grow(t.wall_ms, need);
  }
  t.detail[i] = null;
  return i;
}

/** Writes trial row `i`'s outcomes from a row in declaration order (NaN = NULL). */
export function setOutcomeRow(t: TrialColumns, i: number, row: ArrayLike<number>): void {
  const cols = t.outcomes;
  for (let k = 0; k < cols.length; k++) cols[k][i] = row[k];
}

export function reserveRound(b: ResultBatch): number {
  const i = b.nRounds++;
  const r = b.rounds;
  if (i >= r.trial.length) {
    const need = i + 1;
    r.trial = grow(r.trial, need);
    r.round = grow(r.round, need);
    r.start_ms = grow(r.start_ms, need);
    r.duration_ms = grow(r.duration_ms, need);
    r.pages_sent = grow(r.pages_sent, need);
    r.bytes_sent = grow(r.bytes_sent, need);
    r.dirty_pages_after = grow(r.dirty_pages_after, need);
    r.throttle_pct = grow(r.throttle_pct, need);
  }
  return i;
}

export function reserveProbeGap(b: ResultBatch): number {
  const i = b.nProbeGaps++;
  const g = b.probe_gaps;
  if (i >= g.trial.length) {
    const need = i + 1;
    g.trial = grow(g.trial, need);
    g.start_ms = grow(g.start_ms, need);
    g.duration_ms = grow(g.duration_ms, need);
    g.packets_lost = grow(g.packets_lost, need);
  }
  return i;
}

export function reserveEvent(b: ResultBatch): number {
  const i = b.nEvents++;
  const e = b.events;
  if (i >= e.trial.length) {
    const need = i + 1;
    e.trial = grow(e.trial, need);
    e.t_ms = grow(e.t_ms, need);
  }
  return i;
}

/** Adds one trial's result (from a backend that runs trials one by one) to a batch. */
export function addTrialResult(
  b: ResultBatch,
  trialIndex: number,
  r: TrialResult,
  startedAtMs: number,
  wallMs: number,
): void {
  const i = reserveTrial(b);
  const t = b.trials;
  t.index[i] = trialIndex;
  t.succeeded[i] = r.status === 'succeeded' ? 1 : 0;
  t.failure_reason[i] = failureReasonCode(r.failure_reason);
  OUTCOME_NAMES.forEach((name, k) => {
    t.outcomes[k][i] = nullable(r[name]);
  });
  t.started_at_ms[i] = startedAtMs;
  t.wall_ms[i] = wallMs;
  t.detail[i] = Object.keys(r.detail).length > 0 ? JSON.stringify(r.detail) : null;
  for (const row of r.rounds_detail) {
    const k = reserveRound(b);
    const rc = b.rounds;
    rc.trial[k] = trialIndex;
    rc.round[k] = row.round;
    rc.phase[k] = row.phase;
    rc.start_ms[k] = row.start_ms;
    rc.duration_ms[k] = row.duration_ms;
    rc.pages_sent[k] = row.pages_sent;
    rc.bytes_sent[k] = row.bytes_sent;
    rc.dirty_pages_after[k] = row.dirty_pages_after;
    rc.throttle_pct[k] = row.throttle_pct;
  }
  for (const gap of r.probe_gaps) {
    const k = reserveProbeGap(b);
    const g = b.probe_gaps;
    g.trial[k] = trialIndex;
    g.probe[k] = gap.probe;
    g.direction[k] = gap.direction;
    g.start_ms[k] = gap.start_ms;
    g.duration_ms[k] = gap.duration_ms;
    g.packets_lost[k] = gap.packets_lost;
  }
  for (const ev of r.events) {
    const k = reserveEvent(b);
    const e = b.events;
    e.trial[k] = trialIndex;
    e.t_ms[k] = ev.t_ms;
    e.source[k] = ev.source;
    e.kind[k] = ev.kind;
    e.detail[k] = ev.detail === null ? null : JSON.stringify(ev.detail);
  }
}
