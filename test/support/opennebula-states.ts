/**
 * The LCM states a successful OpenNebula migration passes through, per mode (observed on the real oned, see
 * docs/opennebula.md), and the check that an observed sequence follows them. Only the tests read these: the
 * backend itself records the states it sees and judges a migration by its HISTORY records (trial.ts).
 */
import type { OpenNebulaMode } from '../../backends/opennebula/modes.js';

/** LCM states a successful migration passes through, in order (RUNNING at the end). */
export const EXPECTED_STATES: Record<OpenNebulaMode, readonly string[]> = {
  live: ['MIGRATE', 'RUNNING'],
  suspend: ['SAVE_MIGRATE', 'PROLOG_MIGRATE', 'BOOT_MIGRATE', 'RUNNING'],
  cold: ['SAVE_MIGRATE', 'PROLOG_MIGRATE', 'BOOT', 'RUNNING'],
  'cold-hard': ['SAVE_MIGRATE', 'PROLOG_MIGRATE', 'BOOT', 'RUNNING'],
};

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
