/**
 * `l2-announce`: each hypervisor has a Linux bridge holding the VM's tap; the two bridges are joined by a fabric
 * link and the supervisor hangs off hypervisor A's bridge (as a host on A's top-of-rack switch would). When the VM
 * resumes on the other hypervisor the bridges learn its MAC again from the guest's announce (QEMU self-announce
 * RARP / virtio-net GUEST_ANNOUNCE). Without an announce, which bridge holds the stale entry decides:
 *  - A→B: A's entry pointed at its tap; QEMU closing the tap disables the port and the bridge flushes that port's
 *    dynamic entries (br_stp_disable_port → br_fdb_delete_by_port), so the next probe floods to B at once;
 *  - B→A: A's entry points at the fabric port, which stays up: probes go to B until the supervisor's neighbour
 *    entry re-resolves the guest with a broadcast (Linux NUD: REACHABLE → STALE → DELAY → PROBE → FAILED), or
 *    the entry ages out (300 s).
 * The supervisor therefore resolves the guest by ARP like any host (no static neighbour entry).
 * The migration stream has its own point-to-point link between the hypervisors, so it does not queue behind
 * (or delay) the probes.
 *
 *   supervisor ns:  eth0 198.18.0.1/24 ── sv ┐
 *   hypervisor A:   br0 ─ tap0 (VM on A)      br0 ─ fab ───────── fab ─ br0 ─ tap0 (VM on B) :hypervisor B
 *                   mig0 198.19.0.1/24 ─────────────────────────── mig0 198.19.0.2/24
 */
import type { NetworkDesign } from '../../../core/spec/parameters.js';
import { addAddress, addBridge, addTap, addVethPair, attach, LAB_PREFIX, NamespaceSet } from './netns.js';
import type { ControlPlaneEvents, HostSide, LabAddresses, LabTopology } from './topology.js';

export const L2_ADDRESSES: LabAddresses = {
  guest_cidr: '198.18.0.10/24',
  guest_ip: '198.18.0.10',
  guest_mac: '52:54:00:18:00:10',
  guest_gateway: null,
  supervisor_ip: '198.18.0.1',
  migration_ip: { a: '198.19.0.1', b: '198.19.0.2' },
};

/** The hypervisors' point-to-point migration link, shared by every design. */
export async function addMigrationLink(a: string, b: string, ips: Record<HostSide, string>): Promise<void> {
  await addVethPair(a, 'mig0', b, 'mig0');
  await addAddress(a, 'mig0', `${ips.a}/24`);
  await addAddress(b, 'mig0', `${ips.b}/24`);
}

export class L2BridgeTopology implements LabTopology {
  readonly design: NetworkDesign = 'l2-announce';
  readonly namespaces: Readonly<Record<HostSide | 'supervisor', string>>;
  readonly allNamespaces: readonly string[];
  readonly addresses = L2_ADDRESSES;
  readonly facts = { supervisor_on: 'a' };
  private readonly ns = new NamespaceSet();

  constructor(labId: string) {
    const base = `${LAB_PREFIX}${labId}`;
    this.namespaces = { a: `${base}-a`, b: `${base}-b`, supervisor: `${base}-s` };
    this.allNamespaces = Object.values(this.namespaces);
  }

  tapName(_host: HostSide): string {
    return 'tap0';
  }

  async setup(): Promise<void> {
    const { a, b, supervisor: s } = this.namespaces;
    try {
      for (const n of [s, a, b]) await this.ns.add(n);
      for (const n of [a, b]) {
        await addBridge(n, 'br0');
        await addTap(n, 'tap0');
        await attach(n, 'tap0', 'br0');
      }
      await addVethPair(s, 'eth0', a, 'sv');
      await attach(a, 'sv', 'br0');
      await addAddress(s, 'eth0', `${this.addresses.supervisor_ip}/24`);
      await addVethPair(a, 'fab', b, 'fab');
      await attach(a, 'fab', 'br0');
      await attach(b, 'fab', 'br0');
      await addMigrationLink(a, b, this.addresses.migration_ip);
    } catch (e) {
      await this.teardown();
      throw e;
    }
  }

  async placeVm(_host: HostSide): Promise<void> {
    // The bridges learn where the VM is from its frames.
  }

  async vmRunning(): Promise<ControlPlaneEvents[]> {
    return [];
  }

  async teardown(): Promise<void> {
    await this.ns.removeAll();
  }

  teardownSync(): void {
    this.ns.removeAllSync();
  }
}
