/**
 * `themis validate --html FILE`: the validation as a section of a self-contained HTML page — the error table per
 * mode and per axis value, the convergence table, the worst points and the scatter figures — with the report's
 * style, Content-Security-Policy and inlined vega libraries (reports/html.ts), so it reads offline too.
 */
import { BOOT, CSP, STYLE } from '../html.js';
import { escapeHtml, jsonForScript, scriptForInline } from '../html/escape.js';
import { browserLibraries } from '../html/libraries.js';
import { table, type Cell } from '../html/tables.js';
import { formatMetric } from '../format.js';
import type { ErrorView, ValidationView } from './data.js';
import { validationFigures, type ValidationFigure } from './figures.js';

const pct = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)} %`);
const shareOf = (n: number, of: number): number | null => (of === 0 ? null : (100 * n) / of);

function errorCells(metrics: readonly string[], errors: Readonly<Record<string, ErrorView>>): Cell[] {
  return metrics.flatMap((m) => [
    { text: pct(errors[m].p50), col: `${m}.p50`, value: errors[m].p50, cls: 'num', title: `${errors[m].compared} trials compared` },
    { text: pct(errors[m].p90), col: `${m}.p90`, value: errors[m].p90, cls: 'num' },
  ]);
}

function modeTable(v: ValidationView): string {
  const head = ['mode', 'trials', 'compared', ...v.metrics.flatMap((m) => [`${m} |error| p50`, `${m} p90`]), 'rounds exact', 'rounds ±1', 'convergence agrees'];
  const rows = v.modes.map((m) => {
    const c = m.convergence;
    const agree = shareOf(c.real_yes_sim_yes + c.real_no_sim_no, m.trials);
    const exact = shareOf(m.rounds.exact, m.rounds.compared);
    const within = shareOf(m.rounds.within_one, m.rounds.compared);
    return {
      key: m.mode,
      cells: [
        { text: escapeHtml(m.mode) },
        { text: String(m.trials), col: 'trials', value: m.trials, cls: 'num' },
        { text: String(m.both_converged), col: 'compared', value: m.both_converged, cls: 'num' },
        ...errorCells(v.metrics, m.errors),
        { text: pct(exact), col: 'rounds.exact', value: exact, cls: 'num' },
        { text: pct(within), col: 'rounds.within_one', value: within, cls: 'num' },
        { text: pct(agree), col: 'convergence.agree', value: agree, cls: 'num' },
      ],
    };
  });
  return table('validation-modes', head, rows);
}

function convergenceTable(v: ValidationView): string {
  const head = ['mode', 'real converged, simulated converged', 'real converged, simulated not', 'real not, simulated converged', 'real not, simulated not'];
  const rows = v.modes.map((m) => ({
    key: m.mode,
    cells: [
      { text: escapeHtml(m.mode) },
      ...(['real_yes_sim_yes', 'real_yes_sim_no', 'real_no_sim_yes', 'real_no_sim_no'] as const).map((k) => ({
        text: String(m.convergence[k]), col: k, value: m.convergence[k], cls: 'num',
      })),
    ],
  }));
  return table('validation-convergence', head, rows);
}

function axisTable(v: ValidationView): string {
  if (v.axes.length === 0) return '<p>The real campaign varies no parameter besides the mode.</p>';
  const head = ['axis', 'value', 'compared', ...v.metrics.flatMap((m) => [`${m} |error| p50`, `${m} p90`])];
  const rows = v.byAxis.map((a) => ({
    key: `${a.axis}/${String(a.value)}`,
    cells: [{ text: escapeHtml(a.axis) }, { text: escapeHtml(String(a.value)) }, { text: String(a.trials), cls: 'num' }, ...errorCells(v.metrics, a.errors)],
  }));
  return table('validation-axes', head, rows);
}

function worstTable(v: ValidationView): string {
  if (v.worst.length === 0) return '<p>No trial converged on both sides.</p>';
  const head = ['mode', ...v.axes, 'metric', 'real (median)', 'simulated', 'error'];
  const rows = v.worst.map((w) => ({
    key: [w.mode, ...v.axes.map((a) => String(w.axes[a])), w.metric].join('/'),
    cells: [
      { text: escapeHtml(w.mode) },
      ...v.axes.map((a) => ({ text: escapeHtml(String(w.axes[a])) })),
      { text: escapeHtml(w.metric) },
      { text: formatMetric(w.metric, w.real), col: 'real', value: w.real, cls: 'num' },
      { text: formatMetric(w.metric, w.sim), col: 'simulated', value: w.sim, cls: 'num' },
      { text: Number.isFinite(w.error_pct) ? `${w.error_pct > 0 ? '+' : ''}${w.error_pct.toFixed(1)} %` : 'undefined', col: 'error_pct', value: w.error_pct, cls: 'num' },
    ],
  }));
  return table('validation-worst', head, rows);
}

const figureHtml = (f: ValidationFigure) =>
  `<figure><div class="fig" id="fig-${escapeHtml(f.id)}"></div><figcaption><b>${escapeHtml(f.title)}.</b> ${escapeHtml(f.caption)}</figcaption></figure>`;

/** The section itself: its tables and the figure placeholders (the page's script renders them). */
export function validationSection(v: ValidationView, figures: readonly ValidationFigure[]): string {
  const all = v.modes[v.modes.length - 1];
  const faults = all.postcopy_faults;
  return `<section id="validation">
<h2>Simulator against real</h2>
<p>Every real trial of ${escapeHtml(v.real.campaign_id)} (${escapeHtml(v.real.backend)}, ${v.real.trials} trials, ${v.real.points} points, ${escapeHtml(v.real.input)})
is paired with the point of ${escapeHtml(v.sweep.path)} that has the same parameters; that point ran ${v.sweep.repetitions} simulated repetitions and
its median is the prediction. The error of a trial is |simulated − real| / real; the figures are over the trials that converged on both sides.</p>
${modeTable(v)}
<h3>Convergence</h3>
<p>A real trial converged when it succeeded; its simulated point converged when at least half its repetitions succeeded.</p>
${convergenceTable(v)}
<p>postcopy_faults: ${faults.compared} trials compared (a value on both sides)${faults.compared > 0 ? `, within a factor of 2 in ${pct(shareOf(faults.within_factor_2, faults.compared))}` : ''};
tcp_stall_ms: ${all.errors.tcp_stall_ms?.compared ?? 0} trials compared.</p>
<h3>By axis</h3>
${axisTable(v)}
<h3>Worst points</h3>
${worstTable(v)}
${v.notes.length > 0 ? `<ul class="notes">${v.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<h3>Figures</h3>
${figures.map(figureHtml).join('\n')}
</section>`;
}

export function validationHtml(v: ValidationView): string {
  const figures = validationFigures(v);
  const libs = browserLibraries();
  const title = `Themis validation — ${v.sweep.name} against ${v.real.campaign_id}`;
  return `<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
${validationSection(v, figures)}
${libs.map((l) => `<script>/* ${l.name} ${l.version} */\n${scriptForInline(l.code)}</script>`).join('\n')}
<script type="application/json" id="themis-figures">${jsonForScript(figures.map((f) => ({ id: f.id, spec: f.spec })))}</script>
<script>${BOOT}</script>
</body></html>
`;
}
