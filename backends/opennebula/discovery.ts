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

export async function discoverVms(client: OneClient, themis_user: string, signal?: AbortSignal): Promise<Discovered> {
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
  const vm = placementOf(pick('vm', 'VM under test'), 'VM under test');
  const supervisor = placementOf(pick('supervisor', 'supervisor'), 'supervisor');
  return { vm, supervisor };
}

/** Hosts of the VM's cluster that are ON and are not where it runs now. */
export function destinationCandidates(hosts: OneHost[], current_host_id: number): OneHost[] {
  const current = hosts.find((h) => h.id === current_host_id);
  if (!current) return [];
  return hosts.filter((h) => h.cluster_id === current.cluster_id && h.id !== current_host_id && isHostOn(h.state));
}

/**
 * The destination of the n-th trial: round-robin over the candidates, or the sweep's list of host ids
 * (taken in turn, skipping the host the VM is on).
 */
export function chooseDestination(
  hosts: OneHost[],
  current_host_id: number,
  wanted: 'round-robin' | number[],
  n: number,
): OneHost | null {
  const candidates = destinationCandidates(hosts, current_host_id);
  if (wanted === 'round-robin') return candidates.length === 0 ? null : candidates[n % candidates.length];
  const listed = wanted.filter((id) => id !== current_host_id);
  if (listed.length === 0) return null;
  const id = listed[n % listed.length];
  return candidates.find((h) => h.id === id) ?? null;
}
