/**
 * `vxlan-learn`: VXLAN flood-and-learn (backends/qemu/lab/vxlan.ts with learning on). Every VTEP learns the VM's
 * MAC from the outer source address of the frames it decapsulates (the vxlan driver's vxlan_snoop). After a move
 * the supervisor's VTEP still sends to the old hypervisor until a frame from the guest reaches it from the new
 * one: QEMU's announce (a broadcast, replicated to every VTEP) does that at once; without it, the supervisor's
 * neighbour re-resolution (a broadcast ARP the guest answers) or the FDB ageing (300 s) does. The stale entry
 * always sits on a remote VTEP, so both directions behave alike.
 */
import type { NetworkDesign } from '../../../core/spec/parameters.js';
import type { ControlPlaneEvents, HostSide } from './topology.js';
import { VxlanTopology } from './vxlan.js';

export class VxlanLearnTopology extends VxlanTopology {
  readonly design: NetworkDesign = 'vxlan-learn';

  constructor(labId: string) {
    super(labId, true);
  }

  async placeVm(_host: HostSide): Promise<void> {
    // Learned from the guest's frames.
  }

  async vmRunning(): Promise<ControlPlaneEvents[]> {
    return [];
  }
}
