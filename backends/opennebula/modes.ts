/**
 * How each Themis mode maps onto one.vm.migrate, and what the closed HISTORY record of a successful migration
 * looks like for it (observed on the real oned, see docs/opennebula.md). What a mode means (whether the guest
 * reboots, whether it keeps running) comes from core/modes.ts.
 */
import { MODE_PROPERTIES, type Mode } from '../../core/modes.js';
import { MIGRATION_TYPE } from './client.js';
import { HISTORY_ACTION } from './states.js';

export const OPENNEBULA_MODES = ['live', 'suspend', 'cold', 'cold-hard'] as const;
export type OpenNebulaMode = (typeof OPENNEBULA_MODES)[number];

export interface ModeMapping {
  /** one.vm.migrate's live flag: the VM keeps running while its memory is copied (core: not paused_throughout). */
  live: boolean;
  migration_type: number;
  /** ACTION of the source's HISTORY record once the VM has left it. */
  history_action: number;
  /** The guest reboots: the agent must come back by itself (systemd unit / context script). From core/modes.ts. */
  reboots: boolean;
}

/** What only OpenNebula adds to a mode: the migration type oned is asked for and the HISTORY action it records. */
const ONED: Record<OpenNebulaMode, Pick<ModeMapping, 'migration_type' | 'history_action'>> = {
  live: { migration_type: MIGRATION_TYPE.SAVE_RESTORE, history_action: HISTORY_ACTION.LIVE_MIGRATE },
  suspend: { migration_type: MIGRATION_TYPE.SAVE_RESTORE, history_action: HISTORY_ACTION.MIGRATE },
  cold: { migration_type: MIGRATION_TYPE.POWEROFF_BOOT, history_action: HISTORY_ACTION.POWEROFF_MIGRATE },
  'cold-hard': { migration_type: MIGRATION_TYPE.POWEROFF_HARD_BOOT, history_action: HISTORY_ACTION.POWEROFF_HARD_MIGRATE },
};

export function isOpenNebulaMode(mode: Mode | string): mode is OpenNebulaMode {
  return (OPENNEBULA_MODES as readonly string[]).includes(mode);
}

export function modeMapping(mode: OpenNebulaMode): ModeMapping {
  const core = MODE_PROPERTIES[mode];
  return { live: !core.paused_throughout, reboots: core.reboots, ...ONED[mode] };
}

/** Round/phase name of an LCM state, in the words of the `rounds` table. */
export function phaseOfState(state: string, mode: OpenNebulaMode): string {
  switch (state) {
    case 'MIGRATE':
      return 'precopy';
    case 'SAVE_MIGRATE':
      return MODE_PROPERTIES[mode].reboots ? 'shutdown' : 'save';
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
