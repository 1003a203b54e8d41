/**
 * The VXLAN lab both VXLAN designs share: an underlay switch (its own namespace, 198.19.1.0/24), a VTEP per
 * hypervisor (a bridge holding the VM's tap and vxlan0) and one on the supervisor's host (a bridge holding vxlan0
 * and the supervisor's address), plus, for the controller design, more hypervisor hosts that only hold a VTEP.
 * Broadcast and unknown unicast use head-end replication: an all-zero FDB entry per remote VTEP on every VTEP
 * (`bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst …`, the vxlan driver then sends one copy to each).
 *
 *   underlay ns:   ul0 (bridge) ─ p-s ─ p-a ─ p-b [─ p-h3 …]
 *   supervisor ns: ul 198.19.1.1 ─ vxlan0 ─ fab0 (bridge, 198.18.0.1/24)
 *   hypervisor A:  ul 198.19.1.2 ─ vxlan0 ─ br0 ─ tap0        B: ul 198.19.1.3 ─ vxlan0 ─ br0 ─ tap0
 *   A ↔ B:         mig0 198.19.0.1/24 ── mig0 198.19.0.2/24 (the migration stream)
 */
import type { NetworkDesign } from '../../../core/spec/parameters.js';
import { addAddress, addBridge, addTap, addVethPair, addVxlan, attach, bridgeIn, ipIn, LAB_PREFIX, NamespaceSet } from './netns.js';
import { addMigrationLink, L2_ADDRESSES } from './l2-bridge.js';
import type { ControlPlaneEvents, HostSide, LabTopology } from './topology.js';
import type { TrialParameters } from '../../../core/spec/parameters.js';

export const VNI = 100;
/** Room for the 50-byte VXLAN header on the underlay, so the overlay keeps a 1500-byte MTU. */
const UNDERLAY_MTU = '1600';

export interface Vtep {
  /** 's' (supervisor), 'a', 'b', 'h3' … */
  name: string;
  ns: string;
  underlay_ip: string;
  /** The bridge vxlan0 is a port of */
  bridge: string;
}

export abstract class VxlanTopology implements LabTopology {
  abstract readonly design: NetworkDesign;
  readonly namespaces: Readonly<Record<HostSide | 'supervisor', string>>;
  readonly allNamespaces: readonly string[];
  readonly addresses = L2_ADDRESSES;
  readonly vteps: readonly Vtep[];
  private readonly underlay: string;
  private readonly ns = new NamespaceSet();

  /** `hypervisors` ≥ 2: A and B plus hypervisor hosts h3 … that only hold a VTEP. */
  constructor(labId: string, private readonly learning: boolean, hypervisors = 2) {
    const base = `${LAB_PREFIX}${labId}`;
    this.namespaces = { a: `${base}-a`, b: `${base}-b`, supervisor: `${base}-s` };
    this.underlay = `${base}-u`;
    const vtep = (name: string, i: number, bridge: string): Vtep => ({ name, ns: `${base}-${name}`, underlay_ip: `198.19.1.${i + 1}`, bridge });
    this.vteps = [
      vtep('s', 0, 'fab0'),
      vtep('a', 1, 'br0'),
      vtep('b', 2, 'br0'),
      ...Array.from({ length: Math.max(0, hypervisors - 2) }, (_, k) => vtep(`h${k + 3}`, k + 3, 'br0')),
    ];
    this.allNamespaces = [this.underlay, ...this.vteps.map((v) => v.ns)];
  }

  get facts(): Readonly<Record<string, unknown>> {
    return { vteps: this.vteps.length, vxlan_learning: this.learning, head_end_replication: true };
  }

  tapName(_host: HostSide): string {
    return 'tap0';
  }

  vtepOf(host: HostSide): Vtep {
    return this.vteps.find((v) => v.name === host)!;
  }

  async setup(): Promise<void> {
    try {
      await this.ns.add(this.underlay);
      await addBridge(this.underlay, 'ul0');
      for (const v of this.vteps) await this.addVtep(v);
      await addAddress(this.namespaces.supervisor, 'fab0', `${this.addresses.supervisor_ip}/24`);
      await addMigrationLink(this.namespaces.a, this.namespaces.b, this.addresses.migration_ip);
    } catch (e) {
      await this.teardown();
      throw e;
    }
  }

  private async addVtep(v: Vtep): Promise<void> {
    await this.ns.add(v.ns);
    await addVethPair(v.ns, 'ul', this.underlay, `p-${v.name}`);
    for (const [n, dev] of [[v.ns, 'ul'], [this.underlay, `p-${v.name}`]] as const) await ipIn(n, ['link', 'set', dev, 'mtu', UNDERLAY_MTU]);
    await attach(this.underlay, `p-${v.name}`, 'ul0');
    await addAddress(v.ns, 'ul', `${v.underlay_ip}/24`);
    await addVxlan(v.ns, 'vxlan0', VNI, v.underlay_ip, this.learning);
    await addBridge(v.ns, v.bridge);
    await attach(v.ns, 'vxlan0', v.bridge);
    // With a controller the bridge must not learn on the VTEP port either (as EVPN sets `learning off` on it): a MAC
    // learned there from a replicated broadcast would make the new hypervisor's bridge drop the VM's traffic (it
    // arrives on that same port) until the guest sends a frame, whatever the controller pushed.
    if (!this.learning) await bridgeIn(v.ns, ['link', 'set', 'dev', 'vxlan0', 'learning', 'off']);
    for (const peer of this.vteps) {
      if (peer !== v) await bridgeIn(v.ns, ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'vxlan0', 'dst', peer.underlay_ip]);
    }
    if (v.name === 'a' || v.name === 'b') {
      await addTap(v.ns, 'tap0');
      await attach(v.ns, 'tap0', v.bridge);
    }
  }

  abstract placeVm(host: HostSide): Promise<void>;
  abstract vmRunning(from: HostSide, to: HostSide, p: TrialParameters, running_at_mono: number): Promise<ControlPlaneEvents[]>;

  async teardown(): Promise<void> {
    await this.ns.removeAll();
  }

  teardownSync(): void {
    this.ns.removeAllSync();
  }
}
