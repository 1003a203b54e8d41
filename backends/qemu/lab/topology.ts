/**
 * The lab's shape, independent of how the guest's network is built. The L2 bridge design is the first
 * implementation; VXLAN (flood-and-learn, FDB push) and routed /32 designs plug in behind the same interface.
 */
import type { NetworkDesign } from '../../../core/spec/parameters.js';

export type HostSide = 'a' | 'b';

export interface LabAddresses {
  /** Guest address with prefix length, given to the guest on its kernel command line */
  guest_cidr: string;
  guest_ip: string;
  guest_mac: string;
  supervisor_ip: string;
  /** Where each hypervisor listens for an incoming migration stream */
  migration_ip: Record<HostSide, string>;
}

export interface LabTopology {
  readonly design: NetworkDesign;
  /** Namespace names: hypervisor A, hypervisor B, supervisor */
  readonly namespaces: Readonly<Record<HostSide | 'supervisor', string>>;
  readonly addresses: LabAddresses;
  /** Tap device QEMU opens on that hypervisor */
  tapName(host: HostSide): string;
  setup(): Promise<void>;
  /** Removes every namespace, bridge, veth and tap; safe to call twice. */
  teardown(): Promise<void>;
  /** For process-exit handlers: same as teardown, synchronously. */
  teardownSync(): void;
}

export const other = (h: HostSide): HostSide => (h === 'a' ? 'b' : 'a');
