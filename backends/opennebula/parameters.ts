/**
 * The trial parameters the opennebula backend honours: `mode` (one.vm.migrate's arguments, modes.ts) and
 * `probe_interval_ms` (the probe stream). Everything else describes the simulator's model of a machine that
 * here is a real one — its memory, workload, link, guest boot, network design, orchestrator, the cloud's own
 * time-out (the sweep's `opennebula.trial_timeout_s`, not `timeout_s`) — and is ignored. Each trial records
 * those of them the sweep set away from their default (`detail.ignored_parameters`, as the qemu backend does).
 */
import { PARAMETER_NAMES, type ParameterName, type TrialParameters } from '../../core/spec/parameters.js';

export const HONOURED_PARAMETERS = ['mode', 'probe_interval_ms'] as const satisfies readonly ParameterName[];

export const IGNORED_PARAMETERS: readonly ParameterName[] = PARAMETER_NAMES.filter(
  (k) => !(HONOURED_PARAMETERS as readonly string[]).includes(k),
);

/** The ignored parameters whose value differs from the default. */
export function ignoredParameters(p: TrialParameters, defaults: TrialParameters): string[] {
  return IGNORED_PARAMETERS.filter((k) => p[k] !== defaults[k]);
}
