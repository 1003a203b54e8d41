/**
 * VXLAN with flood-and-learn (Linux vxlan device with `learning`, BUM traffic head-end replicated to every
 * VTEP through all-zero FDB entries). The supervisor's VTEP maps the VM's MAC to the source VTEP's IP. The
 * RARP announce is broadcast, so it is flooded to every VTEP, and each relearns the MAC behind the
 * destination VTEP from its outer source IP after vtep_learn_ms (drivers/net/vxlan vxlan_snoop). Without an
 * announce the stale entry sits in the supervisor's VTEP — a remote device in either direction unless the
 * supervisor shares the source host's bridge (stale-entry.ts) — so the supervisor's neighbour broadcast
 * (flooded to every VTEP, answered by the VM) or the vxlan FDB ageing (mac_ageing_s, vxlan_cleanup) ends it.
 */
import type { TrialParameters } from '../../core/spec/parameters.js';
import { learnedAtMs } from './learning.js';

export function vxlanLearnReconvergedAtMs(p: TrialParameters, moveAtMs: number, firstFrameAtMs: number, stopMs: number, reachU: number, phaseU: number): number {
  return learnedAtMs(p, moveAtMs, firstFrameAtMs, stopMs, reachU, phaseU, p.vtep_learn_ms);
}
