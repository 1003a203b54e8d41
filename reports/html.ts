/**
 * `themis report <db>`: one self-contained HTML file — summary tables, figures (vega, vega-lite and
 * vega-embed inlined, data inlined and already aggregated in SQL), one sentence per figure, and the
 * campaigns' specs and provenance at the end. A Content-Security-Policy forbids any network access, so
 * the file reads the same on a laptop in a plane. Written atomically (temp file + rename).
 */
import { writeFileAtomic } from './atomic.js';
import { formatCount } from './format.js';
import { campaignsComparedSection, COMPARE_FIGURE_IDS, figureBlock } from './html/compare.js';
import { campaignSection, comparisonTable, failureTable, groupTable } from './html/tables.js';
import { escapeHtml, jsonForScript, scriptForInline } from './html/escape.js';
import { browserLibraries } from './html/libraries.js';
import { headlines } from './headline.js';
import { strataNote } from './analysis/strata.js';
import { gatherReportData, type ReportData } from './report-data.js';
import { openReportSource, validateAxes } from './source.js';

export interface HtmlReportOptions {
  db: string;
  out: string;
  by?: string[];
  campaignId?: string;
}

export const STYLE = `
body { font-family: 'DejaVu Sans', system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.meta { color: #666; font-size: .9rem; }
ul.headline li { margin: .3rem 0; }
table.stats { border-collapse: collapse; font-size: .8rem; margin: .6rem 0; max-width: 100%; }
table.stats th, table.stats td { padding: .25rem .45rem; border-bottom: 1px solid #eee; }
table.stats th { white-space: normal; vertical-align: bottom; max-width: 9rem; }
table.stats td { white-space: nowrap; } table.stats td.wrap { white-space: normal; min-width: 9rem; max-width: 13rem; } table.stats td .ci { display: block; }
table.stats th { background: #f6f6f6; text-align: left; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ci { color: #888; font-size: .75rem; }
figure { margin: 1.2rem 0 2rem; } figcaption { color: #444; max-width: 60rem; margin-top: .4rem; }
.fig { overflow-x: auto; }
pre.spec { background: #f8f8f8; padding: .6rem; font-size: .8rem; overflow-x: auto; }
dl { display: grid; grid-template-columns: 8rem 1fr; gap: .1rem .8rem; font-size: .9rem; } dt { color: #666; }
`;

export const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:";

/** Renders every figure with vega-embed (SVG renderer) and exposes the outcome for tests and for readers. */
export const BOOT = `
(function () {
  var figures = JSON.parse(document.getElementById('themis-figures').textContent);
  window.themisRendered = Promise.all(figures.map(function (f) {
    return vegaEmbed('#fig-' + f.id, f.spec, { renderer: 'svg', actions: false }).then(function () { return f.id; });
  })).then(function (ids) { document.body.setAttribute('data-rendered', ids.length); return ids; },
    function (e) { document.body.setAttribute('data-render-error', String(e)); throw e; });
})();`;

export function renderHtml(data: ReportData): string {
  const names = [...new Set(data.campaigns.map((c) => c.name))].join(', ') || 'no campaign';
  const libs = browserLibraries();
  const figureBlocks = data.figures
    .filter((f) => !COMPARE_FIGURE_IDS.includes(f.id))
    .map(figureBlock)
    .join('\n');
  const byTable =
    data.by.length > 0
      ? `<h2>By ${data.by.map(escapeHtml).join(', ')}</h2>
<p>The same statistics for every combination of ${data.by.map(escapeHtml).join(', ')} (continuous values binned; the bin's lower edge is shown).</p>
${groupTable('by-axes', data.byAxes, data.by)}`
      : '';
  return `<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Themis report — ${escapeHtml(names)}</title>
<style>${STYLE}</style>
</head><body>
<h1>Themis report — ${escapeHtml(names)}</h1>
<p class="meta">${escapeHtml(data.db)} · generated ${escapeHtml(data.generated_at)} · ${data.campaigns.length} campaign(s) ·
${formatCount(data.modes.reduce((s, g) => s + g.trials, 0))} trials · ${libs.map((l) => `${l.name} ${l.version}`).join(', ')}</p>

<h2>In short</h2>
<ul class="headline">${headlines(data).map((h) => `<li>${escapeHtml(h)}</li>`).join('\n')}</ul>
<p class="meta" id="strata-note">${escapeHtml(strataNote(data.strata))}</p>

<h2>Per mode</h2>
<p>${data.strata.by.length > 0 || data.strata.folded.length > 0 ? `Pooled over ${escapeHtml([...new Set([...data.strata.by, ...data.strata.folded])].join(', '))} — the breakdown below keeps them apart. ` : ''}Success rate with its Wilson 95 % interval; durations and bytes over succeeded trials, each median and p95 followed by its 95 % interval
(seeded bootstrap for groups up to a few thousand trials, order-statistic interval beyond — hover a cell to see which).</p>
${groupTable('modes', data.modes, [])}
${byTable}

<h2>Mode against mode</h2>
<p>Shift is the Hodges–Lehmann estimate of how much larger mode a is than mode b (negative: a saves that much), with Moses' interval;
Cliff's δ is P(a &gt; b) − P(a &lt; b); p is the two-sided Wilcoxon rank-sum (Mann–Whitney) test with tie correction, over all succeeded trials;
"p, Holm" adjusts it for the many comparisons of the same table (Holm's step-down method, family-wise 5 %: read a comparison as
significant when its Holm p is below 0.05). p-values below 1e-16 print as "&lt; 1e-16".</p>
${comparisonTable(data.comparisons)}
${data.comparisonsByAxes.length > 0 ? `<h3>${escapeHtml(`${data.comparisonsByAxes[0].mode_a} vs ${data.comparisonsByAxes[0].mode_b}`)} by ${data.by.map(escapeHtml).join(', ')}</h3>
<p>The same comparison within every combination of ${data.by.map(escapeHtml).join(', ')}: where the saving is large, and where it vanishes.</p>
${comparisonTable(data.comparisonsByAxes, data.by, 'comparisons-by-axes')}` : ''}

<h2>Failures</h2>
${failureTable(data.failures)}

<h2>Figures</h2>
${figureBlocks || '<p>No trial succeeded or kept details: nothing to draw.</p>'}

${campaignsComparedSection(data.campaignsCompared, data.figures)}

<h2>Campaigns: spec and provenance</h2>
${campaignSection(data.campaigns)}

${libs.map((l) => `<script>/* ${l.name} ${l.version} */\n${scriptForInline(l.code)}</script>`).join('\n')}
<script type="application/json" id="themis-figures">${jsonForScript(data.figures.map((f) => ({ id: f.id, spec: f.spec })))}</script>
<script>${BOOT}</script>
</body></html>
`;
}

export async function writeHtmlReport(opts: HtmlReportOptions): Promise<void> {
  const by = validateAxes(opts.by);
  const src = await openReportSource(opts.db, opts.campaignId);
  try {
    const data = await gatherReportData(src.con, opts.db, by);
    writeFileAtomic(opts.out, renderHtml(data));
  } finally {
    src.close();
  }
}
