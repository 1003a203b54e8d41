/**
 * Before a trial (and in prepare): the VM under test must be idle — ACTIVE/RUNNING with its last HISTORY record
 * running. A VM found elsewhere is not a reason to fail every following trial at once:
 * - still migrating (oned restarted mid-migration, a migration abandoned after a timeout): wait up to
 *   `idle_wait_s`, then `one.vm.recover` failure (back to its source) and wait RUNNING;
 * - BOOT_FAILURE / BOOT_MIGRATE_FAILURE (or another *_FAILURE): per `recover` — `retry`: one.vm.recover retry
 *   and wait RUNNING; `stop`: the campaign stops;
 * - anything it cannot bring back (POWEROFF, DONE, a recovery that does not take): the campaign stops.
 * Stopping is a BackendUnavailableError (interrupted, exit 3, --resume continues after the operator's fix).
 */
import { sleep } from '../../core/async.js';
import { errText } from '../../core/error-text.js';
import { BackendUnavailableError } from '../../core/errors.js';
import { RECOVER, type OneClient } from './client.js';
import { isFailureState, LCM_STATE, stateLabel, VM_STATE } from './states.js';
import { lastHistory, type OneVm } from './xml.js';

export interface SettlePolicy {
  recover: 'retry' | 'stop';
  idle_wait_ms: number;
  /** How long a VM may take to run again after one.vm.recover */
  recover_wait_ms: number;
}

/** What settling did, for the trial's events: each is `themis` kind plus detail. */
export type SettleNote = (kind: string, detail: Record<string, unknown>) => void;

const POLL_MS = 200;

export function isIdle(vm: OneVm): boolean {
  const last = lastHistory(vm);
  return vm.state === VM_STATE.ACTIVE && vm.lcm_state === LCM_STATE.RUNNING && last !== null && last.rstime_s > 0;
}

/** Waits until the VM is idle; its host id, or null when it is not within the time. */
export async function waitRunning(client: OneClient, vmId: number, timeout_ms: number, signal: AbortSignal): Promise<number | null> {
  const end = performance.now() + timeout_ms;
  while (performance.now() < end && !signal.aborted) {
    const vm = await client.vmInfo(vmId, signal).catch((e: unknown) => {
      if (e instanceof BackendUnavailableError) throw e;
      return null;
    });
    if (vm && isIdle(vm)) return lastHistory(vm)?.hid ?? null;
    await sleep(POLL_MS, signal);
  }
  return null;
}

function stop(vm: OneVm, why: string): never {
  throw new BackendUnavailableError(
    `VM under test ${vm.id} is ${stateLabel(vm.state, vm.lcm_state)}: ${why}; bring it back to RUNNING ` +
      `(e.g. onevm recover --retry ${vm.id}) and run again with --resume`,
  );
}

async function recoverAndWait(client: OneClient, vm: OneVm, op: number, p: SettlePolicy, signal: AbortSignal, note: SettleNote): Promise<void> {
  const name = op === RECOVER.RETRY ? 'retry' : 'failure';
  try {
    await client.recover(vm.id, op, signal);
  } catch (e) {
    if (e instanceof BackendUnavailableError) throw e;
    stop(vm, `one.vm.recover ${name} refused: ${errText(e)}`);
  }
  note(`recover_${name}`, { vm_id: vm.id, from: stateLabel(vm.state, vm.lcm_state) });
  const host = await waitRunning(client, vm.id, p.recover_wait_ms, signal);
  if (host === null && !signal.aborted) stop(await client.vmInfo(vm.id, signal), `not RUNNING ${p.recover_wait_ms / 1000} s after one.vm.recover ${name}`);
  note('recovered', { host_id: host });
}

/** Brings the VM under test to idle before a trial, or stops the campaign. Returns its document when idle. */
export async function settleVm(client: OneClient, vmId: number, p: SettlePolicy, signal: AbortSignal, note: SettleNote): Promise<OneVm> {
  const end = performance.now() + p.idle_wait_ms;
  let waited = false;
  for (;;) {
    const vm = await client.vmInfo(vmId, signal);
    if (isIdle(vm) || signal.aborted) {
      if (waited) note('idle', { waited: true });
      return vm;
    }
    if (isFailureState(vm.state, vm.lcm_state)) {
      if (vm.state !== VM_STATE.ACTIVE || vm.lcm_state === LCM_STATE.UNKNOWN) stop(vm, 'not a state a recovery brings back');
      if (p.recover === 'stop') stop(vm, 'opennebula.recover is stop');
      await recoverAndWait(client, vm, RECOVER.RETRY, p, signal, note);
      continue;
    }
    if (vm.state !== VM_STATE.ACTIVE) stop(vm, 'not ACTIVE');
    if (!waited) note('waiting_idle', { state: stateLabel(vm.state, vm.lcm_state) });
    waited = true;
    if (performance.now() >= end) {
      await recoverAndWait(client, vm, RECOVER.FAILURE, p, signal, note);
      continue;
    }
    await sleep(POLL_MS, signal);
  }
}
