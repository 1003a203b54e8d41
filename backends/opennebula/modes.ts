/**
 * How each Themis mode maps onto one.vm.migrate, and what the closed HISTORY record and the LCM states of a
 * successful migration look like for it (observed on the real oned, see docs/opennebula.md).
 */
import type { Mode } from '../../core/spec/parameters.js';
import { MIGRATION_TYPE } from './client.js';
import { HISTORY_ACTION } from './states.js';

export const OPENNEBULA_MODES = ['live', 'suspend', 'cold', 'cold-hard'] as const;
export type OpenNebulaMode = (typeof OPENNEBULA_MODES)[number];

export interface ModeMapping {
  live: boolean;
  migration_type: number;
  /** ACTION of the source's HISTORY record once the VM has left it. */
  history_action: number;
  /** The guest reboots: the agent must come back by itself (systemd unit / context script). */
  reboots: boolean;
  /** LCM states a successful migration passes through, in order (RUNNING at the end). */
  expected_states: string[];
}

const MAPPINGS: Record<OpenNebulaMode, ModeMapping> = {
  live: {
    live: true,
    migration_type: MIGRATION_TYPE.SAVE_RESTORE,
    history_action: HISTORY_ACTION.LIVE_MIGRATE,
    reboots: false,
    expected_states: ['MIGRATE', 'RUNNING'],
  },
  suspend: {
    live: false,
    migration_type: MIGRATION_TYPE.SAVE_RESTORE,
    history_action: HISTORY_ACTION.MIGRATE,
    reboots: false,
    expected_states: ['SAVE_MIGRATE', 'PROLOG_MIGRATE', 'BOOT_MIGRATE', 'RUNNING'],
  },
  cold: {
    live: false,
    migration_type: MIGRATION_TYPE.POWEROFF_BOOT,
    history_action: HISTORY_ACTION.POWEROFF_MIGRATE,
    reboots: true,
    expected_states: ['SAVE_MIGRATE', 'PROLOG_MIGRATE', 'BOOT', 'RUNNING'],
  },
  'cold-hard': {
    live: false,
    migration_type: MIGRATION_TYPE.POWEROFF_HARD_BOOT,
    history_action: HISTORY_ACTION.POWEROFF_HARD_MIGRATE,
    reboots: true,
    expected_states: ['SAVE_MIGRATE', 'PROLOG_MIGRATE', 'BOOT', 'RUNNING'],
  },
};

export function isOpenNebulaMode(mode: Mode | string): mode is OpenNebulaMode {
  return (OPENNEBULA_MODES as readonly string[]).includes(mode);
}

export function modeMapping(mode: OpenNebulaMode): ModeMapping {
  return MAPPINGS[mode];
}

/** Round/phase name of an LCM state, in the words of the `rounds` table. */
export function phaseOfState(state: string, mode: OpenNebulaMode): string {
  switch (state) {
    case 'MIGRATE':
      return 'precopy';
    case 'SAVE_MIGRATE':
      return mode === 'suspend' ? 'save' : 'shutdown';
    case 'PROLOG_MIGRATE':
      return 'disk-copy';
    case 'BOOT_MIGRATE':
      return 'restore';
    case 'BOOT':
      return 'boot';
    default:
      return state.toLowerCase();
  }
}

/**
 * Whether the observed states (after the request, repeats removed) are the expected ones in order. A state
 * shorter than a poll can be missed, so observed may skip expected states, but must not add or reorder any,
 * and must end RUNNING. Leading RUNNING reads (the moment before oned starts the action) are ignored.
 */
export function statesFollow(observed: readonly string[], expected: readonly string[]): boolean {
  if (observed.length === 0 || observed[observed.length - 1] !== 'RUNNING') return false;
  // Right after the request oned still reads RUNNING (with the destination's record already appended): skip it.
  const first = observed.findIndex((s) => s !== 'RUNNING');
  const moving = first < 0 ? observed.slice(-1) : observed.slice(first);
  let i = 0;
  for (const s of moving) {
    while (i < expected.length && expected[i] !== s) i++;
    if (i === expected.length) return false;
    i++;
  }
  return true;
}
