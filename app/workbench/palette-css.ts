/**
 * The reports' palette (reports/palette.ts) as CSS custom properties and classes, served as /palette.css, so a
 * mode, backend or phase has the same colour on the workbench page as in every report and notebook.
 */
import { BACKEND_COLOURS, MODE_COLOURS, PHASE_COLOURS } from '../../reports/palette.js';

const ident = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

function group(prefix: string, colours: Record<string, string>): string[] {
  return Object.entries(colours).map(([k, v]) => `--${prefix}-${ident(k)}: ${v};`);
}

/** `:root { --mode-live: #4c78a8; … }` and `.swatch.mode-live { --swatch: var(--mode-live) }` per value. */
export function paletteCss(): string {
  const groups = { mode: MODE_COLOURS, backend: BACKEND_COLOURS, phase: PHASE_COLOURS };
  const vars = Object.entries(groups).flatMap(([p, c]) => group(p, c));
  const classes = Object.entries(groups).flatMap(([p, c]) =>
    Object.keys(c).map((k) => `.swatch.${p}-${ident(k)} { --swatch: var(--${p}-${ident(k)}); }`),
  );
  return [
    '/* generated from reports/palette.ts (app/workbench/palette-css.ts): the reports\' colours */',
    `:root {\n  ${vars.join('\n  ')}\n}`,
    ...classes,
    '.swatch::before { content: ""; display: inline-block; width: .7em; height: .7em; margin-right: .35em; border-radius: 2px; background: var(--swatch, #888); vertical-align: baseline; }',
    '',
  ].join('\n');
}
