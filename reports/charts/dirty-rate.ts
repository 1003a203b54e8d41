/**
 * Median downtime and outage against the guest's dirty rate, one line per bandwidth cap: where pre-copy
 * starts to hurt. The dirty rate is binned in SQL when a random sweep drew many distinct values.
 */
import { baseSpec, logLikeAxis, logLikeScale, modeSort, naturalOrder, type FigureDef, type Row } from './figure.js';

export function dirtyRateSql(dirtyExpr: string): string {
  return `SELECT backend, mode, max_bandwidth_mib_s, dirty_rate_pages_s, metric, n, median_ms FROM (
  SELECT backend, mode, max_bandwidth_mib_s::VARCHAR AS max_bandwidth_mib_s, ${dirtyExpr} AS dirty_rate_pages_s,
    count(*)::DOUBLE AS n,
    quantile_cont(downtime_ms, 0.5) AS downtime_ms, quantile_cont(outage_ms, 0.5) AS outage_ms
  FROM trials WHERE status = 'succeeded' AND dirty_rate_pages_s IS NOT NULL GROUP BY ALL
) UNPIVOT (median_ms FOR metric IN (downtime_ms, outage_ms))
WHERE median_ms IS NOT NULL
ORDER BY backend, mode, max_bandwidth_mib_s, dirty_rate_pages_s, metric`;
}

/** Dirty rates usually span orders of magnitude (0, 1000 … 400,000): symlog, linear below the smallest non-zero rate. */
export function dirtyRateScale(rows: Row[]): Record<string, unknown> {
  const rates = rows.map((r) => Number(r.dirty_rate_pages_s)).filter((v) => v > 0);
  if (rates.length === 0) return { type: 'linear' };
  const lo = Math.min(...rates);
  const hi = Math.max(...rates);
  return hi / lo > 50 ? { type: 'symlog', constant: lo } : { type: 'linear' };
}

export function dirtyRateFigure(dirtyExpr: string): FigureDef {
  return {
    id: 'dirty-rate',
    title: 'Downtime and outage against dirty rate',
    caption:
      'Each line is one bandwidth cap (MiB/s); a line that climbs steeply with the dirty rate means pre-copy at that cap struggles to catch up with the guest, and the gap between the downtime and outage panels is the time the network needs to reconverge.',
    sql: dirtyRateSql(dirtyExpr),
    spec: (rows) => {
      const multiBackend = new Set(rows.map((r) => r.backend)).size > 1;
      const xScale = dirtyRateScale(rows);
      const rates = naturalOrder(rows.map((r) => r.dirty_rate_pages_s));
      const xAxis = xScale.type === 'symlog'
        ? { values: rates.length <= 10 ? rates : logLikeAxis(xScale, rows, ['dirty_rate_pages_s']).values, labelAngle: -45 }
        : {};
      const yScale = logLikeScale(rows, ['median_ms']);
      return {
        ...baseSpec('Median downtime and outage vs dirty rate (succeeded trials)', rows),
        facet: {
          row: { field: 'mode', type: 'nominal', sort: modeSort(rows), title: null },
          column: { field: 'metric', type: 'nominal', sort: ['downtime_ms', 'outage_ms'], title: null },
        },
        resolve: { scale: { y: 'independent' } },
        spec: {
          width: 260,
          height: 130,
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'dirty_rate_pages_s', type: 'quantitative', title: 'dirty rate (pages/s)', scale: xScale, axis: { labelOverlap: true, ...xAxis } },
            y: { field: 'median_ms', type: 'quantitative', scale: yScale, axis: logLikeAxis(yScale, rows, ['median_ms']), title: 'median ms (log)' },
            color: {
              field: 'max_bandwidth_mib_s', type: 'nominal', title: 'cap MiB/s', scale: { scheme: 'tableau10' },
              sort: naturalOrder(rows.map((r) => r.max_bandwidth_mib_s)),
            },
            ...(multiBackend ? { strokeDash: { field: 'backend', type: 'nominal' } } : {}),
            detail: { field: 'backend', type: 'nominal' },
            tooltip: [
              { field: 'backend' }, { field: 'mode' }, { field: 'max_bandwidth_mib_s', title: 'cap MiB/s' },
              { field: 'dirty_rate_pages_s', type: 'quantitative' }, { field: 'n', type: 'quantitative' },
              { field: 'median_ms', type: 'quantitative', format: ',.1f' },
            ],
          },
        },
      };
    },
  };
}
