/**
 * Which device holds the stale forwarding entry for the VM's MAC after the move, and when the supervisor's
 * frames reach the VM again without any frame from the VM (no announce) — the flood-and-learn designs
 * (l2-announce, vxlan-learn). Three ways out, the first to happen wins:
 *  - the stale entry sits on the bridge whose port went away (`supervisor_at: source-host`: the supervisor's
 *    bridge is the source's, its entry points at the VM's tap): deleting the port, or its carrier going down
 *    when the source QEMU closes the tap, runs br_fdb_delete_by_port (net/bridge/br_if.c del_nbp,
 *    br_stp_disable_port), so the next probe floods and reaches the VM — `source_port_gone_ms` after the resume;
 *  - otherwise the stale entry is on a remote device (a switch's or the supervisor's bridge pointing at the
 *    uplink towards the source, the supervisor's VTEP pointing at the source VTEP): nothing flushes it, and the
 *    supervisor's neighbour state machine re-resolves the VM with a broadcast (neighbour.ts);
 *  - the entry ages out `mac_ageing_s` after the VM's last frame from the source (br_fdb_cleanup,
 *    vxlan_cleanup), the next probe floods.
 * A static neighbour entry (`supervisor_neigh: permanent`) never re-resolves, so only the flush and the ageing
 * remain.
 */
import type { TrialParameters } from '../../core/spec/parameters.js';
import { lastConfirmedMs, neighbourBroadcastAtMs, reachableTimeMs } from './neighbour.js';

/** True when the neighbour state machine decides (stale entry remote, entry not static): the two draws are used. */
export function needsNeighbourDraws(p: TrialParameters): boolean {
  return p.supervisor_at !== 'source-host' && p.supervisor_neigh !== 'permanent';
}

/**
 * When frames sent to the VM's MAC reach it at its new port, absent a frame from it, ms. `moveAtMs`: its port
 * exists at the destination; `stopMs`: it stopped answering at the source (the pause); `reachU`, `phaseU`:
 * the trial's uniform draws for reachable_time and the place of the stop in the neighbour cycle.
 */
export function staleEntryGoneAtMs(p: TrialParameters, moveAtMs: number, stopMs: number, reachU: number, phaseU: number): number {
  const aged = stopMs + p.mac_ageing_s * 1000;
  let gone = aged > moveAtMs ? aged : moveAtMs;
  if (p.supervisor_at === 'source-host') {
    const flushed = moveAtMs + p.source_port_gone_ms;
    return flushed < gone ? flushed : gone;
  }
  if (p.supervisor_neigh === 'permanent') return gone;
  const reachable = reachableTimeMs(p.base_reachable_time_ms, reachU);
  const confirmed = lastConfirmedMs(stopMs, p.supervisor_neigh === 'traffic', reachable, p.delay_first_probe_ms, phaseU);
  const broadcast = neighbourBroadcastAtMs(confirmed, reachable, p.delay_first_probe_ms, p.ucast_solicit, p.retrans_ms, moveAtMs);
  if (broadcast < gone) gone = broadcast;
  return gone;
}
