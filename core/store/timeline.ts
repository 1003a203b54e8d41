/**
 * Where a trial's time goes, as every backend can observe it from outside: from the migration request (t = 0)
 * to the start of the longest probe gap (the outage's start) the VM runs at its source (`before_ms`: orchestration, pre-copy), then the
 * outage (pause plus network reconvergence), then `after_ms` until the backend called the migration
 * done (the total: e.g. OpenNebula's monitoring until RSTIME > 0, or the probe agent's start after a cold boot).
 * Only for succeeded trials whose probe gaps were stored (the simulator stores them unless `store.probe_gaps` says
 * otherwise). Used by the `trial_timeline` view, the reports and `themis calibrate`; written against the table
 * names so it also runs on databases created before the view existed.
 */
import { OUT } from '../results/outcomes.js';

export const TRIAL_TIMELINE_SQL = `SELECT t.campaign_id, t.trial_id, t.backend, t.mode, t.point_id,
  g.stop_ms AS before_ms,
  t.${OUT.outage_ms},
  greatest(t.${OUT.total_ms} - (g.stop_ms + t.${OUT.outage_ms}), 0) AS after_ms,
  t.${OUT.total_ms}
FROM trials t
JOIN (
  SELECT campaign_id, trial_id, arg_max(start_ms, duration_ms) AS stop_ms
  FROM probe_gaps GROUP BY campaign_id, trial_id
) g ON g.campaign_id = t.campaign_id AND g.trial_id = t.trial_id
WHERE t.status = 'succeeded' AND t.${OUT.total_ms} IS NOT NULL AND t.${OUT.outage_ms} IS NOT NULL`;

/** The three parts, in timeline order, with the column that holds each. */
export const TIMELINE_PARTS = [
  { part: 'before', column: 'before_ms', label: 'running at the source (request → outage)' },
  { part: 'outage', column: OUT.outage_ms, label: 'outage (pause + reconvergence)' },
  { part: 'after', column: 'after_ms', label: 'running at the destination (outage → done)' },
] as const;
