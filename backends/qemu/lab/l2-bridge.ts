/**
 * L2 design: each hypervisor has a Linux bridge holding the VM's tap and an uplink to the supervisor's
 * bridge (the "switch"). When the VM resumes on the other hypervisor, the switch learns its MAC on the
 * other uplink from the guest's announce (QEMU self-announce / virtio-net GUEST_ANNOUNCE).
 * The migration stream has its own point-to-point link between the hypervisors, so it does not queue
 * behind (or delay) the probes.
 *
 *   supervisor ns:  fab0 (bridge, 198.18.0.1/24) ── ua ┐      ┌ ub ── fab0
 *   hypervisor A:   br0 ─ up0 ───────────────────────┘      └──────────── up0 ─ br0 :hypervisor B
 *                   br0 ─ tap0 (VM when on A)                  tap0 ─ br0
 *                   mig0 198.19.0.1/24 ────────────────────── mig0 198.19.0.2/24
 */
import type { NetworkDesign } from '../../../core/spec/parameters.js';
import { addAddress, addBridge, addNamespace, addTap, addVethPair, attach, deleteNamespace, deleteNamespaceSync, ipIn, LAB_PREFIX } from './netns.js';
import type { HostSide, LabAddresses, LabTopology } from './topology.js';

export const L2_ADDRESSES: LabAddresses = {
  guest_cidr: '198.18.0.10/24',
  guest_ip: '198.18.0.10',
  guest_mac: '52:54:00:18:00:10',
  supervisor_ip: '198.18.0.1',
  migration_ip: { a: '198.19.0.1', b: '198.19.0.2' },
};

export class L2BridgeTopology implements LabTopology {
  readonly design: NetworkDesign = 'l2-announce';
  readonly namespaces: Readonly<Record<HostSide | 'supervisor', string>>;
  readonly addresses = L2_ADDRESSES;
  private created: string[] = [];

  constructor(labId: string) {
    const base = `${LAB_PREFIX}${labId}`;
    this.namespaces = { a: `${base}-a`, b: `${base}-b`, supervisor: `${base}-s` };
  }

  tapName(_host: HostSide): string {
    return 'tap0';
  }

  async setup(): Promise<void> {
    const { a, b, supervisor: s } = this.namespaces;
    try {
      for (const ns of [s, a, b]) {
        await addNamespace(ns);
        this.created.push(ns);
      }
      await addBridge(s, 'fab0');
      await addAddress(s, 'fab0', `${this.addresses.supervisor_ip}/24`);
      for (const [side, ns] of [['a', a], ['b', b]] as const) {
        await addBridge(ns, 'br0');
        await addVethPair(ns, 'up0', s, `u${side}`);
        await attach(ns, 'up0', 'br0');
        await attach(s, `u${side}`, 'fab0');
        await addTap(ns, 'tap0');
        await attach(ns, 'tap0', 'br0');
      }
      await addVethPair(a, 'mig0', b, 'mig0');
      await addAddress(a, 'mig0', `${this.addresses.migration_ip.a}/24`);
      await addAddress(b, 'mig0', `${this.addresses.migration_ip.b}/24`);
      // The prober must not wait on ARP after the VM moves: the guest's announce updates the switch,
      // and the supervisor's neighbour entry stays valid (same MAC, same IP).
      await ipIn(s, ['neigh', 'replace', this.addresses.guest_ip, 'lladdr', this.addresses.guest_mac, 'dev', 'fab0', 'nud', 'permanent']);
    } catch (e) {
      await this.teardown();
      throw e;
    }
  }

  async teardown(): Promise<void> {
    for (const ns of this.created.splice(0).reverse()) {
      await ipIn(ns, ['link', 'delete', 'tap0']).catch(() => undefined);
      await deleteNamespace(ns);
    }
  }

  teardownSync(): void {
    for (const ns of this.created.splice(0).reverse()) deleteNamespaceSync(ns);
  }
}
