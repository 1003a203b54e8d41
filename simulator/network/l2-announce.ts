/**
 * Flat L2 (Linux bridges joined by a switch or a fabric link). The bridges' MAC tables still point the VM's
 * MAC at the source after the move. A frame the VM sends from the destination fixes every table on its
 * broadcast path after switch_learn_ms (Linux br_fdb_update on ingress): with QEMU's self-announce that is
 * the first RARP round, sent at the resume (announce-schedule.ts). Without it the VM only answers probes,
 * which the stale entry sends to the source: which device holds it decides (stale-entry.ts) — the
 * supervisor's own bridge on the source host flushes it with the deleted port at once, a remote one keeps it
 * until the supervisor's neighbour state machine broadcasts (tens of seconds) or the entry ages out (300 s).
 */
import type { TrialParameters } from '../../core/spec/parameters.js';
import { learnedAtMs } from './learning.js';

/** Absolute time (ms) at which the supervisor's frames reach the VM at its new port. */
export function l2ReconvergedAtMs(p: TrialParameters, moveAtMs: number, firstFrameAtMs: number, stopMs: number, reachU: number, phaseU: number): number {
  return learnedAtMs(p, moveAtMs, firstFrameAtMs, stopMs, reachU, phaseU, p.switch_learn_ms);
}
