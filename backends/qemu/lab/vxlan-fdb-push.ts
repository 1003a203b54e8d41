/**
 * `vxlan-fdb-push`: VXLAN with `nolearning` (backends/qemu/lab/vxlan.ts): no VTEP learns from the data plane,
 * Themis acts as the controller (as an EVPN route reflector or an SDN controller would). When the VM runs at its
 * new hypervisor, the controller waits `controller_latency_ms` and then replaces the VM's FDB entry on every
 * other VTEP (`bridge fdb replace <mac> dev vxlan0 dst <new hypervisor>`, all hosts at once) and removes it on
 * the new hypervisor, where the VM is now local. QEMU's announce changes nothing here (nothing learns), so the
 * outage is the controller's latency plus its push, in both directions.
 * The lab holds `hosts` hypervisor VTEPs (A, B and hosts that only hold a VTEP), at most LAB_MAX_HYPERVISORS.
 */
import { monoMs, sleep } from '../../shared/exec.js';
import type { NetworkDesign, TrialParameters } from '../../../core/spec/parameters.js';
import { bridgeIn } from './netns.js';
import type { ControlPlaneEvents, HostSide } from './topology.js';
import { VxlanTopology, type Vtep } from './vxlan.js';

/** Each VTEP host is a namespace and a few devices; beyond 8 the lab only costs set-up time and says nothing new. */
export const LAB_MAX_HYPERVISORS = 8;

export const labHypervisors = (hosts: number): number => Math.min(LAB_MAX_HYPERVISORS, Math.max(2, Math.round(hosts)));

export class VxlanFdbPushTopology extends VxlanTopology {
  readonly design: NetworkDesign = 'vxlan-fdb-push';

  constructor(labId: string, hosts: number) {
    super(labId, false, labHypervisors(hosts));
  }

  override get facts(): Readonly<Record<string, unknown>> {
    return { ...super.facts, hypervisor_vteps: this.vteps.length - 1, max_hypervisor_vteps: LAB_MAX_HYPERVISORS };
  }

  /** Points every VTEP at `host` for the VM's MAC; the one on `host` forgets it (the VM's tap is local there). */
  private async pushTo(host: HostSide, v: Vtep): Promise<string> {
    const mac = this.addresses.guest_mac;
    if (v.name === host) {
      await bridgeIn(v.ns, ['fdb', 'del', mac, 'dev', 'vxlan0']).catch(() => undefined);
      return 'deleted';
    }
    await bridgeIn(v.ns, ['fdb', 'replace', mac, 'dev', 'vxlan0', 'dst', this.vtepOf(host).underlay_ip]);
    return 'replaced';
  }

  async placeVm(host: HostSide): Promise<void> {
    for (const v of this.vteps) await this.pushTo(host, v);
  }

  async vmRunning(_from: HostSide, to: HostSide, p: TrialParameters, running_at_mono: number): Promise<ControlPlaneEvents[]> {
    await sleep(Math.max(0, running_at_mono + p.controller_latency_ms - monoMs()));
    const started = monoMs();
    const events: ControlPlaneEvents[] = [{ at_mono: started, source: 'themis', kind: 'controller-push', detail: { vteps: this.vteps.length, to } }];
    const done = await Promise.all(
      this.vteps.map(async (v) => {
        const what = await this.pushTo(to, v).catch((e: Error) => `failed: ${e.message.slice(0, 200)}`);
        return { at_mono: monoMs(), source: 'themis', kind: 'fdb-update', detail: { vtep: v.name, what } } satisfies ControlPlaneEvents;
      }),
    );
    return [...events, ...done];
  }
}
