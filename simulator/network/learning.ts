/**
 * Source-MAC learning, shared by the bridge (l2-announce) and the VTEP (vxlan-learn) designs: a forwarding
 * entry moves when a frame from the VM arrives from its new place (Linux br_fdb_update, vxlan_snoop) — its
 * announce, or its boot traffic after a cold move — or, when the VM sends nothing the network can see, once
 * the stale entry stops misdirecting the supervisor's frames (stale-entry.ts: flushed with the deleted port,
 * re-resolved by the supervisor's neighbour broadcast, or aged out), after which the VM's reply is learned.
 * Learning itself takes `learnMs`.
 */
import type { TrialParameters } from '../../core/spec/parameters.js';
import { staleEntryGoneAtMs } from './stale-entry.js';

export function learnedAtMs(
  p: TrialParameters,
  moveAtMs: number,
  firstFrameAtMs: number,
  stopMs: number,
  reachU: number,
  phaseU: number,
  learnMs: number,
): number {
  const from = Number.isNaN(firstFrameAtMs) ? staleEntryGoneAtMs(p, moveAtMs, stopMs, reachU, phaseU) : firstFrameAtMs;
  return from + learnMs;
}
