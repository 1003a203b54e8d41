/**
 * The sentences at the top of a report: per backend, what live migration saves over cold (or, when one of
 * them is missing, the first pair measured), in the metric's unit and with intervals.
 */
import type { Comparison } from './analysis/comparisons.js';
import type { GroupStats } from './analysis/groups.js';
import { naturalOrder, type Row } from './charts/figure.js';
import { formatPValue, formatShare, formatWithUnit as formatMetric } from './format.js';

/**
 * Where live migration stops converging, read off the convergence map's rows: per backend and bandwidth
 * cap, the lowest dirty rate at which fewer than half of the live trials succeeded.
 */
export function convergenceSentences(rows: readonly Row[]): string[] {
  const out: string[] = [];
  const live = rows.filter((r) => r.mode === 'live');
  // One sentence per map: the backend, or the backend and a value of the first --by axis.
  for (const backend of [...new Set(live.map((r) => String(r.panel ?? r.backend)))]) {
    const mine = live.filter((r) => String(r.panel ?? r.backend) === backend);
    const parts = naturalOrder(mine.map((r) => r.max_bandwidth_mib_s)).map((cap) => {
      const cells = mine
        .filter((r) => r.max_bandwidth_mib_s === cap)
        .sort((a, b) => Number(a.dirty_rate_pages_s) - Number(b.dirty_rate_pages_s));
      const first = cells.find((r) => Number(r.success_rate) < 0.5);
      const where = cap === 'unlimited' ? 'without a bandwidth cap' : `at a ${cap} MiB/s cap`;
      return first
        ? `from ${Number(first.dirty_rate_pages_s).toLocaleString('en')} pages/s ${where}`
        : `never ${where} (tested up to ${Number(cells[cells.length - 1]?.dirty_rate_pages_s ?? 0).toLocaleString('en')} pages/s)`;
    });
    if (parts.length > 0) out.push(`${backend}: live migration stops converging (under half the trials succeed) ${parts.join('; ')}.`);
  }
  return out;
}

function comparisonSentence(c: Comparison): string {
  const saves = c.hl_shift < 0;
  const amount = formatMetric(c.metric, Math.abs(c.hl_shift));
  const ci = `95 % CI ${formatMetric(c.metric, Math.abs(saves ? c.hl_hi : c.hl_lo))}–${formatMetric(c.metric, Math.abs(saves ? c.hl_lo : c.hl_hi))}`;
  const what = c.metric.replace(/_ms$/, '');
  return (
    `${c.mode_a} ${saves ? 'saves' : 'costs'} ${amount} of ${what} ${saves ? 'over' : 'more than'} ${c.mode_b} ` +
    `(median ${formatMetric(c.metric, c.median_a)} vs ${formatMetric(c.metric, c.median_b)}; Hodges–Lehmann shift, ${ci}; ` +
    `Cliff's δ ${c.cliffs_delta.toFixed(2)}; rank-sum p ${formatPValue(c.p_value)})`
  );
}

export function headlines(modes: readonly GroupStats[], comparisons: readonly Comparison[], convergenceRows: readonly Row[] = []): string[] {
  const out: string[] = [];
  for (const backend of [...new Set(modes.map((m) => m.backend))]) {
    const rates = modes
      .filter((m) => m.backend === backend)
      .map((m) => `${m.mode} ${formatShare(m.success_rate)} [${formatShare(m.success_lo)}, ${formatShare(m.success_hi)}]`);
    out.push(`${backend}: success rate per mode — ${rates.join('; ')}.`);
    const mine = comparisons.filter((c) => c.backend === backend);
    const head = mine.filter((c) => c.mode_a === 'live' && c.mode_b === 'cold');
    const chosen = head.length > 0 ? head : mine.filter((c) => c.mode_a === mine[0]?.mode_a && c.mode_b === mine[0]?.mode_b);
    for (const c of chosen) out.push(`${backend}: ${comparisonSentence(c)}.`);
  }
  out.push(...convergenceSentences(convergenceRows));
  return out;
}
