import { trialParametersSchema, type TrialParameters, type TrialParametersInput } from '../../core/spec/parameters.js';

/** Validated parameters with seeded variation switched off, so results can be derived by hand. */
export function exact(over: TrialParametersInput = {}): TrialParameters {
  return trialParametersSchema.parse({ bandwidth_jitter_share: 0, boot_jitter_share: 0, controller_jitter_share: 0, ...over });
}

export function params(over: TrialParametersInput = {}): TrialParameters {
  return trialParametersSchema.parse(over);
}

export const MiB = 1024 * 1024;
/** MiB/s → bytes per ms */
export const bpms = (mibS: number): number => (mibS * MiB) / 1000;
