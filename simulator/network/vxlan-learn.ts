/**
 * VXLAN with flood-and-learn (Linux vxlan device with `learning`, BUM traffic head-end replicated or
 * multicast to every VTEP). The supervisor's VTEP maps the VM's MAC to the source VTEP's IP. The RARP
 * announce is broadcast, so it is flooded to every VTEP, and each relearns the MAC behind the destination
 * VTEP from its outer source IP after vtep_learn_ms (vxlan_snoop). Without an announce the stale FDB entry
 * lives until the vxlan FDB ageing (mac_ageing_s, kernel default 300 s) after the VM's last frame at the
 * source; the next probe is then flooded and the VM's reply relearned.
 */
import { learnedAtMs } from './learning.js';

export function vxlanLearnReconvergedAtMs(
  moveAtMs: number,
  firstFrameAtMs: number,
  lastFrameAtSourceMs: number,
  macAgeingS: number,
  vtepLearnMs: number,
): number {
  return learnedAtMs(moveAtMs, firstFrameAtMs, lastFrameAtSourceMs, macAgeingS, vtepLearnMs);
}
