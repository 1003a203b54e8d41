/**
 * The lab's shape, independent of how the guest's network is built. One implementation per network design
 * (backends/qemu/lab/designs.ts picks it from the trial's `network`): a Linux bridge pair, VXLAN with
 * flood-and-learn, VXLAN with a controller pushing the FDB, routed /32 with FRR's OSPF.
 */
import type { EventRow } from '../../../core/backend.js';
import type { NetworkDesign, TrialParameters } from '../../../core/spec/parameters.js';

export type HostSide = 'a' | 'b';

export interface LabAddresses {
  /** Guest address with prefix length, given to the guest on its kernel command line */
  guest_cidr: string;
  guest_ip: string;
  guest_mac: string;
  /** The guest's default gateway (routed designs: the anycast gateway on every hypervisor); null = on-link only */
  guest_gateway: string | null;
  supervisor_ip: string;
  /** Where each hypervisor listens for an incoming migration stream */
  migration_ip: Record<HostSide, string>;
}

/** What a design's control plane did when the VM started running at a hypervisor (events for the trial). */
export type ControlPlaneEvents = Omit<EventRow, 't_ms'> & { at_mono: number };

export interface LabTopology {
  readonly design: NetworkDesign;
  /** Namespace names: hypervisor A, hypervisor B, supervisor */
  readonly namespaces: Readonly<Record<HostSide | 'supervisor', string>>;
  /** Every namespace the design creates (the three above and its routers, underlay, other VTEP hosts) */
  readonly allNamespaces: readonly string[];
  readonly addresses: LabAddresses;
  /** Facts of the built lab a trial records (e.g. how many VTEPs the controller updates) */
  readonly facts: Readonly<Record<string, unknown>>;
  /** Tap device QEMU opens on that hypervisor */
  tapName(host: HostSide): string;
  /** Builds everything and waits until the network is ready to carry the probes (bounded). */
  setup(): Promise<void>;
  /** Before a fresh boot on `host`, outside any measurement: the network's state for a VM there. */
  placeVm(host: HostSide): Promise<void>;
  /**
   * The VM now runs at `to` (resumed after a migration, or booted after a cold move): what the design's control
   * plane does (move the /32 route, push the FDB after the controller's latency). Designs that only learn from the
   * guest's own frames do nothing. Resolves when the control plane is done; never throws (errors become events).
   */
  vmRunning(from: HostSide, to: HostSide, p: TrialParameters, running_at_mono: number): Promise<ControlPlaneEvents[]>;
  /** Removes every namespace, bridge, veth, tap and daemon; safe to call twice. */
  teardown(): Promise<void>;
  /** For process-exit handlers: same as teardown, synchronously. */
  teardownSync(): void;
}

export const other = (h: HostSide): HostSide => (h === 'a' ? 'b' : 'a');
