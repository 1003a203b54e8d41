/**
 * Backend by name. Each backend module is imported only when used, so the simulator never loads ssh2 or
 * the QEMU lab code (the lists of ignored parameters are small pure modules, imported here).
 */
import type { Backend, BackendName } from '../core/backend.js';
import type { TrialParameters } from '../core/spec/parameters.js';
import type { SweepSpec } from '../core/spec/sweep.js';
import { IGNORED_PARAMETERS as OPENNEBULA_IGNORED, ignoredParameters as openNebulaIgnored } from './opennebula/parameters.js';
import { IGNORED_PARAMETERS as QEMU_IGNORED, ignoredParameters as qemuIgnored } from './qemu/result.js';

export async function createBackend(name: BackendName, sweep?: SweepSpec): Promise<Backend> {
  switch (name) {
    case 'simulator':
      return (await import('../simulator/backend.js')).createBackend();
    case 'qemu':
      return (await import('./qemu/backend.js')).createBackend();
    case 'opennebula':
      if (sweep?.opennebula?.lab) return (await import('./opennebula/lab/lab-backend.js')).createLabBackend();
      return (await import('./opennebula/backend.js')).createBackend();
  }
}

/** A backend's account of what it does not honour: the parameters of a trial it ignores that differ from the default. */
export type IgnoredParametersFn = (p: TrialParameters, defaults: TrialParameters) => string[];

/**
 * The parameters a backend ignores (null: it honours all of them — the simulator). Each backend declares its
 * own list (backends/qemu/result.ts, backends/opennebula/parameters.ts); both modules are small and pure.
 */
export function ignoredParametersOf(name: BackendName): IgnoredParametersFn | null {
  switch (name) {
    case 'simulator':
      return null;
    case 'qemu':
      return qemuIgnored;
    case 'opennebula':
      return openNebulaIgnored;
  }
}

/**
 * The parameters a backend never applies, whatever their value: its trials' columns for them hold what the sweep
 * said (or the default), not a fact of the run. `themis validate` takes those from the simulator sweep instead.
 * (The qemu backend honours `network` and `announce` at their defaults only; they count as applied.) Null for a
 * backend name Themis does not know (a foreign dataset): then every column is taken as a fact.
 */
export function unappliedParametersOf(name: string): readonly string[] | null {
  switch (name) {
    case 'simulator':
      return [];
    case 'qemu':
      return QEMU_IGNORED;
    case 'opennebula':
      return OPENNEBULA_IGNORED;
    default:
      return null;
  }
}
