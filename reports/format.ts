/** Number formatting shared by the HTML tables and the notebook's markdown. */
import { formatMs } from './summary.js';

export { formatMs };

export function formatBytes(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatMetric(metric: string, v: number | null): string {
  return metric.endsWith('_bytes') ? formatBytes(v) : formatMs(v);
}

/**
 * p-values below 1e-16 print as "< 1e-16": the normal approximation behind them is not that precise, and
 * "8.9e-263" claims a certainty no test of a few thousand trials has.
 */
export const P_FLOOR = 1e-16;

export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return '-';
  if (p < P_FLOOR) return '< 1e-16';
  if (p < 0.001) return p.toExponential(1);
  return p.toFixed(3);
}

export function formatShare(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}

export function formatSigned(metric: string, v: number): string {
  if (!Number.isFinite(v)) return '-';
  return (v > 0 ? '+' : v < 0 ? '−' : '') + formatMetric(metric, Math.abs(v));
}

/** With its unit, for prose: "5577 ms", "1.2 GiB". */
export function formatWithUnit(metric: string, v: number | null): string {
  return metric.endsWith('_bytes') ? formatBytes(v) : `${formatMs(v)} ms`;
}

/** Counts with thousands separators: 1,000,000 reads at a glance, 1000000 does not. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A median over the reference's: "×1.00", "×0.25", "×12.3"; '—' when there is no finite ratio. */
export function formatRatio(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return '—';
  if (r >= 100) return `×${r.toFixed(0)}`;
  if (r >= 10) return `×${r.toFixed(1)}`;
  return `×${r.toFixed(2)}`;
}
