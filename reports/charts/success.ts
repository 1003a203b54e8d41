/** Success rate per mode with its Wilson 95 % interval, computed in SQL (same formula as stats/wilson.ts). */
import { sqlIdent } from '../source.js';
import { baseSpec, modeSort, naturalOrder, type FigureDef } from './figure.js';

const Z = 1.959963984540054;

/** Wilson bounds as SQL over columns n (trials) and s (successes). */
export function wilsonSql(sign: '-' | '+'): string {
  const p = 's / n';
  return `(((${p}) + ${Z * Z} / (2 * n)) ${sign} ${Z} * sqrt((${p}) * (1 - ${p}) / n + ${Z * Z} / (4 * n * n))) / (1 + ${Z * Z} / n)`;
}

export function successSql(axis?: string): string {
  const a = axis ? `, ${sqlIdent(axis)}::VARCHAR AS ${sqlIdent(axis)}` : '';
  return `SELECT *, s / n AS success_rate,
  greatest(0, ${wilsonSql('-')}) AS success_lo,
  least(1, ${wilsonSql('+')}) AS success_hi
FROM (
  SELECT backend, mode${a}, count(*)::DOUBLE AS n, count(*) FILTER (WHERE status = 'succeeded')::DOUBLE AS s
  FROM trials GROUP BY ALL
) ORDER BY ALL`;
}

export function successFigure(axis?: string): FigureDef {
  return {
    id: 'success',
    title: 'Success rate per mode',
    caption: axis
      ? `Dots are the share of trials that succeeded, one panel per ${axis}; the bars are Wilson 95 % intervals, so two modes whose bars do not overlap differ beyond chance.`
      : 'Dots are the share of trials that succeeded; the bars are Wilson 95 % intervals, so two modes whose bars do not overlap differ beyond chance.',
    sql: successSql(axis),
    spec: (rows) => {
      const enc = {
        x: { field: 'mode', type: 'nominal', sort: modeSort(rows), title: null },
        xOffset: { field: 'backend', type: 'nominal' },
        color: { field: 'backend', type: 'nominal' },
        tooltip: [
          { field: 'backend' }, { field: 'mode' }, ...(axis ? [{ field: axis }] : []),
          { field: 'n', type: 'quantitative', title: 'trials' }, { field: 's', type: 'quantitative', title: 'succeeded' },
          { field: 'success_rate', type: 'quantitative', format: '.1%' },
          { field: 'success_lo', type: 'quantitative', format: '.1%' }, { field: 'success_hi', type: 'quantitative', format: '.1%' },
        ],
      };
      const layer = {
        width: axis ? 160 : 360,
        height: 220,
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
      if (!axis) return { ...base, ...layer };
      return {
        ...base,
        facet: { column: { field: axis, type: 'nominal', sort: naturalOrder(rows.map((r) => r[axis])) } },
        spec: layer,
      };
    },
  };
}
