/**
 * The first table anyone wants: per backend and mode, how many trials ran, how many succeeded, and the
 * median / p95 of the three durations over the succeeded ones (and of the TCP stall beside the outage, when
 * any trial measured one). Computed entirely in DuckDB so it costs the
 * same on ten trials or ten million.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface ModeSummaryRow {
  backend: string;
  mode: string;
  trials: number;
  succeeded: number;
  /** succeeded / trials, in [0, 1] */
  success_rate: number;
  downtime_ms_p50: number | null;
  downtime_ms_p95: number | null;
  outage_ms_p50: number | null;
  outage_ms_p95: number | null;
  tcp_stall_ms_p50: number | null;
  tcp_stall_ms_p95: number | null;
  total_ms_p50: number | null;
  total_ms_p95: number | null;
}

/** SQL of the summary; `$campaign` is NULL for every campaign in the file. */
export const MODE_SUMMARY_SQL = `
SELECT backend, mode,
  count(*)::DOUBLE AS trials,
  count(*) FILTER (WHERE status = 'succeeded')::DOUBLE AS succeeded,
  avg(CASE WHEN status = 'succeeded' THEN 1.0 ELSE 0.0 END) AS success_rate,
  quantile_cont(downtime_ms, 0.5) FILTER (WHERE status = 'succeeded') AS downtime_ms_p50,
  quantile_cont(downtime_ms, 0.95) FILTER (WHERE status = 'succeeded') AS downtime_ms_p95,
  quantile_cont(outage_ms, 0.5) FILTER (WHERE status = 'succeeded') AS outage_ms_p50,
  quantile_cont(outage_ms, 0.95) FILTER (WHERE status = 'succeeded') AS outage_ms_p95,
  quantile_cont(tcp_stall_ms, 0.5) FILTER (WHERE status = 'succeeded') AS tcp_stall_ms_p50,
  quantile_cont(tcp_stall_ms, 0.95) FILTER (WHERE status = 'succeeded') AS tcp_stall_ms_p95,
  quantile_cont(total_ms, 0.5) FILTER (WHERE status = 'succeeded') AS total_ms_p50,
  quantile_cont(total_ms, 0.95) FILTER (WHERE status = 'succeeded') AS total_ms_p95
FROM trials
WHERE ($campaign::VARCHAR IS NULL OR campaign_id = $campaign::VARCHAR)
GROUP BY backend, mode
ORDER BY backend, mode`;

function numOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export async function modeSummary(db: DuckDBConnection, campaignId?: string): Promise<ModeSummaryRow[]> {
  const reader = await db.runAndReadAll(MODE_SUMMARY_SQL, { campaign: campaignId ?? null });
  return reader.getRowObjectsJS().map((r) => ({
    backend: String(r.backend),
    mode: String(r.mode),
    trials: Number(r.trials),
    succeeded: Number(r.succeeded),
    success_rate: Number(r.success_rate),
    downtime_ms_p50: numOrNull(r.downtime_ms_p50),
    downtime_ms_p95: numOrNull(r.downtime_ms_p95),
    outage_ms_p50: numOrNull(r.outage_ms_p50),
    outage_ms_p95: numOrNull(r.outage_ms_p95),
    tcp_stall_ms_p50: numOrNull(r.tcp_stall_ms_p50),
    tcp_stall_ms_p95: numOrNull(r.tcp_stall_ms_p95),
    total_ms_p50: numOrNull(r.total_ms_p50),
    total_ms_p95: numOrNull(r.total_ms_p95),
  }));
}

/** Milliseconds with a precision that suits their size; '-' when nothing succeeded. */
export function formatMs(v: number | null): string {
  if (v === null) return '-';
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function formatPct(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** Pads every column to its widest cell; numbers right-aligned, text left-aligned. */
export function alignTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatModeSummary(rows: ModeSummaryRow[]): string {
  // the TCP stall beside the outage, only when some trial measured one (older stores and backends without a TCP probe have none)
  const tcp = rows.some((r) => r.tcp_stall_ms_p50 !== null);
  const header = [
    'backend', 'mode', 'trials', 'succeeded', 'success',
    'downtime_ms p50', 'p95', 'outage_ms p50', 'p95', ...(tcp ? ['tcp_stall_ms p50', 'p95'] : []), 'total_ms p50', 'p95',
  ];
  const body = rows.map((r) => [
    r.backend, r.mode, String(r.trials), String(r.succeeded), formatPct(r.success_rate),
    formatMs(r.downtime_ms_p50), formatMs(r.downtime_ms_p95),
    formatMs(r.outage_ms_p50), formatMs(r.outage_ms_p95),
    ...(tcp ? [formatMs(r.tcp_stall_ms_p50), formatMs(r.tcp_stall_ms_p95)] : []),
    formatMs(r.total_ms_p50), formatMs(r.total_ms_p95),
  ]);
  if (body.length === 0) return 'no trials';
  return alignTable(header, body, header.map((_, i) => i >= 2));
}
