/**
 * The trial's `network` parameter → the lab topology that builds it. A lab is rebuilt when a trial needs another
 * design (or, for the controller design, another number of VTEP hosts): `topologyKey` says when.
 */
import type { TrialParameters } from '../../../core/spec/parameters.js';
import { L2BridgeTopology } from './l2-bridge.js';
import { RoutedOspfTopology } from './routed-ospf.js';
import type { LabTopology } from './topology.js';
import { labHypervisors, VxlanFdbPushTopology } from './vxlan-fdb-push.js';
import { VxlanLearnTopology } from './vxlan-learn.js';

export type TopologyNeeds = Pick<TrialParameters, 'network' | 'hosts'>;

export function topologyKey(p: TopologyNeeds): string {
  return p.network === 'vxlan-fdb-push' ? `${p.network}/${labHypervisors(p.hosts)}` : p.network;
}

export function createTopology(p: TopologyNeeds, labId: string): LabTopology {
  switch (p.network) {
    case 'l2-announce':
      return new L2BridgeTopology(labId);
    case 'vxlan-learn':
      return new VxlanLearnTopology(labId);
    case 'vxlan-fdb-push':
      return new VxlanFdbPushTopology(labId, p.hosts);
    case 'routed-ospf':
      return new RoutedOspfTopology(labId);
  }
}
