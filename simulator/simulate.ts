/**
 * The simulator's entry points. `simulateTrial` returns a full TrialResult; `simulateInto` is the fast
 * path that writes the same numbers straight into a columnar ResultBatch, allocating nothing per trial
 * unless detail rows are recorded. Both read the same Scratch filled by model.ts, so they agree exactly.
 *
 * Fields of simulated trials: wall_ms = 0 (wall_ms is host time spent on the trial; the simulator spends
 * microseconds, so it reports none), started_at_ms = the caller's startedAtMs (the campaign start).
 * Failed trials: not_converged and aborted (VM kept running at the source) have downtime_ms = 0 (or the
 * pause before an aborted switch-over) and an outage from that pause only; vm_lost has downtime_ms and
 * outage_ms NULL (the VM never answers again) and its last probe gap open to the end of the window.
 */
import type { TrialResult } from '../core/backend.js';
import { TrialRecorder } from '../core/results/recorder.js';
import {
  reserveEvent, reserveProbeGap, reserveRound, reserveTrial, setOutcomeRow, type ResultBatch,
} from '../core/results/batch.js';
import { OUTCOME_COUNT, OUTCOME_INDEX, outcomesFromRow } from '../core/results/outcomes.js';
import { MODE_PROPERTIES } from '../core/modes.js';
import type { TrialParameters } from '../core/spec/parameters.js';
import { ModelContext, runModel } from './model.js';
import { ENDINGS, ENDING_TEXT, EVENT_KINDS, FAIL_NONE, FAIL_VM_LOST, PHASES, failureName, type Scratch } from './scratch.js';

export interface RecordPolicy {
  rounds: 'all' | 'failed' | 'none';
  probe_gaps: 'all' | 'failed' | 'none';
  events: 'all' | 'failed' | 'none';
}

export const RECORD_ALL: RecordPolicy = { rounds: 'all', probe_gaps: 'all', events: 'all' };

export const PROBE_NAME = 'udp-echo';
export const PROBE_DIRECTION = 'rtt';
export const EVENT_SOURCE = 'simulator';

/** One context per thread: the model is synchronous and overwrites it completely for each trial. */
const context = new ModelContext();

/** JSON text of an event's detail without building an object: constant key prefixes, numbers as JSON writes them. */
const DETAIL_PREFIX = EVENT_KINDS.map((k) => k.keys.map((key, j) => (j === 0 ? '{' : ',') + JSON.stringify(key) + ':'));
const jsonNumber = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');

/** Texts of one-field details with a small whole value (announce round, throttle %), built once. */
const SMALL_INT_DETAIL: (string | undefined)[][] = EVENT_KINDS.map(() => []);

function eventDetailJson(s: Scratch, i: number): string | null {
  const kind = s.evKind[i];
  const prefix = DETAIL_PREFIX[kind];
  if (prefix.length === 0) return null;
  if (prefix.length === 1) {
    const a = s.evA[i];
    if (Number.isInteger(a) && a >= 0 && a < 128) return (SMALL_INT_DETAIL[kind][a] ??= prefix[0] + String(a) + '}');
    return prefix[0] + jsonNumber(a) + '}';
  }
  return prefix[0] + jsonNumber(s.evA[i]) + prefix[1] + jsonNumber(s.evB[i]) + '}';
}

function eventDetail(s: Scratch, i: number): Record<string, unknown> | null {
  const keys = EVENT_KINDS[s.evKind[i]].keys;
  if (keys.length === 0) return null;
  const d: Record<string, unknown> = {};
  d[keys[0]] = s.evA[i];
  if (keys.length > 1) d[keys[1]] = s.evB[i];
  return d;
}

/** One trial as a TrialResult, with every detail row, built with the backends' TrialRecorder. */
export function simulateTrial(p: TrialParameters, seed: number): TrialResult {
  context.s.rowsOn = true;
  context.s.eventsOn = true;
  const s = runModel(context, p, seed);
  const rec = new TrialRecorder({ ...ENDINGS[s.ending].detail });
  for (let i = 0; i < s.nRows; i++) {
    rec.round({
      phase: PHASES[s.rowPhase[i]],
      start_ms: s.rowStart[i],
      duration_ms: s.rowDuration[i],
      pages_sent: s.rowPages[i],
      bytes_sent: s.rowBytes[i],
      dirty_pages_after: s.rowDirtyAfter[i],
      throttle_pct: s.rowThrottle[i],
    });
  }
  for (let i = 0; i < s.nGaps; i++) {
    rec.gap({ probe: PROBE_NAME, direction: PROBE_DIRECTION, start_ms: s.gapStart[i], duration_ms: s.gapDuration[i], packets_lost: s.gapLost[i] });
  }
  for (let i = 0; i < s.nEvents; i++) rec.event(s.evT[i], EVENT_SOURCE, EVENT_KINDS[s.evKind[i]].kind, eventDetail(s, i));
  fillOutcomes(s, p, outcomeRow);
  rec.measure(outcomesFromRow(outcomeRow));
  const reason = failureName(s.failure);
  return reason === null ? rec.succeeded() : rec.failed(reason);
}

/** One row of outcomes, reused trial after trial. */
const outcomeRow = new Float64Array(OUTCOME_COUNT);
const O = OUTCOME_INDEX;

/** The simulator's outcome columns, each named once (NaN = NULL): both entry points store exactly these. */
function fillOutcomes(s: Scratch, p: TrialParameters, row: Float64Array): void {
  // vm_lost: the VM never answers again, so there is no outage length and no loss share to give
  const lost = s.failure === FAIL_VM_LOST;
  row[O.total_ms] = s.totalMs;
  row[O.downtime_ms] = s.downtimeMs;
  row[O.outage_ms] = lost ? Number.NaN : s.outageMs;
  row[O.loss_pct] = lost ? Number.NaN : s.lossPct;
  row[O.rtt_p50_ms] = s.rttP50Ms;
  row[O.rtt_p99_ms] = s.rttP99Ms;
  row[O.transferred_bytes] = s.transferredBytes;
  row[O.rounds] = s.syncs;
  // the throttle only rises during a migration (mig_throttle_guest_down), so the one in force at the end is the highest
  row[O.throttle_max_pct] = MODE_PROPERTIES[p.mode].precopy ? s.throttlePct : Number.NaN;
  // page requests of a post-copy phase (postcopy.ts); 0 for a migration stream without one; cold moves no memory
  const pc = s.postcopyFaults;
  row[O.postcopy_faults] = MODE_PROPERTIES[p.mode].reboots ? Number.NaN : Number.isNaN(pc) ? 0 : Math.round(pc); // a count
  // a cold move reboots the guest: its TCP connection dies with it (the lab records no stall: connection_lost)
  row[O.tcp_stall_ms] = lost || MODE_PROPERTIES[p.mode].reboots ? Number.NaN : s.tcpStallMs;
}

function wants(policy: 'all' | 'failed' | 'none', failed: boolean): boolean {
  return policy === 'all' || (policy === 'failed' && failed);
}

/** The fast path: one trial straight into `batch`. */
export function simulateInto(
  batch: ResultBatch,
  trialIndex: number,
  p: TrialParameters,
  seed: number,
  record: RecordPolicy,
  startedAtMs: number,
): void {
  context.s.rowsOn = record.rounds !== 'none';
  context.s.eventsOn = record.events !== 'none';
  const s = runModel(context, p, seed);
  const failed = s.failure !== FAIL_NONE;
  const i = reserveTrial(batch);
  const t = batch.trials;
  t.index[i] = trialIndex;
  t.succeeded[i] = failed ? 0 : 1;
  t.failure_reason[i] = s.failure;
  fillOutcomes(s, p, outcomeRow);
  setOutcomeRow(t, i, outcomeRow);
  t.started_at_ms[i] = startedAtMs;
  t.wall_ms[i] = 0;
  t.detail[i] = ENDING_TEXT[s.ending];

  if (wants(record.rounds, failed)) {
    for (let k = 0; k < s.nRows; k++) {
      const r = reserveRound(batch);
      const rc = batch.rounds;
      rc.trial[r] = trialIndex;
      rc.round[r] = k + 1;
      rc.phase[r] = PHASES[s.rowPhase[k]];
      rc.start_ms[r] = s.rowStart[k];
      rc.duration_ms[r] = s.rowDuration[k];
      rc.pages_sent[r] = s.rowPages[k];
      rc.bytes_sent[r] = s.rowBytes[k];
      rc.dirty_pages_after[r] = s.rowDirtyAfter[k];
      rc.throttle_pct[r] = s.rowThrottle[k];
    }
  }
  if (wants(record.probe_gaps, failed)) {
    for (let k = 0; k < s.nGaps; k++) {
      const g = reserveProbeGap(batch);
      const gc = batch.probe_gaps;
      gc.trial[g] = trialIndex;
      gc.probe[g] = PROBE_NAME;
      gc.direction[g] = PROBE_DIRECTION;
      gc.start_ms[g] = s.gapStart[k];
      gc.duration_ms[g] = s.gapDuration[k];
      gc.packets_lost[g] = s.gapLost[k];
    }
  }
  if (wants(record.events, failed)) {
    for (let k = 0; k < s.nEvents; k++) {
      const e = reserveEvent(batch);
      const ec = batch.events;
      ec.trial[e] = trialIndex;
      ec.t_ms[e] = s.evT[k];
      ec.source[e] = EVENT_SOURCE;
      ec.kind[e] = EVENT_KINDS[s.evKind[k]].kind;
      ec.detail[e] = eventDetailJson(s, k);
    }
  }
}
