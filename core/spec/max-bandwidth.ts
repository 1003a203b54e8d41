/**
 * QEMU's migration bandwidth cap (max-bandwidth) as a number. Its own module with a type-only import of the
 * parameters, so the simulator's worker threads can use it without loading zod (core/spec/parameters.ts).
 */
import type { TrialParameters } from './parameters.js';

/** Effective QEMU bandwidth cap in MiB/s (Infinity when unlimited). */
export function maxBandwidthMiBs(p: Pick<TrialParameters, 'max_bandwidth_mib_s'>): number {
  return p.max_bandwidth_mib_s === 'unlimited' ? Number.POSITIVE_INFINITY : p.max_bandwidth_mib_s;
}
