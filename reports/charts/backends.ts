/**
 * Simulated against real: the same modes measured by two or more backends side by side. Shown only when
 * the database holds more than one backend.
 */
import { quantilesByMetricSql } from './distribution.js';
import { BACKEND_COLOURS, fixedScale } from '../palette.js';
import { baseSpec, logLikeAxis, logLikeScale, modeSort, type FigureDef } from './figure.js';

const METRICS = ['downtime_ms', 'outage_ms', 'total_ms'];

export const BACKENDS_SQL = `SELECT * FROM (
${quantilesByMetricSql(METRICS, [0.25, 0.5, 0.75], ['q25_ms', 'q50_ms', 'q75_ms'])}
) QUALIFY count(*) OVER (PARTITION BY mode, metric) > 1
ORDER BY metric, mode, backend`;

export const backendsFigure: FigureDef = {
  id: 'backends',
  title: 'Simulated vs real',
  caption:
    'For every mode measured by more than one backend, the dot is the median and the bar the interquartile range per backend; where the simulator\'s bar misses the real one, the model needs calibration for that mode.',
  sql: BACKENDS_SQL,
  spec: (rows) => {
    if (new Set(rows.map((r) => r.backend)).size < 2) return null;
    return {
      ...baseSpec('Simulated vs real: median and interquartile range per backend', rows),
      facet: { column: { field: 'metric', type: 'nominal', sort: METRICS, title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 220,
        height: 200,
        encoding: {
          x: { field: 'mode', type: 'nominal', sort: modeSort(rows), title: null },
          xOffset: { field: 'backend', type: 'nominal' },
          color: { field: 'backend', type: 'nominal', scale: fixedScale([...new Set(rows.map((r) => String(r.backend)))], BACKEND_COLOURS) },
          tooltip: ['backend', 'mode', 'metric', 'n', 'q25_ms', 'q50_ms', 'q75_ms'].map((f) => ({ field: f })),
        },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: { y: { field: 'q25_ms', type: 'quantitative', scale: logLikeScale(rows, ['q25_ms', 'q75_ms']), axis: logLikeAxis(logLikeScale(rows, ['q25_ms', 'q75_ms']), rows, ['q75_ms']), title: 'ms (log scale)' }, y2: { field: 'q75_ms' } },
          },
          { mark: { type: 'point', filled: true, size: 50 }, encoding: { y: { field: 'q50_ms', type: 'quantitative' } } },
        ],
      },
    };
  },
};
