/**
 * `themis validate <simulator sweep> --against <real data>`: the error table on stdout, optional bounds that make
 * it exit EXIT_THRESHOLDS_EXCEEDED (4; 1 is an internal error), and the same figures as an HTML page.
 */
import type { Command } from 'commander';
import { ERROR_METRICS } from '../../calibration/validate/outcomes.js';
import type { ErrorStats, ModeFigures } from '../../calibration/validate/statistics.js';
import { parseThresholds, type Threshold } from '../../calibration/validate/thresholds.js';
import type { Validation } from '../../calibration/validate/validate.js';
import { writeFileAtomic } from '../../reports/atomic.js';
import { formatMetric } from '../../reports/format.js';
import { alignTable } from '../../reports/summary.js';
import { EXIT_THRESHOLDS_EXCEEDED } from './exit.js';
import { checkOutputPath } from './output-path.js';

const SHORT: Record<(typeof ERROR_METRICS)[number], string> = { total_ms: 'total', transferred_bytes: 'bytes', downtime_ms: 'downtime', outage_ms: 'outage' };

const pct = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}%`);
const share = (n: number, of: number) => (of === 0 ? '-' : `${((100 * n) / of).toFixed(0)}%`);

function errorTable(modes: readonly ModeFigures[]): string {
  const header = ['mode', 'trials', 'compared', ...ERROR_METRICS.flatMap((m) => [`${SHORT[m]} p50`, `${SHORT[m]} p90`]), 'rounds =', 'rounds ±1'];
  const rows = modes.map((f) => [
    f.mode,
    String(f.trials),
    String(f.both_converged),
    ...ERROR_METRICS.flatMap((m) => [pct(f.errors[m].p50), pct(f.errors[m].p90)]),
    share(f.rounds.exact, f.rounds.compared),
    share(f.rounds.within_one, f.rounds.compared),
  ]);
  return alignTable(header, rows, header.map((_, i) => i > 0));
}

function convergenceTable(modes: readonly ModeFigures[]): string {
  const header = ['mode', 'real ok/sim ok', 'real ok/sim not', 'real not/sim ok', 'real not/sim not', 'agree'];
  const rows = modes.map((f) => {
    const c = f.convergence;
    return [f.mode, ...[c.real_yes_sim_yes, c.real_yes_sim_no, c.real_no_sim_yes, c.real_no_sim_no].map(String), share(c.real_yes_sim_yes + c.real_no_sim_no, f.trials)];
  });
  const all = modes[modes.length - 1].convergence;
  const grid = alignTable(
    ['all modes', 'simulated converged', 'simulated not'],
    [
      ['real converged', String(all.real_yes_sim_yes), String(all.real_yes_sim_no)],
      ['real not converged', String(all.real_no_sim_yes), String(all.real_no_sim_no)],
    ],
    [false, true, true],
  );
  return `${alignTable(header, rows, header.map((_, i) => i > 0))}\n\n${grid}`;
}

function newerOutcomes(all: ModeFigures): string[] {
  const f = all.postcopy_faults;
  const faults =
    f.compared === 0
      ? 'postcopy_faults: 0 trials compared (a value on both sides is needed): nothing to say'
      : `postcopy_faults: ${f.compared} trials compared: within a factor of 2 in ${share(f.within_factor_2, f.compared)}; ` +
        `median real ${f.real_p50}, simulated ${f.sim_p50}`;
  const s: ErrorStats = all.errors.tcp_stall_ms;
  const stall =
    s.compared === 0
      ? 'tcp_stall_ms: 0 trials compared (a value on both sides is needed): nothing to say'
      : `tcp_stall_ms: ${s.compared} trials compared: |error| median ${pct(s.p50)}, p90 ${pct(s.p90)}`;
  return [faults, stall];
}

function worstTable(v: Validation): string {
  if (v.worst.length === 0) return 'worst points: none (no trial converged on both sides)';
  const header = ['mode', ...v.axes, 'metric', 'real', 'simulated', 'error'];
  const rows = v.worst.map((w) => [
    w.mode, ...v.axes.map((a) => String(w.axes[a])), w.metric, formatMetric(w.metric, w.real), formatMetric(w.metric, w.sim),
    Number.isFinite(w.error_pct) ? `${w.error_pct > 0 ? '+' : ''}${w.error_pct.toFixed(1)}%` : 'undefined',
  ]);
  const numeric = header.map((h, i) => i > v.axes.length + 1);
  return `worst points (the median of a point's real trials against its simulated value; each point's worst metric):\n${alignTable(header, rows, numeric)}`;
}

export function formatValidation(v: Validation): string {
  const all = v.modes[v.modes.length - 1];
  const lines = [
    `validated ${v.sweep.path} (simulator: ${v.sweep.simulated_points} points × ${v.sweep.repetitions} repetitions) against ` +
      `${v.real.campaign_id} (${v.real.backend}: ${v.real.trials} trials, ${v.real.points} points) in ${v.real.input}`,
    `error = |simulated − real| / real of each real trial against its point's simulated median; p50/p90 over the ` +
      `trials that converged on both sides (compared); rounds = exact, ±1 within one`,
    '',
    errorTable(v.modes),
    '',
    'convergence (real trial succeeded × its simulated point succeeded in at least half its repetitions):',
    convergenceTable(v.modes),
    '',
    ...newerOutcomes(all),
    '',
    worstTable(v),
    ...(v.notes.length > 0 ? ['', ...v.notes.map((n) => `note: ${n}`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

interface ValidateCliOptions {
  against: string;
  campaign?: string;
  maxError?: Threshold[];
  html?: string;
  notebook?: string;
}

export function addValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'How far the simulator is from real migrations: pairs every real trial with the simulator sweep\'s point of the same ' +
        `parameters and prints the errors per mode (docs/fidelity.md); exit ${EXIT_THRESHOLDS_EXCEEDED} when a --max-error bound is exceeded`,
    )
    .argument('<sweep>', "simulator sweep with the real setup's settings (it supplies the parameters the real rows lack)")
    .requiredOption('--against <db>', 'DuckDB file, dataset folder or dataset root holding the real campaign')
    .option('--campaign <id>', 'the real campaign (default: the only non-simulator campaign)')
    .option(
      '--max-error <bounds>',
      `bounds on the median |error|, e.g. total_ms=10%,downtime_ms=25% (live.downtime_ms=25%: one mode); exceeded → exit ${EXIT_THRESHOLDS_EXCEEDED}`,
      parseThresholds,
    )
    .option('--html <file>', 'also write the figures as an HTML page (scatter of simulated against real, errors per mode and axis)')
    .option('--notebook <file>', 'also write a Jupyter notebook: the paired trials as Parquet next to it, the SQL that recomputes the table, the scatters')
    .action(async (sweep: string, o: ValidateCliOptions) => {
      const { validate } = await import('../../calibration/validate/validate.js');
      const { checkThresholds } = await import('../../calibration/validate/thresholds.js');
      if (o.html) checkOutputPath('--html', o.html);
      if (o.notebook) checkOutputPath('--notebook', o.notebook);
      const v = await validate({ sweepPath: sweep, against: o.against, campaignId: o.campaign });
      process.stdout.write(formatValidation(v));
      if (o.html) {
        const { validationHtml } = await import('../../reports/validation/page.js');
        writeFileAtomic(o.html, validationHtml(v));
        process.stdout.write(`html: ${o.html}\n`);
      }
      if (o.notebook) {
        const { writeValidationNotebook } = await import('../../reports/validation/notebook.js');
        await writeValidationNotebook(v, o.notebook);
        process.stdout.write(`notebook: ${o.notebook}\n`);
      }
      const results = checkThresholds(o.maxError ?? [], v.modes);
      if (results.length > 0) process.stdout.write(`\n${results.map((r) => r.line).join('\n')}\n`);
      const failed = results.filter((r) => !r.ok);
      if (failed.length > 0) {
        process.stderr.write(`${failed.map((r) => `error: ${r.line}`).join('\n')}\n`);
        process.exitCode = EXIT_THRESHOLDS_EXCEEDED;
      }
    });
}
