/** Box plots per mode of downtime, outage and total time, from quantiles computed in SQL (never raw trials). */
import { baseSpec, logLikeAxis, logLikeScale, modeSort, type FigureDef } from './figure.js';
import { facetAxes, panelRow, panelSql, pooledNote, sourceOffset, sourceOrModeColour, type ChartContext } from './panels.js';

const METRICS = ['downtime_ms', 'outage_ms', 'total_ms'];

/**
 * One scan computes every metric's quantiles (the CTE is materialized), then one row per metric is unfolded.
 * `quantiles` are the probabilities; the result columns are named by `names`.
 */
export function quantilesByMetricSql(
  metrics: readonly string[], quantiles: readonly number[], names: readonly string[], extra: Record<string, string> = {},
): string {
  const extraSelect = Object.entries(extra).map(([k, e]) => `, ${e} AS ${k}`).join('');
  const extraNames = Object.keys(extra).map((k) => `, ${k}`).join('');
  const aggs = metrics
    .map((m) => `count(${m}) FILTER (WHERE status = 'succeeded')::DOUBLE AS "n_${m}",
    quantile_cont(${m}, [${quantiles.join(', ')}]) FILTER (WHERE status = 'succeeded') AS "q_${m}"`)
    .join(',\n    ');
  const unfold = metrics
    .map((m) => `  SELECT backend, mode${extraNames}, '${m}' AS metric, "n_${m}" AS n, ${names.map((n, i) => `"q_${m}"[${i + 1}] AS ${n}`).join(', ')} FROM s WHERE "n_${m}" > 0`)
    .join('\n  UNION ALL\n');
  return `WITH s AS MATERIALIZED (
  SELECT backend, mode${extraSelect},
    ${aggs}
  FROM trials GROUP BY ALL
)
${unfold}`;
}

export function distributionSql(ctx: ChartContext, panelAxes: readonly string[]): string {
  return `${quantilesByMetricSql(METRICS, [0.05, 0.25, 0.5, 0.75, 0.95], ['q05_ms', 'q25_ms', 'q50_ms', 'q75_ms', 'q95_ms'], { source: ctx.source, panel: panelSql(panelAxes) })}
ORDER BY metric, backend, source, panel, mode`;
}

export function distributionFigure(ctx: ChartContext): FigureDef {
  const facets = facetAxes(ctx, [], 6);
  return {
    id: 'distributions',
    title: 'Downtime, outage and total time per mode',
    caption:
      'Each box spans the middle half of the succeeded trials (25th–75th percentile), the line inside is the median and the whiskers reach the 5th and 95th percentiles; the vertical axis is logarithmic, so equal distances are equal ratios.' +
      pooledNote(facets),
    sql: distributionSql(ctx, facets.axes),
    spec: (rows) => {
      const x = { field: 'mode', type: 'nominal', sort: modeSort(rows), title: null };
      const tooltip = ['source', 'panel', 'mode', 'metric', 'n', 'q05_ms', 'q25_ms', 'q50_ms', 'q75_ms', 'q95_ms'].map((f) => ({
        field: f, type: f === 'n' || f.endsWith('_ms') ? 'quantitative' : 'nominal', format: f.endsWith('_ms') ? ',.1f' : undefined,
      }));
      const scale = logLikeScale(rows, ['q05_ms', 'q95_ms']);
      const axis = logLikeAxis(scale, rows, ['q95_ms']);
      const y = (f: string) => ({ field: f, type: 'quantitative', scale, axis, title: 'ms (log scale)' });
      const row = panelRow(rows);
      return {
        ...baseSpec('Distributions per mode (succeeded trials)', rows),
        facet: { column: { field: 'metric', type: 'nominal', title: null, sort: METRICS }, ...(row ? { row } : {}) },
        resolve: { scale: { y: 'independent' } },
        spec: {
          width: 220,
          height: row ? 150 : 220,
          encoding: { x, ...sourceOffset(rows), color: sourceOrModeColour(rows), tooltip },
          layer: [
            { mark: { type: 'rule' }, encoding: { y: y('q05_ms'), y2: { field: 'q95_ms' } } },
            { mark: { type: 'bar', size: 14 }, encoding: { y: y('q25_ms'), y2: { field: 'q75_ms' } } },
            // The layer's colour encoding would paint the median in the box's colour: override it.
            { mark: { type: 'tick', size: 14, thickness: 2 }, encoding: { y: y('q50_ms'), color: { value: 'black' } } },
          ],
        },
      };
    },
  };
}
