/**
 * The validation page's figures as Vega-Lite specs: per outcome, each real trial's value against its simulated
 * point's (one dot per trial, one colour per mode) with the y = x line — on log axes when the values span more
 * than a decade — and the median absolute % error per mode and per value of each axis.
 */
import { MODE_COLOURS, fixedScale } from '../palette.js';
import { baseSpec, logLikeScale, naturalOrder, type Row, type VegaLiteSpec } from '../charts/figure.js';
import type { ValidationView } from './data.js';

/** Dots drawn per scatter at most (the first trials in the campaign's order); the tables have every trial. */
export const MAX_SCATTER_DOTS = 5000;

export interface ValidationFigure {
  id: string;
  title: string;
  caption: string;
  spec: VegaLiteSpec;
}

/** Log (symlog with zeros) when the positive values span more than a factor of ten; else linear. */
function axisScale(rows: Row[], fields: readonly string[]): Record<string, unknown> {
  const values = rows.flatMap((r) => fields.map((f) => r[f])).filter((v): v is number => typeof v === 'number');
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0 || Math.max(...positive) / Math.min(...positive) <= 10) return { type: 'linear', zero: false };
  return logLikeScale(rows, fields);
}

function scatter(v: ValidationView, metric: string): ValidationFigure | null {
  const rows: Row[] = v.pairs
    .filter((p) => p.real_converged && p.sim_converged && p.real[metric] !== null && p.sim[metric] !== null)
    .slice(0, MAX_SCATTER_DOTS)
    .map((p) => ({ trial_id: p.trial_id, mode: p.mode, real: p.real[metric], simulated: p.sim[metric], ...p.axes }));
  if (rows.length === 0) return null;
  const all = rows.flatMap((r) => [Number(r.real), Number(r.simulated)]);
  const base = axisScale(rows, ['real', 'simulated']);
  const lo = base.type === 'log' ? Math.min(...all.filter((x) => x > 0)) : Math.min(...all);
  const hi = Math.max(...all);
  // the same domain on both axes, so the y = x line is the diagonal
  const scale = { ...base, domain: [lo, hi] };
  const axis = { labelOverlap: 'greedy', labelFlush: true, format: '~s' };
  const line = [{ real: lo, simulated: lo }, { real: hi, simulated: hi }];
  const modes = [...new Set(rows.map((r) => String(r.mode)))];
  const unit = metric.endsWith('_bytes') ? 'bytes' : 'ms';
  return {
    id: `validation-${metric}`,
    title: `${metric}: simulated against real`,
    caption:
      `Each dot is a real trial (x) and its simulated point's median (y), for the trials that converged on both sides; ` +
      `on the grey line the simulator is exact, above it it overestimates${base.type === 'linear' ? '' : ' (log axes)'}.`,
    spec: {
      ...baseSpec(`${metric}: simulated against real (${unit})`, rows),
      width: 320,
      height: 320,
      layer: [
        {
          data: { values: line },
          mark: { type: 'line', color: '#999', strokeDash: [4, 3] },
          encoding: { x: { field: 'real', type: 'quantitative', scale }, y: { field: 'simulated', type: 'quantitative', scale } },
        },
        {
          mark: { type: 'point', filled: true, opacity: 0.7 },
          encoding: {
            x: { field: 'real', type: 'quantitative', scale, axis, title: `real ${metric}` },
            y: { field: 'simulated', type: 'quantitative', scale, axis, title: `simulated ${metric}` },
            color: { field: 'mode', type: 'nominal', scale: fixedScale(modes, MODE_COLOURS) },
            tooltip: ['trial_id', 'mode', ...v.axes, 'real', 'simulated'].map((f) => ({ field: f })),
          },
        },
      ],
    },
  };
}

function errorBars(v: ValidationView, id: string, title: string, rows: Row[], x: { field: string; title: string; sort: unknown[] }): ValidationFigure | null {
  const drawn = rows.filter((r) => r.p50 !== null);
  if (drawn.length === 0) return null;
  return {
    id,
    title,
    caption: 'The bar is the median absolute % error, the tick the p90, over the trials that converged on both sides.',
    spec: {
      ...baseSpec(title, drawn),
      facet: { column: { field: 'metric', type: 'nominal', sort: [...v.metrics], title: null } },
      spec: {
        width: 180,
        height: 200,
        encoding: { x: { field: x.field, type: 'nominal', title: x.title, sort: x.sort } },
        layer: [
          { mark: 'bar', encoding: { y: { field: 'p50', type: 'quantitative', title: '|error| %' }, tooltip: [{ field: x.field }, { field: 'metric' }, { field: 'p50' }, { field: 'p90' }, { field: 'compared' }] } },
          { mark: { type: 'tick', color: '#333', thickness: 2 }, encoding: { y: { field: 'p90', type: 'quantitative' } } },
        ],
      },
    },
  };
}

export function validationFigures(v: ValidationView): ValidationFigure[] {
  const perMode: Row[] = v.modes
    .filter((m) => m.mode !== 'all')
    .flatMap((m) => v.metrics.map((metric) => ({ mode: m.mode, metric, p50: m.errors[metric].p50, p90: m.errors[metric].p90, compared: m.errors[metric].compared })));
  const perAxis = v.axes.map((axis) => {
    const rows: Row[] = v.byAxis
      .filter((a) => a.axis === axis)
      .flatMap((a) => v.metrics.map((metric) => ({ value: String(a.value), metric, p50: a.errors[metric].p50, p90: a.errors[metric].p90, compared: a.errors[metric].compared })));
    return errorBars(v, `validation-axis-${axis}`, `Error by ${axis} (all modes)`, rows, { field: 'value', title: axis, sort: naturalOrder(rows.map((r) => r.value)) });
  });
  const figures = [
    ...v.metrics.map((m) => scatter(v, m)),
    errorBars(v, 'validation-modes', 'Error per mode', perMode, { field: 'mode', title: 'mode', sort: v.modes.map((m) => m.mode) }),
    ...perAxis,
  ];
  return figures.filter((f): f is ValidationFigure => f !== null);
}
