/**
 * Dispatch to the four network designs: when the supervisor's probes reach the VM again after it moved.
 * `moveAtMs`: the VM's port exists at the destination (migration: the resume; cold: boot start).
 * `firstFrameAtMs`: first frame the VM sends from there (announce, or its boot traffic), NaN when none.
 * `stopMs`: the VM stopped answering at the source (the pause; cold: the shutdown).
 * `reachU`, `phaseU`: the trial's uniform draws for the supervisor's neighbour cycle (stale-entry.ts).
 */
import type { TrialParameters } from '../../core/spec/parameters.js';
import { fdbPushReconvergedAtMs } from './vxlan-fdb-push.js';
import { l2ReconvergedAtMs } from './l2-announce.js';
import { ospfReconvergedAtMs } from './routed-ospf.js';
import { needsNeighbourDraws } from './stale-entry.js';
import { vxlanLearnReconvergedAtMs } from './vxlan-learn.js';

/** Whether this trial's reconvergence reads the two neighbour draws (the flood-and-learn designs with no frame from the VM). */
export function usesNeighbourDraws(p: TrialParameters, firstFrameAtMs: number): boolean {
  return (p.network === 'l2-announce' || p.network === 'vxlan-learn') && Number.isNaN(firstFrameAtMs) && needsNeighbourDraws(p);
}

export function reconvergedAtMs(
  p: TrialParameters,
  moveAtMs: number,
  firstFrameAtMs: number,
  stopMs: number,
  controllerJitter: number,
  reachU: number,
  phaseU: number,
): number {
  switch (p.network) {
    case 'l2-announce':
      return l2ReconvergedAtMs(p, moveAtMs, firstFrameAtMs, stopMs, reachU, phaseU);
    case 'vxlan-learn':
      return vxlanLearnReconvergedAtMs(p, moveAtMs, firstFrameAtMs, stopMs, reachU, phaseU);
    case 'vxlan-fdb-push':
      return fdbPushReconvergedAtMs(moveAtMs, p.controller_latency_ms, controllerJitter, p.hosts, p.fdb_update_per_host_ms);
    case 'routed-ospf':
      return ospfReconvergedAtMs(p, moveAtMs);
  }
}
