/**
 * What each varied axis does to the outage, downtime and total time: per axis value (a network design, a memory
 * size, auto-converge on or off), the median over succeeded trials with its distribution-free 95 % interval
 * (order statistics at ranks n/2 ∓ 1.96·√n/2, the per-mode table's large-group interval), one colour per mode.
 * Computed in SQL; each axis pools over the other varied axes, and the caption says so.
 */
import { MODE_COLOURS, fixedScale } from '../palette.js';
import { parameterTextSql } from '../../core/store/schema.js';
import { sqlIdent, sqlString } from '../source.js';
import { baseSpec, logLikeAxis, logLikeScale, modeSort, naturalOrder, type FigureDef, type Row } from './figure.js';
import type { ChartContext } from './panels.js';

// Alphabetical, as in every other figure (vega-lite misplaces headers of a custom-sorted facet with independent scales).
const METRICS = ['downtime_ms', 'outage_ms', 'total_ms'];
/** An axis with more values than this is left to the dirty-rate and convergence figures (or the tables). */
export const MAX_AXIS_VALUES = 12;
const Z = 1.959963984540054;

export function byAxisSql(ctx: ChartContext, axes: readonly string[]): string {
  const union = axes
    .map((a) => `  SELECT backend, ${ctx.source} AS source, mode, ${sqlString(a)} AS axis, ${parameterTextSql(a, sqlIdent(a))} AS value, ${METRICS.join(', ')}
  FROM trials WHERE status = 'succeeded'`)
    .join('\n  UNION ALL\n');
  return `WITH u AS (
${union}
), v AS (
  SELECT backend, source, mode, axis, value, metric, count(x)::DOUBLE AS n, quantile_cont(x, 0.5) AS median_ms, list(x ORDER BY x) AS xs
  FROM u UNPIVOT (x FOR metric IN (${METRICS.join(', ')}))
  GROUP BY ALL
)
SELECT backend, source, mode, axis, value, metric, n, median_ms,
  xs[greatest(1, floor(n * 0.5 - ${Z} * sqrt(n * 0.25)))::BIGINT] AS lo_ms,
  xs[least(n, ceil(n * 0.5 + ${Z} * sqrt(n * 0.25) + 1))::BIGINT] AS hi_ms
FROM v ORDER BY axis, metric, backend, source, mode, value`;
}

/** The axes this figure draws: the broken-down parameter axes with 2–12 values. */
export function byAxisAxes(ctx: ChartContext): string[] {
  return ctx.strata.by.filter((a) => (ctx.strata.distinct[a] ?? 0) >= 2 && (ctx.strata.distinct[a] ?? 0) <= MAX_AXIS_VALUES);
}

export function byAxisFigure(ctx: ChartContext): FigureDef | null {
  const axes = byAxisAxes(ctx);
  if (axes.length === 0) return null;
  const pooled = Object.keys(ctx.strata.distinct).length > 1
    ? ` Each axis pools over the other varied axes (${Object.keys(ctx.strata.distinct).join(', ')}).`
    : '';
  return {
    id: 'by-axis',
    title: `Outage, downtime and total time by ${axes.join(', ')}`,
    caption:
      'The dot is the median of the succeeded trials at that value, the bar its distribution-free 95 % interval; one colour per mode, one row per varied axis.' +
      pooled,
    sql: byAxisSql(ctx, axes),
    spec: (rows) => byAxisSpec(rows, axes),
  };
}

function byAxisSpec(raw: Row[], axes: readonly string[]): Record<string, unknown> {
  const multiSource = new Set(raw.map((r) => r.source)).size > 1;
  const rows: Row[] = raw.map((r) => ({ ...r, series: multiSource ? `${String(r.mode)} · ${String(r.source)}` : String(r.mode) }));
  const scale = logLikeScale(rows, ['lo_ms', 'hi_ms']);
  const modes = modeSort(rows);
  const series = [...new Set(rows.map((r) => String(r.series)))];
  const colour = multiSource
    ? { field: 'series', type: 'nominal', title: 'mode · source', legend: { orient: 'bottom', labelLimit: 400 } }
    : { field: 'mode', type: 'nominal', title: 'mode', sort: modes, scale: fixedScale(modes, MODE_COLOURS), ...(modes.length > 1 ? {} : { legend: null }) };
  const perAxis = (axis: string) => ({
    transform: [{ filter: { field: 'axis', equal: axis } }],
    facet: { column: { field: 'metric', type: 'nominal', sort: METRICS, title: null } },
    // x only: independent y scales over layered marks make vega-lite warn (and mis-size) — one chart per axis instead.
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 250,
      height: { step: 14 * Math.max(1, series.length) + 6 },
      encoding: {
        y: { field: 'value', type: 'nominal', title: axis, sort: naturalOrder(rows.filter((r) => r.axis === axis).map((r) => r.value)) },
        yOffset: { field: 'series', type: 'nominal', sort: series },
        color: colour,
        tooltip: ['axis', 'value', 'mode', 'source', 'metric', 'n', 'median_ms', 'lo_ms', 'hi_ms'].map((f) => ({
          field: f, ...(f.endsWith('_ms') ? { type: 'quantitative', format: ',.1f' } : {}),
        })),
      },
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: { x: { field: 'lo_ms', type: 'quantitative', scale, axis: logLikeAxis(scale, rows, ['hi_ms']), title: 'ms (log scale)' }, x2: { field: 'hi_ms' } },
        },
        { mark: { type: 'point', filled: true, size: 50 }, encoding: { x: { field: 'median_ms', type: 'quantitative' } } },
      ],
    },
  });
  const base = baseSpec('Median and 95 % interval per value of each varied axis (succeeded trials)', rows);
  return axes.length === 1 ? { ...base, ...perAxis(axes[0]) } : { ...base, vconcat: axes.map(perAxis) };
}
