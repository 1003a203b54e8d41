/**
 * FRR ospfd's SPF throttle, as ospfd/ospf_spf.c ospf_spf_calculate_schedule() (`timers throttle spf
 * DELAY INITIAL-HOLDTIME MAX-HOLDTIME`): when does the SPF that takes a topology change (an LSA installed
 * in the LSDB) into account run. Pure: no clock, times in ms on the trial's own axis.
 *
 * FRR's rule, per event:
 *  - an SPF timer is already scheduled (event_is_scheduled(t_spf_calc)) → the event is absorbed by it;
 *  - else ht = min(spf_holdtime × spf_hold_multiplier, spf_max_holdtime) and elapsed = now − ts_spf (the
 *    end of the last SPF run; FRR's struct starts zeroed, so before the first run elapsed is huge):
 *    elapsed < ht → the multiplier grows by one (while ht < max) and delay = max(spf_delay, ht − elapsed);
 *    otherwise (a quiet hold) delay = spf_delay and the multiplier resets to 1.
 * The SPF itself is taken as instantaneous (ts_spf = the run time). An event at exactly the run time of the
 * scheduled SPF is absorbed by it (the LSA is in the LSDB when that SPF reads it).
 * FRR's defaults are 0 / 50 / 5000 ms (lib/libospf.h OSPF_SPF_DELAY_DEFAULT, OSPF_SPF_HOLDTIME_DEFAULT,
 * OSPF_SPF_MAX_HOLDTIME_DEFAULT).
 */

/** The router's throttle state between events (FRR: ts_spf, spf_hold_multiplier, t_spf_calc). */
export interface SpfThrottleState {
  /** end of the last SPF run that has happened (−∞: none yet) */
  lastSpfMs: number;
  multiplier: number;
  /** run time of the scheduled SPF (NaN: none scheduled yet) */
  scheduledAtMs: number;
}

export function freshSpfThrottle(): SpfThrottleState {
  return { lastSpfMs: Number.NEGATIVE_INFINITY, multiplier: 1, scheduledAtMs: Number.NaN };
}

/**
 * A topology event at `nowMs` (events in ascending time): returns the run time of the SPF that covers it,
 * ms. `initialMs` = spf_delay, `holdMs` = spf_holdtime, `maxMs` = spf_max_holdtime (numbers, not an
 * object, so the per-trial call allocates nothing).
 */
export function scheduleSpf(st: SpfThrottleState, nowMs: number, initialMs: number, holdMs: number, maxMs: number): number {
  const scheduled = st.scheduledAtMs;
  if (scheduled >= nowMs) return scheduled; // the timer already scheduled absorbs the event (NaN: none)
  if (!Number.isNaN(scheduled)) st.lastSpfMs = scheduled; // that SPF has run by now
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

/** The distinct SPF run times for topology events at `eventsMs` (ascending), starting from a fresh throttle. */
export function spfRunTimes(eventsMs: readonly number[], initialMs: number, holdMs: number, maxMs: number): number[] {
  const st = freshSpfThrottle();
  const runs: number[] = [];
  for (const e of eventsMs) {
    const run = scheduleSpf(st, e, initialMs, holdMs, maxMs);
    if (runs[runs.length - 1] !== run) runs.push(run);
  }
  return runs;
}
