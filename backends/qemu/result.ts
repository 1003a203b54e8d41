/**
 * Assembling a TrialResult from what a qemu trial observed. Pure.
 */
import type { EventRow } from '../../core/backend.js';
import { MODE_PROPERTIES } from '../../core/modes.js';
import type { TrialParameters } from '../../core/spec/parameters.js';
import type { MigrationInfo, QmpEvent } from './qmp.js';

/**
 * Parameters this backend cannot honour on one host: they describe the simulator's model of things that here
 * are measured (boot time, RTT, the network's reconvergence) or fixed by the hardware (link capacity, page size).
 * Each trial records which of them the sweep set away from their default.
 */
export const IGNORED_PARAMETERS = [
  'nonzero_share',
  // facts of this host and guest, measured here (detail.qemu_migration), not settings
  'switchover_rate_mib_s',
  'switchover_cost_ms',
  'precopy_rate_share',
  'page_size_bytes',
  'link_bandwidth_mib_s',
  'device_state_kib',
  'shutdown_s',
  'boot_s',
  'agent_start_s',
  'disk_gib',
  'shared_storage',
  'orchestrator_overhead_ms',
  'orchestrator_paused_ms',
  'orchestrator_after_ms',
  'link_failure_rate_per_s',
  'bandwidth_jitter_share',
  'boot_jitter_share',
  'mac_ageing_s',
  'switch_learn_ms',
  'vtep_learn_ms',
  'controller_jitter_share',
  'fdb_update_per_host_ms',
  'ospf_detect_ms',
  'ospf_lsa_hop_ms',
  'ospf_hops',
  'spf_initial_ms',
  'spf_hold_ms',
  'spf_max_ms',
  'fib_install_ms',
  'rtt_base_ms',
  'rtt_jitter_ms',
] as const satisfies readonly (keyof TrialParameters)[];

/** The ignored parameters whose value differs from the default (those are the ones a reader should know about). */
export function ignoredParameters(p: TrialParameters, defaults: TrialParameters): string[] {
  // A cold move copies the disk when storage is not shared; live modes here have no block migration.
  const cold = MODE_PROPERTIES[p.mode].reboots;
  const out: string[] = IGNORED_PARAMETERS.filter(
    (k) => p[k] !== defaults[k] && !(cold && (k === 'disk_gib' || k === 'shared_storage')),
  );
  // The controller's latency and the VTEP hosts are the vxlan-fdb-push lab's (backends/qemu/lab/vxlan-fdb-push.ts).
  if (p.network !== 'vxlan-fdb-push') for (const k of ['controller_latency_ms', 'hosts'] as const) if (p[k] !== defaults[k]) out.push(k);
  return out;
}

export function qmpEventRows(events: readonly QmpEvent[], origin_mono: number, vm: string): EventRow[] {
  return events.map((e) => ({ t_ms: e.t_mono_ms - origin_mono, source: 'qmp', kind: e.event, detail: { vm, ...(e.data ?? {}) } }));
}

/** The highest auto-converge throttle QEMU reported (query-migrate's cpu-throttle-percentage; absent = 0). */
export function highestThrottlePct(out: { samples: readonly { info: MigrationInfo }[]; final: MigrationInfo | null }): number {
  let highest = out.final?.['cpu-throttle-percentage'] ?? 0;
  for (const s of out.samples) highest = Math.max(highest, s.info['cpu-throttle-percentage'] ?? 0);
  return highest;
}
