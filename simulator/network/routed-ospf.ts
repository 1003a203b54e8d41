/**
 * Routed /32 per VM with OSPF (FRR ospfd). After the VM resumes, the destination host notices the VM's
 * interface and originates its /32 (ospf_detect_ms), the source withdraws its own at the same time (its
 * tap goes away as the source QEMU quits); the LSAs flood ospf_hops hops of ospf_lsa_hop_ms each; the
 * supervisor's router schedules an SPF with FRR's throttle, then installs the route in the kernel FIB
 * (fib_install_ms).
 *
 * SPF throttle, as FRR ospfd/ospf_spf.c ospf_spf_calculate_schedule(): an event while an SPF is already
 * scheduled is absorbed; otherwise with ht = min(hold × multiplier, max) and `elapsed` since the last SPF:
 * elapsed < ht → multiplier++ (while ht < max) and delay = max(initial, ht − elapsed); else delay = initial
 * and multiplier = 1. FRR's defaults are `timers throttle spf 0 50 5000` (ospfd.h OSPF_SPF_DELAY_DEFAULT 0,
 * OSPF_SPF_HOLDTIME_DEFAULT 50, OSPF_SPF_MAX_HOLDTIME_DEFAULT 5000). Within one trial both LSAs arrive
 * together, so one SPF runs after `initial`; hold and max matter for back-to-back changes (see spfRunTimes).
 */

export interface SpfThrottle {
  lastSpfMs: number;
  multiplier: number;
  scheduledAtMs: number;
}

export function freshSpfThrottle(): SpfThrottle {
  return { lastSpfMs: Number.NEGATIVE_INFINITY, multiplier: 1, scheduledAtMs: Number.NaN };
}

/** An LSA arrives at `nowMs`: returns when the SPF that covers it runs (ms). */
export function scheduleSpf(st: SpfThrottle, nowMs: number, initialMs: number, holdMs: number, maxMs: number): number {
  if (!Number.isNaN(st.scheduledAtMs) && st.scheduledAtMs >= nowMs) return st.scheduledAtMs;
  if (!Number.isNaN(st.scheduledAtMs)) st.lastSpfMs = st.scheduledAtMs; // the previous one has run
  const elapsed = nowMs - st.lastSpfMs;
  let ht = holdMs * st.multiplier;
  if (ht > maxMs) ht = maxMs;
  let delay: number;
  if (elapsed < ht) {
    if (ht < maxMs) st.multiplier++;
    delay = ht - elapsed < initialMs ? initialMs : ht - elapsed;
  } else {
    delay = initialMs;
    st.multiplier = 1;
  }
  st.scheduledAtMs = nowMs + delay;
  return st.scheduledAtMs;
}

/** SPF run times for a sequence of LSA arrivals (ascending), each run once. */
export function spfRunTimes(arrivalsMs: readonly number[], initialMs: number, holdMs: number, maxMs: number): number[] {
  const st = freshSpfThrottle();
  const runs: number[] = [];
  for (const a of arrivalsMs) {
    const run = scheduleSpf(st, a, initialMs, holdMs, maxMs);
    if (runs[runs.length - 1] !== run) runs.push(run);
  }
  return runs;
}

/** Supervisor's route to the VM's new location is installed at (ms). One SPF with a fresh throttle. */
export function ospfReconvergedAtMs(
  moveAtMs: number,
  detectMs: number,
  hops: number,
  lsaHopMs: number,
  spfInitialMs: number,
  fibInstallMs: number,
): number {
  // a fresh throttle (no SPF within the hold time) always waits `initial`, so no state is needed here
  return moveAtMs + detectMs + hops * lsaHopMs + spfInitialMs + fibInstallMs;
}
