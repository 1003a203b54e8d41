/**
 * The report's tables as HTML. Every numeric cell carries its exact value in `data-value` and its column
 * in `data-col`, so a test (or a curious reader with devtools) can hold the page against the SQL answers.
 */
import type { Comparison } from '../analysis/comparisons.js';
import type { FailureRow } from '../analysis/failures.js';
import { METRICS, type GroupStats, type MetricStats } from '../analysis/groups.js';
import type { CampaignInfo } from '../report-data.js';
import { formatCount, formatMetric, formatPValue, formatShare, formatSigned } from '../format.js';
import { escapeHtml } from './escape.js';

export type Cell = { text: string; col?: string; value?: number | string | null; cls?: string; title?: string };

export function td(c: Cell): string {
  const attrs = [
    c.col ? ` data-col="${escapeHtml(c.col)}"` : '',
    c.value !== undefined && c.value !== null ? ` data-value="${escapeHtml(String(c.value))}"` : '',
    c.cls ? ` class="${c.cls}"` : '',
    c.title ? ` title="${escapeHtml(c.title)}"` : '',
  ].join('');
  return `<td${attrs}>${c.text}</td>`;
}

export function table(id: string, head: string[], rows: { key: string; cells: Cell[] }[]): string {
  // Headers may wrap after an underscore (downtime_<wbr>ms) instead of inside a word.
  const thead = `<thead><tr>${head.map((h) => `<th>${escapeHtml(h).replaceAll('_', '_<wbr>')}</th>`).join('')}</tr></thead>`;
  const body = rows.map((r) => `<tr data-key="${escapeHtml(r.key)}">${r.cells.map(td).join('')}</tr>`).join('\n');
  return `<table class="stats" data-table="${id}">${thead}<tbody>\n${body}\n</tbody></table>`;
}

export const ci = (metric: string, lo: number | null, hi: number | null) =>
  lo === null || hi === null ? '' : ` <span class="ci">[${formatMetric(metric, lo)}, ${formatMetric(metric, hi)}]</span>`;

function metricCells(metric: string, s: MetricStats): Cell[] {
  const method = s.ci_method === 'none' ? '' : `95 % interval: ${s.ci_method}`;
  return [
    { text: formatMetric(metric, s.p50) + ci(metric, s.p50_lo, s.p50_hi), col: `${metric}.p50`, value: s.p50, cls: 'num', title: method },
    { text: formatMetric(metric, s.p95) + ci(metric, s.p95_lo, s.p95_hi), col: `${metric}.p95`, value: s.p95, cls: 'num', title: method },
    { text: formatMetric(metric, s.max), col: `${metric}.max`, value: s.max, cls: 'num' },
  ];
}

export function groupKey(g: GroupStats, axes: readonly string[]): string {
  return [g.backend, g.mode, ...axes.map((a) => String(g.axes[a]))].join('/');
}

/** A table longer than this is cut (the notebook and `themis sql` have the rest): a report must stay readable. */
export const MAX_TABLE_ROWS = 600;

function capped(rows: string, total: number, colspan: number): string {
  if (total <= MAX_TABLE_ROWS) return rows;
  return rows.replace('</tbody>', `<tr><td colspan="${colspan}">… ${total - MAX_TABLE_ROWS} more groups not shown</td></tr></tbody>`);
}

/**
 * Metrics per column group: a table of every metric would be 2,400 px wide, so the per-mode table comes in two.
 * The TCP stall sits beside the outage, shown only when some group measured it, and only its median (with its
 * interval): three more columns would push the table past a 1400 px page.
 */
export const METRIC_GROUPS: (readonly (typeof METRICS)[number][])[] = [['downtime_ms', 'outage_ms', 'tcp_stall_ms'], ['total_ms', 'transferred_bytes']];

const OPTIONAL_METRICS: readonly (typeof METRICS)[number][] = ['tcp_stall_ms'];

export function groupTable(id: string, groups: readonly GroupStats[], axes: readonly string[]): string {
  const shown = groups.slice(0, MAX_TABLE_ROWS);
  const identity = (g: GroupStats): Cell[] => [
    { text: escapeHtml(g.backend) },
    { text: escapeHtml(g.mode) },
    ...axes.map((a) => ({ text: escapeHtml(String(g.axes[a])) })),
  ];
  const shownMetric = (m: (typeof METRICS)[number]): boolean => !OPTIONAL_METRICS.includes(m) || groups.some((g) => g.metrics[m].n > 0);
  return METRIC_GROUPS.map((all, i) => {
    const metrics = all.filter(shownMetric);
    const head = [
      'backend', 'mode', ...axes, ...(i === 0 ? ['n', 'succeeded', 'success rate [95 % Wilson]'] : []),
      ...metrics.flatMap((m) => (OPTIONAL_METRICS.includes(m) ? [`${m} median`] : [`${m} median`, `${m} p95`, `${m} max`])),
    ];
    const rows = shown.map((g) => ({
      key: groupKey(g, axes),
      cells: [
        ...identity(g),
        ...(i === 0
          ? [
              { text: formatCount(g.trials), col: 'trials', value: g.trials, cls: 'num' },
              { text: formatCount(g.succeeded), col: 'succeeded', value: g.succeeded, cls: 'num' },
              {
                text: `${formatShare(g.success_rate)} <span class="ci">[${formatShare(g.success_lo)}, ${formatShare(g.success_hi)}]</span>`,
                col: 'success_rate', value: g.success_rate, cls: 'num',
              },
            ]
          : []),
        ...metrics.flatMap((m) => (OPTIONAL_METRICS.includes(m) ? metricCells(m, g.metrics[m]).slice(0, 1) : metricCells(m, g.metrics[m]))),
      ],
    }));
    return capped(table(id, head, rows), groups.length, head.length);
  }).join('\n');
}

export function comparisonTable(all: readonly Comparison[], axes: readonly string[] = [], id = 'comparisons'): string {
  if (all.length === 0) return '<p>Only one mode ran per backend (or none succeeded): nothing to compare.</p>';
  const comparisons = all.slice(0, MAX_TABLE_ROWS);
  const head = ['backend', ...axes, 'a vs b', 'metric', 'n a / b', 'median a / b', 'shift a − b [95 % CI]', "Cliff's δ [95 % CI]", 'rank-sum p', 'p, Holm'];
  const rows = comparisons.map((c) => ({
    key: [c.backend, ...axes.map((a) => String(c.axes[a])), c.mode_a, c.mode_b, c.metric].join('/'),
    cells: [
      { text: escapeHtml(c.backend) },
      ...axes.map((a) => ({ text: escapeHtml(String(c.axes[a])) })),
      { text: `${escapeHtml(c.mode_a)} vs ${escapeHtml(c.mode_b)}` },
      { text: escapeHtml(c.metric) },
      { text: `${formatCount(c.n_a)} / ${formatCount(c.n_b)}`, cls: 'num' },
      { text: `${formatMetric(c.metric, c.median_a)} / ${formatMetric(c.metric, c.median_b)}`, col: 'median_a', value: c.median_a, cls: 'num' },
      {
        text: `${formatSigned(c.metric, c.hl_shift)} <span class="ci">[${formatSigned(c.metric, c.hl_lo)}, ${formatSigned(c.metric, c.hl_hi)}]</span>`,
        col: 'hl_shift', value: c.hl_shift, cls: 'num',
        title: `Hodges–Lehmann on ${c.hl_sample_a} / ${c.hl_sample_b} sampled trials`,
      },
      {
        text: `${c.cliffs_delta.toFixed(3)} <span class="ci">[${c.cliffs_lo.toFixed(3)}, ${c.cliffs_hi.toFixed(3)}]</span>`,
        col: 'cliffs_delta', value: c.cliffs_delta, cls: 'num',
      },
      { text: formatPValue(c.p_value), col: 'p_value', value: c.p_value, cls: 'num' },
      { text: formatPValue(c.p_holm ?? c.p_value), col: 'p_holm', value: c.p_holm ?? c.p_value, cls: 'num' },
    ],
  }));
  return capped(table(id, head, rows), all.length, head.length);
}

export function failureTable(failures: readonly FailureRow[]): string {
  if (failures.length === 0) return '<p>No trial failed.</p>';
  const rows = failures.map((f) => ({
    key: `${f.backend}/${f.mode}/${f.failure_reason}`,
    cells: [
      { text: escapeHtml(f.backend) },
      { text: escapeHtml(f.mode) },
      { text: escapeHtml(f.failure_reason) },
      { text: formatCount(f.trials), col: 'trials', value: f.trials, cls: 'num' },
      { text: formatShare(f.share), col: 'share', value: f.share, cls: 'num' },
    ],
  }));
  return table('failures', ['backend', 'mode', 'failure_reason', 'trials', 'share of the mode\'s trials'], rows);
}

export function campaignSection(campaigns: readonly CampaignInfo[]): string {
  return campaigns
    .map(
      (c) => `<section class="campaign" data-campaign="${escapeHtml(c.campaign_id)}">
<h3>${escapeHtml(c.name)} <small>${escapeHtml(c.campaign_id)}</small></h3>
<dl>
<dt>backend</dt><dd>${escapeHtml(c.backend)}</dd>
<dt>status</dt><dd>${escapeHtml(c.status)} — ${formatCount(c.stored_trials)} of ${formatCount(c.planned_trials)} planned trials stored${c.shard ? `, shard ${escapeHtml(c.shard)}` : ''}</dd>
<dt>ran</dt><dd>${escapeHtml(c.started_at)} → ${escapeHtml(c.finished_at ?? 'unfinished')} on ${escapeHtml(c.host)}, Themis ${escapeHtml(c.themis_version)}</dd>
<dt>spec</dt><dd>${escapeHtml(c.spec_path ?? '(inline)')}, sha256 <code>${escapeHtml(c.spec_sha256)}</code></dd>
</dl>
<pre class="spec">${escapeHtml(c.spec_yaml)}</pre>
</section>`,
    )
    .join('\n');
}
