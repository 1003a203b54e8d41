/**
 * What only the lab can add to the opennebula backend's rows: libvirt's own account of a live migration, read on
 * the destination host (`virsh domjobinfo --completed`): the VM's pause (`Total downtime`), the bytes sent and
 * the pre-copy iterations. A decorator, so the backend itself stays unchanged; on a real cloud the same figures
 * need SSH to the hypervisor (see docs/lab.md).
 */
import type { Backend, TrialResult } from '../../../core/backend.js';
import { MODE_PROPERTIES, type Mode } from '../../../core/modes.js';
import type { OneClient } from '../client.js';
import { lastHistory } from '../xml.js';
import type { LabShape } from './config.js';
import { migrationStats } from './inspect.js';

export function withLibvirtStats(inner: Backend, shape: LabShape, client: OneClient, host_ids: number[], vm_id: number): Backend {
  const add = async (r: TrialResult, mode: Mode): Promise<TrialResult> => {
    // libvirt's migration job exists when the VM kept running (OpenNebula's live; suspend is save/restore)
    if (r.status !== 'succeeded' || MODE_PROPERTIES[mode].paused_throughout) return r;
    try {
      const hid = lastHistory(await client.vmInfo(vm_id))?.hid ?? -1;
      const host = shape.hosts[host_ids.indexOf(hid)];
      if (!host) return r;
      const s = await migrationStats(host, `one-${vm_id}`);
      if (!s) return r;
      r.events.push({ t_ms: r.total_ms ?? 0, source: 'libvirt', kind: 'job_completed', detail: { ...s, host_id: hid } });
      r.detail.libvirt = s;
      r.downtime_ms ??= s.downtime_ms;
      r.transferred_bytes ??= s.data_processed_bytes;
      r.rounds ??= s.iterations;
    } catch (e) {
      r.events.push({ t_ms: r.total_ms ?? 0, source: 'themis', kind: 'libvirt_stats_unavailable', detail: { message: (e as Error).message } });
    }
    return r;
  };
  return {
    name: inner.name,
    maxConcurrency: inner.maxConcurrency,
    prepare: (c, s) => inner.prepare(c, s),
    runTrial: async (t, s) => add(await inner.runTrial(t, s), t.params.mode),
    dispose: () => inner.dispose(),
  };
}
