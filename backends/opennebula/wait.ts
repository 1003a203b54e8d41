/**
 * Follows a requested migration by polling one.vm.info with backoff until it ends, one way or another:
 * done (the VM runs on the destination: its last HISTORY record is there and has RSTIME > 0 — right after
 * the request that record already exists with RSTIME = 0, which would read "RUNNING on the new host"),
 * a fall-back to the source host, a *_FAILURE / UNKNOWN state, the VM gone, or the timeout.
 * Every change of state is kept with its time, for the `events` and `rounds` rows.
 */
import { sleep } from '../../core/async.js';
import { BackendUnavailableError } from '../../core/errors.js';
import type { OneClient } from './client.js';
import { OneApiError, ONE_ERROR } from './client.js';
import type { OutageClock } from './patience.js';
import { isFailureState, LCM_STATE, stateLabel, VM_STATE } from './states.js';
import { lastHistory, type OneVm } from './xml.js';

/**
 * Each poll of one.vm.info waits this many times the last one (up to max_poll_interval_ms, 1 s from trial.ts):
 * from the 100 ms default the interval reaches 1 s in about ten polls, so the short LCM states at the start of
 * a migration are sampled finely and a long cold boot costs oned few calls. A choice, not a measurement
 * (docs/opennebula.md: "it backs off ×1.25 up to 1 s").
 */
export const POLL_BACKOFF = 1.25;
/**
 * Failed one.vm.info calls in a row before the wait gives up (a busy front-end may drop a call; each failure
 * waits one poll interval before the next call, so at least 20 intervals plus the calls' own time-outs).
 * A choice, not a measurement.
 */
export const MAX_TRANSIENT_ERRORS = 20;

export interface StateChange {
  /** ms since the migration request */
  t_ms: number;
  label: string;
  state: number;
  lcm_state: number;
  host_id: number | null;
}

export type WaitOutcome =
  | { kind: 'done'; vm: OneVm }
  | { kind: 'fell_back'; vm: OneVm }
  | { kind: 'failure_state'; vm: OneVm }
  | { kind: 'vm_lost'; message: string }
  | { kind: 'timeout'; vm: OneVm | null }
  /** The polls failed for good (a refusal, a garbled document, or oned unreachable past its bound) */
  | { kind: 'lost_contact'; error: unknown }
  | { kind: 'aborted' };

export interface WaitResult {
  outcome: WaitOutcome;
  /** ms since the request when the outcome was seen */
  end_ms: number;
  changes: StateChange[];
  polls: number;
}

export interface WaitOptions {
  vm_id: number;
  source_host_id: number;
  dest_host_id: number;
  /** SEQ of the last HISTORY record before the request */
  seq_before: number;
  /** performance.now() at the request */
  t0: number;
  poll_interval_ms: number;
  /** Backoff: each poll waits POLL_BACKOFF× the last, up to this */
  max_poll_interval_ms: number;
  timeout_ms: number;
  signal: AbortSignal;
  /** The client's outage clock: time oned did not answer does not count into timeout_ms */
  outage?: OutageClock;
}

/** Judges one VM document taken after the request; null while the migration is still under way. */
export function judge(vm: OneVm, o: Pick<WaitOptions, 'source_host_id' | 'dest_host_id' | 'seq_before'>): WaitOutcome | null {
  if (vm.state === VM_STATE.DONE) return { kind: 'vm_lost', message: `VM ${vm.id} is DONE` };
  if (isFailureState(vm.state, vm.lcm_state)) return { kind: 'failure_state', vm };
  const last = lastHistory(vm);
  if (vm.state !== VM_STATE.ACTIVE || vm.lcm_state !== LCM_STATE.RUNNING || last === null) return null;
  if (last.seq <= o.seq_before) return null; // oned has not recorded the migration yet
  if (last.hid === o.dest_host_id && last.rstime_s > 0) return { kind: 'done', vm };
  if (last.hid !== o.dest_host_id) return { kind: 'fell_back', vm };
  return null; // the trap: RUNNING on the destination's new record, not started yet
}

export async function waitForMigration(client: OneClient, o: WaitOptions): Promise<WaitResult> {
  const changes: StateChange[] = [];
  const since = () => performance.now() - o.t0;
  let interval = o.poll_interval_ms;
  let polls = 0;
  let lastVm: OneVm | null = null;
  let lastLabel = '';
  let transientErrors = 0;
  const outage0 = o.outage?.unreachable_ms ?? 0;
  const timed = () => since() - ((o.outage?.unreachable_ms ?? 0) - outage0);
  for (;;) {
    if (o.signal.aborted) return { outcome: { kind: 'aborted' }, end_ms: since(), changes, polls };
    if (timed() >= o.timeout_ms) return { outcome: { kind: 'timeout', vm: lastVm }, end_ms: since(), changes, polls };
    let vm: OneVm;
    try {
      vm = await client.vmInfo(o.vm_id, o.signal);
      polls++;
      transientErrors = 0;
    } catch (e) {
      if (e instanceof OneApiError && e.code === ONE_ERROR.NO_EXISTS) {
        return { outcome: { kind: 'vm_lost', message: e.message }, end_ms: since(), changes, polls };
      }
      if (o.signal.aborted) continue;
      // A busy front-end may drop a call; only a run of failures ends the wait. The states seen so far go
      // with it, so a give-up still stores them.
      if (e instanceof BackendUnavailableError || ++transientErrors > MAX_TRANSIENT_ERRORS) {
        return { outcome: { kind: 'lost_contact', error: e }, end_ms: since(), changes, polls };
      }
      await sleep(interval, o.signal);
      continue;
    }
    const t = since();
    lastVm = vm;
    const label = stateLabel(vm.state, vm.lcm_state);
    if (label !== lastLabel) {
      changes.push({ t_ms: t, label, state: vm.state, lcm_state: vm.lcm_state, host_id: lastHistory(vm)?.hid ?? null });
      lastLabel = label;
    }
    const outcome = judge(vm, o);
    if (outcome) return { outcome, end_ms: t, changes, polls };
    await sleep(Math.min(interval, Math.max(0, o.timeout_ms - timed())), o.signal);
    interval = Math.min(interval * POLL_BACKOFF, o.max_poll_interval_ms);
  }
}
