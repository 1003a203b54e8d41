/**
 * `routed-ospf`: no L2 between the hypervisors. Each hypervisor is a router (FRR zebra + ospfd, backends/qemu/lab/frr.ts)
 * linked point-to-point to a core router that also serves the supervisor's subnet. The VM's tap carries the
 * anycast gateway (the same address and MAC on every hypervisor, so the guest's ARP entry for its gateway stays
 * right after a move); its hypervisor holds a /32 kernel route to the VM on the tap, which ospfd redistributes
 * (`redistribute kernel`, an AS-external LSA). When the VM runs at the new hypervisor, Themis moves the /32 as a
 * hypervisor's port-binding hook would: deleted at the source, added at the destination. zebra hears both over
 * netlink at once, ospfd flushes/originates the LSA, and the core's SPF (FRR default `timers throttle spf 0 50
 * 5000`) installs the new next hop: the outage is the route move and SPF, not OSPF's hello/dead timers.
 * QEMU's announce only reaches the destination hypervisor, which routes anyway: it changes nothing.
 *
 *   supervisor ns:  eth0 198.18.0.1/24 ─── s0 198.18.0.254/24 :core (ospfd, zebra)
 *   core:           a0 198.18.2.1/30 ── core0 198.18.2.2/30 :hypervisor A ─ tap0 198.18.1.1/32 (anycast gw) → VM 198.18.1.10/32
 *                   b0 198.18.3.1/30 ── core0 198.18.3.2/30 :hypervisor B ─ tap0 198.18.1.1/32
 *   A ↔ B:          mig0 198.19.0.1/24 ── mig0 198.19.0.2/24 (the migration stream)
 * Hello 1 s / dead 4 s on the point-to-point links only shortens the lab's start (adjacency within seconds).
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NetworkDesign, TrialParameters } from '../../../core/spec/parameters.js';
import { monoMs, sleep } from '../../shared/exec.js';
import { FrrRouter } from './frr.js';
import { addMigrationLink } from './l2-bridge.js';
import { addAddress, addTap, addVethPair, ipIn, LAB_PREFIX, NamespaceSet, sysctlIn } from './netns.js';
import type { ControlPlaneEvents, HostSide, LabAddresses, LabTopology } from './topology.js';

export const ROUTED_ADDRESSES: LabAddresses = {
  guest_cidr: '198.18.1.10/24',
  guest_ip: '198.18.1.10',
  guest_mac: '52:54:00:18:00:10',
  guest_gateway: '198.18.1.1',
  supervisor_ip: '198.18.0.1',
  migration_ip: { a: '198.19.0.1', b: '198.19.0.2' },
};
const ANYCAST_GATEWAY_MAC = '02:00:c6:12:01:01';
const CORE_LINK: Record<HostSide, { core: string; hv: string; net: string }> = {
  a: { core: '198.18.2.1', hv: '198.18.2.2', net: '198.18.2.0/30' },
  b: { core: '198.18.3.1', hv: '198.18.3.2', net: '198.18.3.0/30' },
};
const ADJACENCY_TIMEOUT_MS = 60_000;
const ROUTE_TIMEOUT_MS = 30_000;

const p2p = (dev: string): string =>
  `interface ${dev}\n ip ospf network point-to-point\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n!\n`;

export class RoutedOspfTopology implements LabTopology {
  readonly design: NetworkDesign = 'routed-ospf';
  readonly namespaces: Readonly<Record<HostSide | 'supervisor', string>>;
  readonly allNamespaces: readonly string[];
  readonly addresses = ROUTED_ADDRESSES;
  readonly facts = { routers: 3, ospf: 'FRR zebra+ospfd, point-to-point, redistribute kernel', anycast_gateway: ROUTED_ADDRESSES.guest_gateway };
  private readonly core: string;
  private readonly ns = new NamespaceSet();
  /** The routers' folders (owned by frr), named in every FRR daemon's command line */
  readonly frrRoot: string;
  private routers: FrrRouter[] = [];

  constructor(labId: string) {
    const base = `${LAB_PREFIX}${labId}`;
    this.namespaces = { a: `${base}-a`, b: `${base}-b`, supervisor: `${base}-s` };
    this.core = `${base}-c`;
    this.allNamespaces = [...Object.values(this.namespaces), this.core];
    // Under /tmp, traversable by frr (mkdtemp makes 0700): the routers' folders inside are owned by frr.
    this.frrRoot = mkdtempSync(path.join(tmpdir(), `themis-frr-${labId}-`));
    chmodSync(this.frrRoot, 0o755);
  }

  tapName(_host: HostSide): string {
    return 'tap0';
  }

  async setup(): Promise<void> {
    const { a, b, supervisor: s } = this.namespaces;
    try {
      for (const n of [s, this.core, a, b]) {
        await this.ns.add(n);
        // IPv4 settings are inherited from the host's namespace: make the routers' behaviour not depend on it.
        for (const [k, v] of [['net.ipv4.ip_forward', '1'], ['net.ipv4.conf.all.rp_filter', '0'], ['net.ipv4.conf.default.rp_filter', '0']]) await sysctlIn(n, k!, v!);
      }
      await addVethPair(s, 'eth0', this.core, 's0');
      await addAddress(s, 'eth0', `${this.addresses.supervisor_ip}/24`);
      await addAddress(this.core, 's0', '198.18.0.254/24');
      await ipIn(s, ['route', 'add', '198.18.1.0/24', 'via', '198.18.0.254']);
      for (const side of ['a', 'b'] as const) await this.addHypervisor(side);
      await addMigrationLink(a, b, this.addresses.migration_ip);
      await this.startRouters();
      await this.waitAdjacency();
    } catch (e) {
      await this.teardown();
      throw e;
    }
  }

  private async addHypervisor(side: HostSide): Promise<void> {
    const n = this.namespaces[side];
    const link = CORE_LINK[side];
    await addVethPair(this.core, `${side}0`, n, 'core0');
    await addAddress(this.core, `${side}0`, `${link.core}/30`);
    await addAddress(n, 'core0', `${link.hv}/30`);
    await addTap(n, 'tap0');
    await ipIn(n, ['link', 'set', 'tap0', 'address', ANYCAST_GATEWAY_MAC]);
    await addAddress(n, 'tap0', `${this.addresses.guest_gateway}/32`);
  }

  private async startRouters(): Promise<void> {
    const core = new FrrRouter(this.core, 'core', this.frrRoot);
    this.routers.push(core);
    await core.start(
      `hostname core\n${p2p('a0')}${p2p('b0')}router ospf\n ospf router-id 198.18.0.254\n passive-interface s0\n` +
        ` network 198.18.0.0/24 area 0\n network ${CORE_LINK.a.net} area 0\n network ${CORE_LINK.b.net} area 0\n!\n`,
    );
    for (const side of ['a', 'b'] as const) {
      const r = new FrrRouter(this.namespaces[side], `hv-${side}`, this.frrRoot);
      this.routers.push(r);
      await r.start(`hostname hv-${side}\n${p2p('core0')}router ospf\n ospf router-id ${CORE_LINK[side].hv}\n redistribute kernel\n network ${CORE_LINK[side].net} area 0\n!\n`);
    }
  }

  /** Both of the core's neighbours Full (bounded): before that no move can be measured. */
  private async waitAdjacency(): Promise<void> {
    const deadline = monoMs() + ADJACENCY_TIMEOUT_MS;
    let last = '';
    while (monoMs() < deadline) {
      last = await this.routers[0]!.vtysh('show ip ospf neighbor').catch((e: Error) => e.message);
      if ((last.match(/\bFull\//g) ?? []).length >= 2) return;
      await sleep(250);
    }
    throw new Error(`OSPF adjacency not Full within ${ADJACENCY_TIMEOUT_MS} ms: ${last.trim().slice(0, 400)}`);
  }

  private async moveRoute(from: HostSide, to: HostSide): Promise<void> {
    await ipIn(this.namespaces[from], ['route', 'del', `${this.addresses.guest_ip}/32`, 'dev', 'tap0']).catch(() => undefined);
    await ipIn(this.namespaces[to], ['route', 'replace', `${this.addresses.guest_ip}/32`, 'dev', 'tap0']);
  }

  /** Before a fresh boot on `host`: the /32 there and the core routing to it (bounded). */
  async placeVm(host: HostSide): Promise<void> {
    await this.moveRoute(host === 'a' ? 'b' : 'a', host);
    const deadline = monoMs() + ROUTE_TIMEOUT_MS;
    let last = '';
    while (monoMs() < deadline) {
      const out = (await ipIn(this.core, ['route', 'show', `${this.addresses.guest_ip}/32`])) as { stdout: string };
      last = out.stdout.trim();
      if (last.includes(`via ${CORE_LINK[host].hv}`) && !last.includes('nexthop')) return;
      await sleep(100);
    }
    throw new Error(`the core did not route ${this.addresses.guest_ip} to hypervisor ${host} within ${ROUTE_TIMEOUT_MS} ms (${last || 'no route'})`);
  }

  async vmRunning(from: HostSide, to: HostSide, _p: TrialParameters, _running_at_mono: number): Promise<ControlPlaneEvents[]> {
    const started = monoMs();
    const error = await this.moveRoute(from, to).then(() => null, (e: Error) => e.message.slice(0, 200));
    return [{ at_mono: started, source: 'themis', kind: 'route-moved', detail: { from, to, done_after_ms: monoMs() - started, error } }];
  }

  async teardown(): Promise<void> {
    for (const r of this.routers.splice(0)) await r.stop();
    await this.ns.removeAll();
    rmSync(this.frrRoot, { recursive: true, force: true });
  }

  teardownSync(): void {
    for (const r of this.routers.splice(0)) r.stopSync();
    this.ns.removeAllSync();
    rmSync(this.frrRoot, { recursive: true, force: true });
  }
}
