/**
 * HTML of the section "Campaigns compared: where the time goes": the per-mode table of campaigns against the
 * reference, the settings that differ between them, and the stacked-parts figure. Numeric cells carry
 * `data-col` / `data-value` like every other table, so tests hold them against SQL.
 */
import type { CampaignsCompared } from '../analysis/campaigns-compared.js';
import { CAMPAIGN_METRICS, TIMELINE_PART_COLUMNS, type CampaignModeStats } from '../analysis/campaigns.js';
import type { ModeSettings } from '../analysis/settings.js';
import type { AxisValue, MetricStats } from '../analysis/groups.js';
import type { Figure } from '../charts/figure.js';
import { formatCount, formatMs, formatRatio, formatShare } from '../format.js';
import { escapeHtml } from './escape.js';
import { ci, table, type Cell } from './tables.js';

/** Figures shown inside this section rather than under "Figures". */
export const COMPARE_FIGURE_IDS = ['timeline-parts'];

const PART_HEADS: Record<string, string> = { before_ms: 'before', outage_ms: 'outage', after_ms: 'after' };

function medianCells(col: string, s: MetricStats, ratio: number | null, isReference: boolean): Cell[] {
  const method = s.ci_method === 'none' ? '' : `median of ${s.n} trials; 95 % interval: ${s.ci_method}`;
  return [
    { text: s.p50 === null ? '—' : formatMs(s.p50) + ci(col, s.p50_lo, s.p50_hi), col: `${col}.p50`, value: s.p50, cls: 'num', title: method },
    { text: isReference && ratio !== null ? '1 (ref.)' : formatRatio(ratio), col: `${col}.ratio`, value: ratio, cls: 'num' },
  ];
}

/** Two column groups (quantities, then the timeline's parts) so the table fits a 1400 px page. */
export function campaignsComparedTable(rows: readonly CampaignModeStats[]): string {
  const identity = (r: CampaignModeStats): Cell[] => [
    { text: escapeHtml(r.mode) },
    {
      text: `${escapeHtml(r.label)}${r.is_reference ? ' <strong>— reference</strong>' : ''}`,
      col: 'reference', value: r.is_reference ? 1 : 0, title: r.campaign_id, cls: 'wrap',
    },
  ];
  const first = table('campaigns-compared', [
    'mode', 'campaign', 'succeeded / n', 'success rate [95 % Wilson]',
    ...CAMPAIGN_METRICS.flatMap((m) => [`${m} median [95 % CI]`, '× ref.']),
  ], rows.map((r) => ({
    key: `${r.mode}/${r.campaign_id}`,
    cells: [
      ...identity(r),
      { text: `${formatCount(r.succeeded)} / ${formatCount(r.trials)}`, col: 'succeeded', value: r.succeeded, cls: 'num' },
      {
        text: `${formatShare(r.success_rate)} <span class="ci">[${formatShare(r.success_lo)}, ${formatShare(r.success_hi)}]</span>`,
        col: 'success_rate', value: r.success_rate, cls: 'num',
      },
      ...CAMPAIGN_METRICS.flatMap((m) => medianCells(m, r.metrics[m], r.metric_ratios[m], r.is_reference)),
    ],
  })));
  const second = table('campaigns-compared', [
    'mode', 'campaign', ...TIMELINE_PART_COLUMNS.flatMap((m) => [`${PART_HEADS[m]} median [95 % CI]`, '× ref.']), 'trials with a timeline',
  ], rows.map((r) => ({
    key: `${r.mode}/${r.campaign_id}`,
    cells: [
      ...identity(r),
      ...TIMELINE_PART_COLUMNS.flatMap((m) => medianCells(`part.${m}`, r.parts[m], r.part_ratios[m], r.is_reference)),
      { text: formatCount(r.timeline_trials), col: 'timeline_trials', value: r.timeline_trials, cls: 'num' },
    ],
  })));
  return `${first}\n<p>Where the time goes, per campaign: the timeline's parts.</p>\n${second}`;
}

/** At most this many distinct values are printed per campaign; a random axis has thousands. */
export const MAX_VALUES_SHOWN = 8;

export function formatValues(values: readonly AxisValue[]): string {
  const shown = values.slice(0, MAX_VALUES_SHOWN).map((v) => (v === null ? 'NULL' : String(v)));
  return values.length > MAX_VALUES_SHOWN ? `${shown.join(', ')}, … (${values.length} distinct)` : shown.join(', ');
}

function settingsBlock(s: ModeSettings): string {
  if (s.differences.length === 0) {
    return `<p data-settings-mode="${escapeHtml(s.mode)}"><strong>${escapeHtml(s.mode)}</strong>: every parameter had the same values in the ${s.campaigns.length} compared campaigns.</p>`;
  }
  const head = ['parameter', ...s.campaigns.map((c, i) => (i === 0 ? `${c.label} (reference)` : c.label))];
  const rows = s.differences.map((d) => ({
    key: `${s.mode}/${d.parameter}`,
    cells: [
      { text: escapeHtml(d.parameter) },
      ...d.values.map((v, i) => ({ text: escapeHtml(formatValues(v)), col: s.campaigns[i].campaign_id, value: JSON.stringify(v) })),
    ],
  }));
  return `<h4>${escapeHtml(s.mode)}: ${s.differences.length} setting(s) differ</h4>\n${table(`settings-${s.mode}`, head, rows)}`;
}

export function figureBlock(f: Figure): string {
  return `<figure id="figure-${f.id}">
<h3>${escapeHtml(f.title)}</h3>
<div class="fig" id="fig-${f.id}"></div>
<figcaption>${escapeHtml(f.caption)}</figcaption>
</figure>`;
}

/** The whole section; '' when no mode was measured by two campaigns. */
export function campaignsComparedSection(compared: CampaignsCompared | null, figures: readonly Figure[]): string {
  if (compared === null) return '';
  const refs = [...new Map(compared.rows.filter((r) => r.is_reference).map((r) => [r.mode, r.label])).entries()];
  const refText = refs.map(([mode, label]) => `${escapeHtml(mode)}: ${escapeHtml(label)}`).join('; ');
  const figure = figures.filter((f) => COMPARE_FIGURE_IDS.includes(f.id)).map(figureBlock).join('\n');
  return `<h2 id="campaigns-compared">Campaigns compared: where the time goes</h2>
<p>Every mode measured by two or more campaigns, one row per campaign. Medians over succeeded trials, each with its 95 % interval,
and its ratio to the reference campaign's median of the same mode. The reference is the real measurement — an <code>opennebula</code>
campaign if there is one, else a <code>qemu</code> one, else the first by name — here ${refText}.
Before / outage / after split each succeeded trial at its longest probe gap: request → outage start (orchestration, pre-copy; the VM
still runs at its source), the outage, then outage end → the backend called it done (e.g. OpenNebula's monitoring).
They cover the trials whose probe gaps were stored; medians of parts need not add up to the median total.</p>
${campaignsComparedTable(compared.rows)}
<h3>Settings that differ</h3>
<p>Parameter columns whose values differ between the compared campaigns of a mode, with each campaign's distinct values. Parameters a
real backend ignores (a simulator's overheads, say) are listed too: whether a difference explains a ratio is the reader's call.</p>
${compared.settings.map(settingsBlock).join('\n')}
${figure}`;
}
