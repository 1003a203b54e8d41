/**
 * Flat L2 (Linux bridges and a switch between the hosts). The bridges' MAC tables still point the VM's MAC
 * at the source port after the move. A frame the VM sends from the destination fixes every table on its
 * broadcast path after switch_learn_ms (Linux br_fdb_update on ingress): with QEMU's self-announce that is
 * the first RARP round, sent at the resume (announce-schedule.ts). Without it the VM only answers probes,
 * which never reach it, so the stale entry lives until it ages out — mac_ageing_s after the VM's last
 * frame at the source (bridge ageing_time, default 300 s) — then the next probe is flooded, the VM's reply
 * is learned.
 */
import { learnedAtMs } from './learning.js';

/** Absolute time (ms) at which the supervisor's frames reach the VM at its new port. */
export function l2ReconvergedAtMs(
  moveAtMs: number,
  firstFrameAtMs: number,
  lastFrameAtSourceMs: number,
  macAgeingS: number,
  switchLearnMs: number,
): number {
  return learnedAtMs(moveAtMs, firstFrameAtMs, lastFrameAtSourceMs, macAgeingS, switchLearnMs);
}
