/**
 * Routed /32 per VM with OSPF (FRR ospfd). After the VM resumes, the destination host notices the VM's
 * interface and originates its /32 (ospf_detect_ms), the source withdraws its own at the same time (its
 * tap goes away as the source QEMU quits); the LSAs flood ospf_hops hops of ospf_lsa_hop_ms each; the
 * supervisor's router runs an SPF when FRR's throttle lets it (spf-throttle.ts, ospf_spf_calculate_schedule),
 * then installs the route in the kernel FIB (fib_install_ms).
 */
import { freshSpfThrottle, scheduleSpf } from './spf-throttle.js';

/** Supervisor's route to the VM's new location is installed at (ms). */
export function ospfReconvergedAtMs(
  moveAtMs: number,
  detectMs: number,
  hops: number,
  lsaHopMs: number,
  spfInitialMs: number,
  spfHoldMs: number,
  spfMaxMs: number,
  fibInstallMs: number,
): number {
  // Both LSAs of the move reach the supervisor's router at the same instant, so they are one topology event
  // (FRR's scheduled timer would absorb the second). The router had no SPF within a hold time before it
  // (one migration per trial): a fresh throttle, so the SPF runs `spfInitialMs` after the event; hold and
  // max only matter for back-to-back events, which this model does not produce yet.
  const lsaAtMs = moveAtMs + detectMs + hops * lsaHopMs;
  const spfAtMs = scheduleSpf(freshSpfThrottle(), lsaAtMs, spfInitialMs, spfHoldMs, spfMaxMs);
  return spfAtMs + fibInstallMs;
}
