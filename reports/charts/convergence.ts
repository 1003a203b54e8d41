/**
 * The convergence map: for the modes that pre-copy (live, hybrid), success rate over dirty rate × bandwidth
 * cap, with the median number of rounds written in each cell. The edge of the red region is where live
 * migration stops converging.
 */
import { modesWhere } from '../../core/modes.js';
import { parameterTextSql } from '../../core/store/schema.js';
import { sqlString } from '../source.js';
import { facetAxes, panelSql, pooledNote, type ChartContext } from './panels.js';
import { baseSpec, modeSort, naturalOrder, type FigureDef } from './figure.js';

/**
 * `panel` names one map: the backend, and the value of the first --by axis when one was named
 * (e.g. auto_converge=true next to auto_converge=false).
 */
export function convergenceSql(dirtyExpr: string, ctx?: ChartContext, panelAxes: readonly string[] = []): string {
  const source = ctx?.source ?? 'backend';
  const panel = panelAxes.length > 0 ? `${source} || ' · ' || ${panelSql(panelAxes)}` : source;
  return `SELECT ${panel} AS panel, backend, ${source} AS source, mode, ${dirtyExpr} AS dirty_rate_pages_s, ${parameterTextSql('max_bandwidth_mib_s', 'max_bandwidth_mib_s')} AS max_bandwidth_mib_s,
  count(*)::DOUBLE AS n,
  avg(CASE WHEN status = 'succeeded' THEN 1.0 ELSE 0.0 END) AS success_rate,
  quantile_cont(rounds, 0.5) AS rounds_p50
FROM trials WHERE mode IN (${modesWhere('precopy').map(sqlString).join(', ')}) AND dirty_rate_pages_s IS NOT NULL
GROUP BY ALL ORDER BY ALL`;
}

export function convergenceFigure(dirtyExpr: string, ctx?: ChartContext): FigureDef {
  const facets = ctx ? facetAxes(ctx, ['dirty_rate_pages_s', 'max_bandwidth_mib_s'], 8) : { axes: [], pooled: [] };
  return {
    id: 'convergence',
    title: 'Convergence map',
    caption:
      'Each cell is one dirty rate (pages/s) and bandwidth cap (MiB/s): green cells always converged, red cells never did, and the number is the median count of pre-copy rounds — cells with many rounds sit next to the edge where live migration stops converging.' +
      (facets.axes.length > 0 ? ` One map per ${facets.axes.join(' × ')}.` : '') + pooledNote(facets),
    sql: convergenceSql(dirtyExpr, ctx, facets.axes),
    spec: (rows) => new Set(rows.map((r) => r.dirty_rate_pages_s)).size < 2 ? null : ({
      ...baseSpec('Success rate and median rounds over dirty rate × bandwidth cap', rows),
      facet: {
        column: { field: 'mode', type: 'nominal', sort: modeSort(rows), title: null },
        row: { field: 'panel', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } },
      },
      spec: {
        width: { step: 48 },
        height: { step: 30 },
        encoding: {
          x: { field: 'dirty_rate_pages_s', type: 'ordinal', title: 'dirty rate (pages/s)', sort: naturalOrder(rows.map((r) => r.dirty_rate_pages_s)) },
          y: { field: 'max_bandwidth_mib_s', type: 'ordinal', title: 'cap MiB/s', sort: naturalOrder(rows.map((r) => r.max_bandwidth_mib_s)) },
          tooltip: [
            { field: 'backend' }, { field: 'mode' }, { field: 'dirty_rate_pages_s' }, { field: 'max_bandwidth_mib_s' },
            { field: 'n', type: 'quantitative', title: 'trials' }, { field: 'success_rate', type: 'quantitative', format: '.1%' },
            { field: 'rounds_p50', type: 'quantitative', title: 'median rounds' },
          ],
        },
        layer: [
          {
            mark: { type: 'rect' },
            encoding: {
              color: { field: 'success_rate', type: 'quantitative', scale: { domain: [0, 1], scheme: 'redyellowgreen' }, legend: { format: '%' }, title: 'success' },
            },
          },
          { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'rounds_p50', type: 'quantitative', format: '.0f' } } },
        ],
      },
    }),
  };
}
