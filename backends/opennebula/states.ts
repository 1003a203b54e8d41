/**
 * OpenNebula's VM and LCM states (include/VirtualMachine.h) and host states (include/Host.h), with the
 * judgements the backend makes from them. Numbers are what the XML carries; names are what events store.
 */

export const VM_STATE = {
  INIT: 0, PENDING: 1, HOLD: 2, ACTIVE: 3, STOPPED: 4, SUSPENDED: 5, DONE: 6, POWEROFF: 8, UNDEPLOYED: 9,
} as const;

/** The LCM states a migration passes through or fails in (the full list has 72). */
export const LCM_STATE = {
  LCM_INIT: 0, PROLOG: 1, BOOT: 2, RUNNING: 3, MIGRATE: 4, SAVE_MIGRATE: 7, PROLOG_MIGRATE: 8, UNKNOWN: 16,
  BOOT_MIGRATE: 35, BOOT_FAILURE: 36, BOOT_MIGRATE_FAILURE: 37, PROLOG_MIGRATE_FAILURE: 38,
  PROLOG_MIGRATE_POWEROFF: 43, PROLOG_MIGRATE_POWEROFF_FAILURE: 44, PROLOG_MIGRATE_SUSPEND: 45,
  PROLOG_MIGRATE_SUSPEND_FAILURE: 46, PROLOG_MIGRATE_UNKNOWN: 60, PROLOG_MIGRATE_UNKNOWN_FAILURE: 61,
} as const;

const LCM_NAMES: Record<number, string> = {
  0: 'LCM_INIT', 1: 'PROLOG', 2: 'BOOT', 3: 'RUNNING', 4: 'MIGRATE', 5: 'SAVE_STOP', 6: 'SAVE_SUSPEND',
  7: 'SAVE_MIGRATE', 8: 'PROLOG_MIGRATE', 9: 'PROLOG_RESUME', 10: 'EPILOG_STOP', 11: 'EPILOG', 12: 'SHUTDOWN',
  15: 'CLEANUP_RESUBMIT', 16: 'UNKNOWN', 17: 'HOTPLUG', 18: 'SHUTDOWN_POWEROFF', 19: 'BOOT_UNKNOWN',
  20: 'BOOT_POWEROFF', 21: 'BOOT_SUSPENDED', 22: 'BOOT_STOPPED', 23: 'CLEANUP_DELETE', 35: 'BOOT_MIGRATE',
  36: 'BOOT_FAILURE', 37: 'BOOT_MIGRATE_FAILURE', 38: 'PROLOG_MIGRATE_FAILURE', 39: 'PROLOG_FAILURE',
  40: 'EPILOG_FAILURE', 43: 'PROLOG_MIGRATE_POWEROFF', 44: 'PROLOG_MIGRATE_POWEROFF_FAILURE',
  45: 'PROLOG_MIGRATE_SUSPEND', 46: 'PROLOG_MIGRATE_SUSPEND_FAILURE', 60: 'PROLOG_MIGRATE_UNKNOWN',
  61: 'PROLOG_MIGRATE_UNKNOWN_FAILURE',
};

const VM_NAMES: Record<number, string> = {
  0: 'INIT', 1: 'PENDING', 2: 'HOLD', 3: 'ACTIVE', 4: 'STOPPED', 5: 'SUSPENDED', 6: 'DONE', 8: 'POWEROFF',
  9: 'UNDEPLOYED', 10: 'CLONING', 11: 'CLONING_FAILURE',
};

/** Host states; MONITORED is OpenNebula's "ON". */
export const HOST_STATE = { INIT: 0, MONITORED: 2, ERROR: 3, DISABLED: 4, OFFLINE: 8 } as const;

/** HISTORY ACTION codes that close a record by migrating away from it. */
export const HISTORY_ACTION = { MIGRATE: 1, LIVE_MIGRATE: 2, POWEROFF_MIGRATE: 48, POWEROFF_HARD_MIGRATE: 49 } as const;

/** HISTORY REASON: 0 none, 1 error, 2 user. */
export const HISTORY_REASON = { NONE: 0, ERROR: 1, USER: 2 } as const;

export function lcmStateName(lcm: number): string {
  return LCM_NAMES[lcm] ?? `LCM_${lcm}`;
}

export function vmStateName(state: number): string {
  return VM_NAMES[state] ?? `STATE_${state}`;
}

/** "ACTIVE/RUNNING", or the VM state alone when it is not ACTIVE (the LCM state is meaningless then). */
export function stateLabel(state: number, lcm: number): string {
  return state === VM_STATE.ACTIVE ? lcmStateName(lcm) : vmStateName(state);
}

/** A state from which the migration will not finish by itself. */
export function isFailureState(state: number, lcm: number): boolean {
  if (state !== VM_STATE.ACTIVE) return state !== VM_STATE.PENDING && state !== VM_STATE.HOLD && state !== VM_STATE.INIT;
  return lcm === LCM_STATE.UNKNOWN || lcmStateName(lcm).endsWith('_FAILURE');
}

export function isHostOn(state: number): boolean {
  return state === HOST_STATE.MONITORED;
}
