/**
 * What `up` asks the real oned for, over XML-RPC: shared system datastore, the hypervisor hosts (qemu drivers:
 * `<domain type='qemu'>`, TCG), a virtual network on the hosts' br0, templates for the VM under test and the
 * supervisor (disk-less: kernel + initramfs, context THEMIS_TYPE / THEMIS_USER), and both VMs placed with
 * one.vm.deploy (the scheduler would take 12–14 s). Every wait is bounded and names what it waited for.
 */
import { OneClient } from '../client.js';
import { HOST_STATE, LCM_STATE, VM_STATE, stateLabel } from '../states.js';
import { lastHistory } from '../xml.js';
import type { LabShape } from './config.js';
import type { LabGuest } from './guest.js';
import { until } from '../../../core/until.js';

export const LAB_THEMIS_USER = 'lab';

export { until };

/** A host's ERROR message from its template, for a clear failure of `up`. */
async function hostError(client: OneClient, id: number): Promise<string> {
  const xml = String(await client.call('one.host.info', [id, false]));
  return /<ERROR><!\[CDATA\[([\s\S]*?)\]\]><\/ERROR>/.exec(xml)?.[1] ?? /<ERROR>([\s\S]*?)<\/ERROR>/.exec(xml)?.[1] ?? 'no message';
}

export async function addHosts(client: OneClient, s: LabShape, timeout_ms = 120_000): Promise<number[]> {
  await client.call('one.datastore.update', [0, 'TM_MAD="shared"', 1]);
  const ids: number[] = [];
  for (const h of s.hosts) ids.push(Number(await client.call('one.host.allocate', [h.address, 'qemu', 'qemu', -1])));
  await until('hypervisor hosts ON', timeout_ms, async () => {
    const { hosts } = await client.hostPoolInfo();
    for (const id of ids) {
      const h = hosts.find((x) => x.id === id);
      if (h?.state === HOST_STATE.ERROR) throw new HostError(`host ${h.name} is in ERROR: ${await hostError(client, id)}`);
    }
    return ids.every((id) => hosts.find((x) => x.id === id)?.state === HOST_STATE.MONITORED) ? true : null;
  }).catch((e: unknown) => {
    throw e instanceof HostError ? e : new Error(`${(e as Error).message}`);
  });
  return ids;
}

class HostError extends Error {}

export async function addNetwork(client: OneClient, s: LabShape): Promise<number> {
  const tmpl = `NAME="themis-lab"\nVN_MAD="dummy"\nBRIDGE="br0"\nAR=[TYPE="IP4", IP="${s.vnet.first}", SIZE="${s.vnet.size}"]`;
  const id = Number(await client.call('one.vn.allocate', [tmpl, -1]));
  await until('virtual network READY', 30_000, async () => {
    const xml = String(await client.call('one.vn.info', [id, false]));
    return /<STATE>(?:<!\[CDATA\[)?1\b/.test(xml) ? true : null;
  });
  return id;
}

export interface GuestRole {
  name: string;
  address: string;
  memory_mib: number;
  type: 'vm' | 'supervisor';
}

/** A disk-less template; the guest's init reads its address from themis.ip= (it has no contextualisation). */
export function templateText(role: GuestRole, guest: LabGuest, vnet_id: number, prefix_len: number): string {
  return [
    `NAME="${role.name}"`,
    'CPU="0.5"',
    'VCPU="1"',
    `MEMORY="${role.memory_mib}"`,
    `OS=[ARCH="x86_64", KERNEL="${guest.kernel}", INITRD="${guest.initrd}", KERNEL_CMD="${guest.kernel_cmd} themis.ip=${role.address}/${prefix_len}"]`,
    `NIC=[NETWORK_ID="${vnet_id}", IP="${role.address}", MODEL="virtio"]`,
    `CONTEXT=[THEMIS_TYPE="${role.type}", THEMIS_USER="${LAB_THEMIS_USER}", NETWORK="NO"]`,
    // The qemu backend's guest powers off on the ACPI button: cold migration (type 1) calls `virsh shutdown`.
    'FEATURES=[ACPI="yes"]',
  ].join('\n');
}

export async function vmRunningOn(client: OneClient, vm_id: number): Promise<number | null> {
  const vm = await client.vmInfo(vm_id);
  const last = lastHistory(vm);
  if (vm.state === VM_STATE.ACTIVE && vm.lcm_state === LCM_STATE.RUNNING && last && last.rstime_s > 0) return last.hid;
  if (vm.state === VM_STATE.ACTIVE && stateLabel(vm.state, vm.lcm_state).endsWith('FAILURE')) {
    throw new Error(`VM ${vm_id} is ${stateLabel(vm.state, vm.lcm_state)}`);
  }
  return null;
}

/** Allocates a template, instantiates it and deploys the VM on a host; resolves when it is RUNNING there. */
export async function deployGuest(client: OneClient, text: string, name: string, host_id: number, timeout_ms = 90_000): Promise<{ template_id: number; vm_id: number }> {
  const template_id = Number(await client.call('one.template.allocate', [text]));
  const vm_id = Number(await client.call('one.template.instantiate', [template_id, name, false, '', false]));
  await client.call('one.vm.deploy', [vm_id, host_id, false, -1]);
  await until(`VM ${name} (${vm_id}) RUNNING on host ${host_id}`, timeout_ms, async () => {
    const on = await vmRunningOn(client, vm_id);
    if (on !== null && on !== host_id) throw new Error(`running on host ${on}, not ${host_id}`);
    return on;
  });
  return { template_id, vm_id };
}
