/**
 * The simulated side: the sweep's points that some real point pairs with, run exactly as `themis run <sweep>`
 * runs them — a point's id, and so its trials' seeds, depend only on the values the sweep sets, so a sweep of
 * those points as a `list` axis gives the same trials (same seeds, the sweep's repetitions) — then summarised
 * per point: the median of each outcome over the point's succeeded trials, rounds as the lower median.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Point } from '../../core/plan/plan.js';
import type { CampaignSpec, SweepSpec } from '../../core/spec/sweep.js';
import { sqlString } from '../../core/store/import-columns.js';
import { openDatabase } from '../../core/store/open.js';
import { runSimulated } from '../scratch.js';
import { VALIDATED_OUTCOMES, type OutcomeValues } from './outcomes.js';

export interface SimulatedPoint {
  point_id: string;
  trials: number;
  succeeded: number;
  /** A majority of its trials succeeded */
  converged: boolean;
  outcomes: OutcomeValues;
}

/** The sweep reduced to `points` (same name, seed and repetitions); no detail rows are kept. */
export function sweepOfPoints(sweep: SweepSpec, points: readonly Point[]): SweepSpec {
  return {
    ...sweep,
    parameters: {},
    axes: [{ list: points.map((p) => ({ ...p.values })) }],
    store: { rounds: 'none', probe_gaps: 'none', events: 'none' },
  } as SweepSpec;
}

/** Per point: trials, succeeded, and the medians (SQL `median` = quantile_cont 0.5; rounds: quantile_disc). */
export const SIMULATED_POINTS_SQL = (campaignId: string) => `
SELECT point_id, count(*)::INTEGER AS trials, count(*) FILTER (WHERE status = 'succeeded')::INTEGER AS succeeded,
  ${VALIDATED_OUTCOMES.map((o) =>
    o === 'rounds'
      ? `quantile_disc(rounds, 0.5) FILTER (WHERE status = 'succeeded')::DOUBLE AS rounds`
      : `median(${o}) FILTER (WHERE status = 'succeeded')::DOUBLE AS ${o}`,
  ).join(',\n  ')}
FROM trials WHERE campaign_id = ${sqlString(campaignId)} GROUP BY point_id`;

export async function simulatePoints(spec: CampaignSpec, points: readonly Point[], dbPath: string): Promise<Map<string, SimulatedPoint>> {
  const campaignId = await runSimulated({ ...spec, sweep: sweepOfPoints(spec.sweep, points) }, dbPath);
  const db = await openDatabase(dbPath, { readOnly: true });
  try {
    return await readSimulatedPoints(db.connection, campaignId);
  } finally {
    db.close();
  }
}

async function readSimulatedPoints(con: DuckDBConnection, campaignId: string): Promise<Map<string, SimulatedPoint>> {
  const rows = (await con.runAndReadAll(SIMULATED_POINTS_SQL(campaignId))).getRowObjectsJS();
  return new Map(
    rows.map((r) => {
      const trials = Number(r.trials);
      const succeeded = Number(r.succeeded);
      const outcomes = Object.fromEntries(VALIDATED_OUTCOMES.map((o) => [o, r[o] === null ? null : Number(r[o])])) as OutcomeValues;
      return [String(r.point_id), { point_id: String(r.point_id), trials, succeeded, converged: 2 * succeeded >= trials, outcomes }];
    }),
  );
}
