/**
 * The sentences at the top of a report. They answer the campaign's own question, per source (backend, or
 * campaign when two share a backend): with no varied axis, the success rates and what live migration saves
 * over cold; with few strata, the same per stratum; with many, which varied axis moves outage, downtime and
 * total time most, and the best and worst cells (headline-strata.ts). Then where live migration stops
 * converging, per convergence map.
 */
import type { Comparison } from './analysis/comparisons.js';
import type { GroupStats } from './analysis/groups.js';
import { naturalOrder, type Row } from './charts/figure.js';
import { formatPValue, formatShare, formatWithUnit as formatMetric } from './format.js';
import { effectSentences, stratumSentences, sourceLabeller, MAX_STRATA_SENTENCES, STRATUM_NOTE } from './headline-strata.js';
import type { ReportData } from './report-data.js';

/**
 * Where live migration stops converging, read off the convergence map's rows: per map (source and the varied
 * axes it is split by) and bandwidth cap, the lowest dirty rate at which fewer than half of the live trials
 * succeeded. A map with a single dirty rate says nothing about convergence and gets no sentence.
 */
export function convergenceSentences(rows: readonly Row[]): string[] {
  const out: string[] = [];
  const live = rows.filter((r) => r.mode === 'live');
  for (const panel of [...new Set(live.map((r) => String(r.panel ?? r.backend)))]) {
    const mine = live.filter((r) => String(r.panel ?? r.backend) === panel);
    if (new Set(mine.map((r) => r.dirty_rate_pages_s)).size < 2) continue;
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
    if (parts.length > 0) out.push(`${panel}: live migration stops converging (under half the trials succeed) ${parts.join('; ')}.`);
  }
  return out;
}

export function comparisonSentence(c: Comparison): string {
  const saves = c.hl_shift < 0;
  const amount = formatMetric(c.metric, Math.abs(c.hl_shift));
  const ci = `95 % CI ${formatMetric(c.metric, Math.abs(saves ? c.hl_hi : c.hl_lo))}–${formatMetric(c.metric, Math.abs(saves ? c.hl_lo : c.hl_hi))}`;
  const what = c.metric.replace(/_ms$/, '');
  return (
    `${c.mode_a} ${saves ? 'saves' : 'costs'} ${amount} of ${what} ${saves ? 'over' : 'more than'} ${c.mode_b} ` +
    `(median ${formatMetric(c.metric, c.median_a)} vs ${formatMetric(c.metric, c.median_b)}; Hodges–Lehmann shift, ${ci}; ` +
    `Cliff's δ ${c.cliffs_delta.toFixed(2)}; rank-sum p ${formatPValue(c.p_holm ?? c.p_value)}${c.p_holm !== undefined ? ', Holm' : ''})`
  );
}

export function successSentence(groups: readonly GroupStats[]): string {
  return groups.map((m) => `${m.mode} ${formatShare(m.success_rate)} [${formatShare(m.success_lo)}, ${formatShare(m.success_hi)}]`).join('; ');
}

/** Live vs cold when both ran, else the first pair measured. */
export function headPair(cs: readonly Comparison[]): Comparison[] {
  const head = cs.filter((c) => c.mode_a === 'live' && c.mode_b === 'cold');
  return head.length > 0 ? head : cs.filter((c) => c.mode_a === cs[0]?.mode_a && c.mode_b === cs[0]?.mode_b);
}

export function headlines(data: ReportData): string[] {
  const out: string[] = [];
  const label = sourceLabeller(data);
  const sources = [...new Set(data.modes.map((m) => label(m)))];
  const strata = new Set(data.byAxes.map((g) => JSON.stringify(g.axes))).size;
  const folded = data.strata.folded.length > 0 ? ` (pooled over ${data.strata.folded.join(', ')})` : '';
  for (const source of sources) {
    const mine = data.modes.filter((m) => label(m) === source);
    if (data.strata.by.length === 0) {
      out.push(`${source}: success rate per mode${folded} — ${successSentence(mine)}.`);
      for (const c of headPair(data.comparisons.filter((x) => label(x) === source))) out.push(`${source}: ${comparisonSentence(c)}.`);
    } else if (strata <= MAX_STRATA_SENTENCES * Math.max(1, sources.length)) {
      out.push(...stratumSentences(data, source, label));
    } else {
      out.push(...effectSentences(data, source, label));
    }
  }
  if (data.strata.by.length > 0 && strata <= MAX_STRATA_SENTENCES * Math.max(1, sources.length) && data.comparisonsByAxes.length > 0) out.push(STRATUM_NOTE);
  out.push(...convergenceSentences(data.figures.find((f) => f.id === 'convergence')?.rows ?? []));
  return out;
}
