/**
 * `themis calibrate`'s answer as tables: the guest and host facts learnt (a qemu campaign), then per mode and
 * timeline part, real vs simulated and the fitted overhead.
 */
import { OVERHEAD_OF_PART } from '../../calibration/fit.js';
import type { Calibration } from '../../calibration/calibrate.js';
import type { TimelineParts } from '../../calibration/timeline-medians.js';
import { alignTable, formatMs } from '../../reports/summary.js';

const PARTS = Object.keys(OVERHEAD_OF_PART) as (keyof TimelineParts)[];

export function formatCalibration(c: Calibration): string {
  const header = ['mode', 'part', 'real p50', 'simulated p50', 'overhead', 'calibrated p50', 'residual'];
  const rows: string[][] = [];
  for (const m of c.modes) {
    for (const part of PARTS) {
      rows.push([
        m.mode,
        `${part.replace('_ms', '')}${m.real ? '' : ' (no real trials)'}`,
        formatMs(m.real ? m.real[part] : null),
        formatMs(m.uncalibrated[part]),
        `${OVERHEAD_OF_PART[part].replace('orchestrator_', '')}=${m.overheads[OVERHEAD_OF_PART[part]]}`,
        formatMs(m.calibrated[part]),
        formatMs(m.residual ? m.residual[part] : null),
      ]);
    }
  }
  const title = `calibrated against ${c.real.campaign_id} (${c.real.backend}); ms, medians over succeeded trials with probe gaps`;
  const notes = c.modes
    .filter((m) => m.real && m.real.points > 1)
    .map((m) => `note: ${m.mode}: the real campaign has ${m.real!.points} points in this mode; one set of overheads fits their pooled medians`);
  return `${[...factLines(c), title, alignTable(header, rows, header.map((_, i) => i >= 2 && i !== 4)), ...notes].join('\n')}\n`;
}

function factLines(c: Calibration): string[] {
  if (c.facts.length === 0) return [];
  const header = ['parameter', 'learnt', 'trials', 'from', 'p50', 'p10', 'p90'];
  const num = (v: number) => String(Number(v.toPrecision(4)));
  const rows = c.facts.map((f) => [f.parameter, String(f.value), String(f.trials), f.figure, num(f.median), num(f.p10), num(f.p90)]);
  return [
    `guest and host facts learnt from ${c.real.campaign_id} (QEMU's query-migrate figures per trial)`,
    alignTable(header, rows, header.map((_, i) => i === 1 || i === 2 || i >= 4)),
    ...c.facts.map((f) => `  ${f.parameter}: ${f.note}`),
    '',
  ];
}
