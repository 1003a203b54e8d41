/**
 * Medians of the request → outage → done parts per mode for one campaign, from the same SQL the
 * `trial_timeline` view and the reports use, so real and simulated campaigns are measured alike.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { TRIAL_TIMELINE_SQL } from '../core/store/timeline.js';

export interface TimelineParts {
  before_ms: number;
  outage_ms: number;
  after_ms: number;
}

export interface ModeTimeline extends TimelineParts {
  mode: string;
  /** Succeeded trials with probe gaps: the ones the medians are taken over */
  trials: number;
  /** Distinct points (parameter sets) among them: more than one means the medians pool several settings */
  points: number;
  total_ms: number;
}

export async function timelineMediansByMode(con: DuckDBConnection, campaignId: string): Promise<ModeTimeline[]> {
  const reader = await con.runAndReadAll(
    `SELECT mode, count(*)::INTEGER AS trials, count(DISTINCT point_id)::INTEGER AS points, median(before_ms) AS before_ms, median(outage_ms) AS outage_ms,
       median(after_ms) AS after_ms, median(total_ms) AS total_ms
     FROM (${TRIAL_TIMELINE_SQL}) WHERE campaign_id = $campaign GROUP BY mode ORDER BY mode`,
    { campaign: campaignId },
  );
  return reader.getRowObjectsJS().map((r) => ({
    mode: String(r.mode),
    trials: Number(r.trials),
    points: Number(r.points),
    before_ms: Number(r.before_ms),
    outage_ms: Number(r.outage_ms),
    after_ms: Number(r.after_ms),
    total_ms: Number(r.total_ms),
  }));
}
