/** Success rate per mode with its Wilson 95 % interval, computed in SQL (same formula as stats/wilson.ts). */
import { baseSpec, modeSort, naturalOrder, type FigureDef } from './figure.js';
import { facetAxes, panelSql, pooledNote, sourceOffset, sourceOrModeColour, type ChartContext } from './panels.js';

const Z = 1.959963984540054;

/** Wilson bounds as SQL over columns n (trials) and s (successes). */
export function wilsonSql(sign: '-' | '+'): string {
  const p = 's / n';
  return `(((${p}) + ${Z * Z} / (2 * n)) ${sign} ${Z} * sqrt((${p}) * (1 - ${p}) / n + ${Z * Z} / (4 * n * n))) / (1 + ${Z * Z} / n)`;
}

export function successSql(ctx: ChartContext, panelAxes: readonly string[]): string {
  return `SELECT *, s / n AS success_rate,
  greatest(0, ${wilsonSql('-')}) AS success_lo,
  least(1, ${wilsonSql('+')}) AS success_hi
FROM (
  SELECT backend, ${ctx.source} AS source, ${panelSql(panelAxes)} AS panel, mode, count(*)::DOUBLE AS n,
    count(*) FILTER (WHERE status = 'succeeded')::DOUBLE AS s
  FROM trials GROUP BY ALL
) ORDER BY ALL`;
}

export function successFigure(ctx: ChartContext): FigureDef {
  const facets = facetAxes(ctx, []);
  return {
    id: 'success',
    title: 'Success rate per mode',
    caption:
      (facets.axes.length > 0
        ? `Dots are the share of trials that succeeded, one panel per ${facets.axes.join(' × ')}; `
        : 'Dots are the share of trials that succeeded; ') +
      'the bars are Wilson 95 % intervals, so two modes whose bars do not overlap differ beyond chance.' + pooledNote(facets),
    sql: successSql(ctx, facets.axes),
    spec: (rows) => {
      const enc = {
        x: { field: 'mode', type: 'nominal', sort: modeSort(rows), title: null },
        ...sourceOffset(rows),
        color: sourceOrModeColour(rows),
        tooltip: [
          { field: 'source' }, { field: 'mode' }, { field: 'panel' },
          { field: 'n', type: 'quantitative', title: 'trials' }, { field: 's', type: 'quantitative', title: 'succeeded' },
          { field: 'success_rate', type: 'quantitative', format: '.1%' },
          { field: 'success_lo', type: 'quantitative', format: '.1%' }, { field: 'success_hi', type: 'quantitative', format: '.1%' },
        ],
      };
      const panels = naturalOrder(rows.map((r) => r.panel));
      const layer = {
        width: panels.length > 1 ? Math.max(60, 26 * modeSort(rows).length) : 360,
        height: 200,
        encoding: enc,
        layer: [
          {
            mark: { type: 'rule' },
            encoding: {
              y: { field: 'success_lo', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'success rate' },
              y2: { field: 'success_hi' },
            },
          },
          { mark: { type: 'point', filled: true, size: 60 }, encoding: { y: { field: 'success_rate', type: 'quantitative' } } },
        ],
      };
      const base = baseSpec('Success rate with Wilson 95 % intervals', rows);
      if (panels.length <= 1) return { ...base, ...layer };
      return {
        ...base,
        facet: { field: 'panel', type: 'nominal', sort: panels, title: null, header: { labelLimit: 200 } },
        columns: 4,
        spec: layer,
      };
    },
  };
}
