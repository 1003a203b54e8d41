/**
 * Dispatch to the four network designs: when the supervisor's probes reach the VM again after it moved.
 * `moveAtMs`: the VM's port exists at the destination (migration: the resume; cold: boot start).
 * `firstFrameAtMs`: first frame the VM sends from there (announce, or its boot traffic), NaN when none.
 */
import type { TrialParameters } from '../../core/spec/parameters.js';
import { fdbPushReconvergedAtMs } from './vxlan-fdb-push.js';
import { l2ReconvergedAtMs } from './l2-announce.js';
import { ospfReconvergedAtMs } from './routed-ospf.js';
import { vxlanLearnReconvergedAtMs } from './vxlan-learn.js';

export function reconvergedAtMs(
  p: TrialParameters,
  moveAtMs: number,
  firstFrameAtMs: number,
  lastFrameAtSourceMs: number,
  controllerJitter: number,
): number {
  switch (p.network) {
    case 'l2-announce':
      return l2ReconvergedAtMs(moveAtMs, firstFrameAtMs, lastFrameAtSourceMs, p.mac_ageing_s, p.switch_learn_ms);
    case 'vxlan-learn':
      return vxlanLearnReconvergedAtMs(moveAtMs, firstFrameAtMs, lastFrameAtSourceMs, p.mac_ageing_s, p.vtep_learn_ms);
    case 'vxlan-fdb-push':
      return fdbPushReconvergedAtMs(moveAtMs, p.controller_latency_ms, controllerJitter, p.hosts, p.fdb_update_per_host_ms);
    case 'routed-ospf':
      return ospfReconvergedAtMs(
        moveAtMs, p.ospf_detect_ms, p.ospf_hops, p.ospf_lsa_hop_ms, p.spf_initial_ms, p.spf_hold_ms, p.spf_max_ms, p.fib_install_ms,
      );
  }
}
