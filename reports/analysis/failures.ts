/** Failures by reason, per backend and mode, as a share of that mode's trials. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../source.js';

export interface FailureRow {
  backend: string;
  mode: string;
  failure_reason: string;
  trials: number;
  /** Share of all trials of this backend and mode. */
  share: number;
}

export const FAILURES_SQL = `SELECT backend, mode, coalesce(failure_reason, 'unknown') AS failure_reason,
  count(*)::DOUBLE AS trials,
  count(*) / any_value(total)::DOUBLE AS share
FROM trials JOIN (SELECT backend, mode, count(*) AS total FROM trials GROUP BY ALL) USING (backend, mode)
WHERE status <> 'succeeded'
GROUP BY ALL ORDER BY backend, mode, trials DESC, failure_reason`;

export async function failuresByReason(con: DuckDBConnection): Promise<FailureRow[]> {
  return (await queryRows(con, FAILURES_SQL)).map((r) => ({
    backend: String(r.backend), mode: String(r.mode), failure_reason: String(r.failure_reason),
    trials: Number(r.trials), share: Number(r.share),
  }));
}
