/**
 * Median downtime and outage against the guest's dirty rate, one line per bandwidth cap: where pre-copy
 * starts to hurt. The dirty rate is binned in SQL when a random sweep drew many distinct values.
 */
import { baseSpec, logLikeAxis, logLikeScale, naturalOrder, symlogTicks, type FigureDef, type Row } from './figure.js';
import { modeRank } from '../../core/modes.js';
import { parameterTextSql } from '../../core/store/schema.js';
import { facetAxes, panelSql, pooledNote, type ChartContext } from './panels.js';

export function dirtyRateSql(dirtyExpr: string, ctx?: ChartContext, panelAxes: readonly string[] = []): string {
  const source = ctx?.source ?? 'backend';
  return `SELECT backend, source, panel, mode, max_bandwidth_mib_s, dirty_rate_pages_s, metric, n, median_ms FROM (
  SELECT backend, ${source} AS source, ${panelSql(panelAxes)} AS panel, mode, ${parameterTextSql('max_bandwidth_mib_s', 'max_bandwidth_mib_s')} AS max_bandwidth_mib_s,
    ${dirtyExpr} AS dirty_rate_pages_s,
    count(*)::DOUBLE AS n,
    quantile_cont(downtime_ms, 0.5) AS downtime_ms, quantile_cont(outage_ms, 0.5) AS outage_ms
  FROM trials WHERE status = 'succeeded' AND dirty_rate_pages_s IS NOT NULL GROUP BY ALL
) UNPIVOT (median_ms FOR metric IN (downtime_ms, outage_ms))
WHERE median_ms IS NOT NULL
ORDER BY backend, source, panel, mode, max_bandwidth_mib_s, dirty_rate_pages_s, metric`;
}

/**
 * Dirty rates span orders of magnitude (0, 1000 … 400,000): a symlog scale whose linear part ends at the
 * smallest non-zero rate, so 0 and 5,000 pages/s sit apart; linear only when the rates span less than ×10.
 */
export function dirtyRateScale(rows: Row[]): Record<string, unknown> {
  const all = rows.map((r) => Number(r.dirty_rate_pages_s));
  const rates = all.filter((v) => v > 0);
  if (rates.length === 0) return { type: 'linear' };
  const lo = Math.min(...rates);
  const hi = Math.max(...rates);
  const hasZero = all.some((v) => v === 0);
  if (hi / lo < 10 && !hasZero) return { type: 'linear' };
  return { type: 'symlog', constant: Math.pow(10, Math.floor(Math.log10(lo))) };
}

/** 0, 1k, 10k, 100k, 1M: SI prefixes without vega's shared prefix (which writes 0 as '0k'). */
const KILO_LABEL = "datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M' : datum.value >= 1000 ? format(datum.value / 1000, '~g') + 'k' : format(datum.value, '~g')";

/** Rows in the mode table's order, then by panel. */
function rowOrder(rows: Row[]): string[] {
  const seen = new Map(rows.map((r) => [String(r.row), r]));
  return [...seen.keys()].sort((a, b) => modeRank(String(seen.get(a)!.mode)) - modeRank(String(seen.get(b)!.mode)) || a.localeCompare(b));
}

/** Panel rows: mode, then the other broken-down axes. */
function panelLabel(rows: Row[]): Row[] {
  return rows.map((r) => ({ ...r, row: r.panel === 'all trials' ? String(r.mode) : `${String(r.mode)} · ${String(r.panel)}` }));
}

export function dirtyRateFigure(dirtyExpr: string, ctx?: ChartContext): FigureDef {
  const facets = ctx ? facetAxes(ctx, ['dirty_rate_pages_s', 'max_bandwidth_mib_s'], 6) : { axes: [], pooled: [] };
  return {
    id: 'dirty-rate',
    title: 'Downtime and outage against dirty rate',
    caption:
      'Each line is one bandwidth cap (MiB/s); a line that climbs steeply with the dirty rate means pre-copy at that cap struggles to catch up with the guest, and the gap between the downtime and outage panels is the time the network needs to reconverge. The dirty-rate axis is symlog: linear up to the smallest non-zero rate, logarithmic beyond.' +
      pooledNote(facets),
    sql: dirtyRateSql(dirtyExpr, ctx, facets.axes),
    spec: (raw) => {
      if (new Set(raw.map((r) => r.dirty_rate_pages_s)).size < 2) return null; // one rate: nothing to draw against
      const rows = panelLabel(raw);
      const multiSource = new Set(rows.map((r) => r.source)).size > 1;
      const caps = naturalOrder(rows.map((r) => r.max_bandwidth_mib_s));
      const xScale = dirtyRateScale(rows);
      const rates = naturalOrder(rows.map((r) => r.dirty_rate_pages_s)).map(Number);
      const xAxis = xScale.type === 'symlog'
        ? { values: rates.length <= 8 ? rates : symlogTicks(Math.max(...rates), Number(xScale.constant)), labelAngle: -45, labelExpr: KILO_LABEL }
        : { labelExpr: KILO_LABEL };
      const yScale = logLikeScale(rows, ['median_ms']);
      return {
        ...baseSpec('Median downtime and outage vs dirty rate (succeeded trials)', rows),
        facet: {
          row: { field: 'row', type: 'nominal', sort: rowOrder(rows), title: null, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 300 } },
          column: { field: 'metric', type: 'nominal', sort: ['downtime_ms', 'outage_ms'], title: null },
        },
        resolve: { scale: { y: 'independent' } },
        spec: {
          width: 300,
          height: 130,
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'dirty_rate_pages_s', type: 'quantitative', title: 'dirty rate (pages/s, symlog)', scale: xScale, axis: { labelOverlap: true, ...xAxis } },
            y: { field: 'median_ms', type: 'quantitative', scale: yScale, axis: logLikeAxis(yScale, rows, ['median_ms']), title: 'median ms (log)' },
            color: {
              field: 'max_bandwidth_mib_s', type: 'nominal', title: 'cap MiB/s', scale: { scheme: 'tableau10' }, sort: caps,
              ...(caps.length > 1 ? {} : { legend: null }),
            },
            ...(multiSource ? { strokeDash: { field: 'source', type: 'nominal', title: 'source' } } : {}),
            detail: { field: 'source', type: 'nominal' },
            tooltip: [
              { field: 'source' }, { field: 'mode' }, { field: 'panel' }, { field: 'max_bandwidth_mib_s', title: 'cap MiB/s' },
              { field: 'dirty_rate_pages_s', type: 'quantitative' }, { field: 'n', type: 'quantitative' },
              { field: 'median_ms', type: 'quantitative', format: ',.1f' },
            ],
          },
        },
      };
    },
  };
}
