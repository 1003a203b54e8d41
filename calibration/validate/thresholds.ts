/**
 * `--max-error total_ms=10%,downtime_ms=25%`: bounds on the median absolute % error, over all modes or, with a
 * mode in front (`live.downtime_ms=25%`), over one. A bound on a figure with nothing to compare fails: it
 * cannot be shown to hold. Pure.
 */
import { UsageError } from '../../core/errors.js';
import { ERROR_FIGURES, type ErrorFigure, type ModeFigures } from './statistics.js';

export interface Threshold {
  /** 'all' or a mode */
  mode: string;
  metric: ErrorFigure;
  max_pct: number;
  /** As the user wrote it */
  text: string;
}

export function parseThresholds(text: string): Threshold[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^(?:([a-z-]+)\.)?([a-z_]+)\s*=\s*([0-9]+(?:\.[0-9]+)?)\s*%$/.exec(item);
      if (!m) throw new UsageError(`--max-error: expected [mode.]metric=N% (e.g. total_ms=10%); found '${item}'`);
      if (!(ERROR_FIGURES as readonly string[]).includes(m[2])) {
        throw new UsageError(`--max-error: '${m[2]}' has no error figure; expected one of ${ERROR_FIGURES.join(', ')}`);
      }
      return { mode: m[1] ?? 'all', metric: m[2] as ErrorFigure, max_pct: Number(m[3]), text: item };
    });
}

export interface ThresholdResult {
  threshold: Threshold;
  /** The median absolute % error found; null when nothing was compared */
  found: number | null;
  ok: boolean;
  line: string;
}

export function checkThresholds(thresholds: readonly Threshold[], figures: readonly ModeFigures[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const row = figures.find((f) => f.mode === t.mode);
    const stats = row?.errors[t.metric];
    const found = stats?.p50 ?? null;
    const where = t.mode === 'all' ? 'all modes' : t.mode;
    if (found === null) {
      const why = row ? 'no trial converged on both sides with a value on both' : `no real trial in mode ${t.mode}`;
      return { threshold: t, found, ok: false, line: `FAILED ${t.text}: ${where}: ${why}, so the bound cannot be checked` };
    }
    const ok = found <= t.max_pct;
    const figure = `median |error| of ${t.metric} over ${where} is ${found.toFixed(1)} % (${stats!.compared} trials), bound ${t.max_pct} %`;
    return { threshold: t, found, ok, line: `${ok ? 'ok' : 'FAILED'} ${t.text}: ${figure}` };
  });
}
