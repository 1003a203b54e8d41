/**
 * Finds the VM under test and the supervisor (by their CONTEXT variables THEMIS_TYPE = vm | supervisor and
 * THEMIS_USER), their NIC addresses, and the hosts the VM may move to. one.vmpool.info sends a reduced template
 * without CONTEXT, so each candidate is read with one.vm.info.
 */
import { BackendSetupError } from '../../core/errors.js';
import type { OneClient } from './client.js';
import { isHostOn, LCM_STATE, stateLabel, VM_STATE } from './states.js';
import { lastHistory, type OneHost, type OneVm } from './xml.js';

export interface Placement {
  vm: OneVm;
  /** First NIC address (IPv4, else IPv6): where its agent is reached */
  ip: string;
  host_id: number;
}

export interface Discovered {
  vm: Placement;
  supervisor: Placement;
}

function addressOf(vm: OneVm, role: string): string {
  const nic = vm.nics.find((n) => n.ip !== null || n.ip6 !== null);
  if (!nic) throw new BackendSetupError(`${role} VM ${vm.id} (${vm.name}) has no NIC with an IP address`);
  return (nic.ip ?? nic.ip6) as string;
}

function placementOf(vm: OneVm, role: string): Placement {
  const last = lastHistory(vm);
  if (vm.state !== VM_STATE.ACTIVE || vm.lcm_state !== LCM_STATE.RUNNING || last === null) {
    throw new BackendSetupError(
      `${role} VM ${vm.id} (${vm.name}) must be RUNNING, it is ${stateLabel(vm.state, vm.lcm_state)}`,
    );
  }
  return { vm, ip: addressOf(vm, role), host_id: last.hid };
}

/**
 * `settle` brings the VM under test to RUNNING first when it is not (a restarted oned left it migrating, a
 * failed boot: settle.ts); without it such a VM is refused.
 */
export async function discoverVms(
  client: OneClient,
  themis_user: string,
  signal?: AbortSignal,
  settle?: (vm: OneVm) => Promise<OneVm>,
): Promise<Discovered> {
  const { vms } = await client.vmPoolInfo(signal);
  const found: Record<'vm' | 'supervisor', OneVm[]> = { vm: [], supervisor: [] };
  for (const brief of vms) {
    const vm = await client.vmInfo(brief.id, signal);
    if (vm.context.THEMIS_USER !== themis_user) continue;
    const type = vm.context.THEMIS_TYPE;
    if (type === 'vm' || type === 'supervisor') found[type].push(vm);
  }
  const pick = (type: 'vm' | 'supervisor', role: string): OneVm => {
    const list = found[type];
    if (list.length === 0) {
      throw new BackendSetupError(
        `no ${role} found: no VM visible to this OpenNebula user has CONTEXT THEMIS_TYPE="${type}" and ` +
          `THEMIS_USER="${themis_user}" (${vms.length} VMs checked)`,
      );
    }
    if (list.length > 1) {
      throw new BackendSetupError(
        `more than one ${role} with THEMIS_USER="${themis_user}": VMs ${list.map((v) => v.id).join(', ')}; keep one`,
      );
    }
    return list[0];
  };
  const picked = pick('vm', 'VM under test');
  const vm = placementOf(settle ? await settle(picked) : picked, 'VM under test');
  const supervisor = placementOf(pick('supervisor', 'supervisor'), 'supervisor');
  return { vm, supervisor };
}

/** Hosts of the VM's cluster that are ON and are not where it runs now, by ascending id (oned lists them descending). */
export function destinationCandidates(hosts: OneHost[], current_host_id: number): OneHost[] {
  const current = hosts.find((h) => h.id === current_host_id);
  if (!current) return [];
  return hosts
    .filter((h) => h.cluster_id === current.cluster_id && h.id !== current_host_id && isHostOn(h.state))
    .sort((a, b) => a.id - b.id);
}

/**
 * Where the VM goes from `current_host_id`: the next host after it in a cyclic order, so that trial after
 * trial every host is visited — for round-robin the ascending ids of the candidates (the ON hosts of its
 * cluster), for a list of host ids the list's own order (its first entry when the VM is on a host it does not
 * name). Hosts that cannot take the VM now (OFF, another cluster) are skipped.
 */
export function chooseDestination(hosts: OneHost[], current_host_id: number, wanted: 'round-robin' | number[]): OneHost | null {
  const candidates = destinationCandidates(hosts, current_host_id);
  if (wanted === 'round-robin') return candidates.find((h) => h.id > current_host_id) ?? candidates[0] ?? null;
  const at = wanted.indexOf(current_host_id);
  for (let k = 1; k <= wanted.length; k++) {
    const id = wanted[(at + k) % wanted.length];
    const host = candidates.find((h) => h.id === id);
    if (host) return host;
  }
  return null;
}
