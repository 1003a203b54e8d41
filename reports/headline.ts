/**
 * The sentences at the top of a report: per backend, what live migration saves over cold (or, when one of
 * them is missing, the first pair measured), in the metric's unit and with intervals.
 */
import type { Comparison } from './analysis/comparisons.js';
import type { GroupStats } from './analysis/groups.js';
import { formatPValue, formatShare, formatWithUnit as formatMetric } from './format.js';

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

export function headlines(modes: readonly GroupStats[], comparisons: readonly Comparison[]): string[] {
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
  return out;
}
