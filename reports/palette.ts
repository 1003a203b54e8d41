/**
 * One palette for every report, the notebook and the workbench: a mode, a phase, a backend or a timeline part
 * has the same colour wherever it is drawn. Colours are Tableau 10 (colour-blind tolerable, readable in print);
 * the probe gap — what users feel — is always red. Modes take their colour by the mode table's order
 * (core/modes.ts), so a new mode gets the next free colour without editing this file.
 */
import { MODES } from '../core/modes.js';

export const TABLEAU10 = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#eeca3b', '#9d755d', '#72b7b2', '#bab0ac', '#ff9da6', '#e45756'];
export const GAP_RED = '#e45756';

/** Mode colours in the mode table's order (live blue, cold orange; no yellow: too pale on white). */
const MODE_RANGE = ['#4c78a8', '#54a24b', '#b279a2', '#9d755d', '#f58518', '#72b7b2', '#ff9da6', '#bab0ac'];

/** Mode → colour, by the mode table's order. */
export const MODE_COLOURS: Record<string, string> = Object.fromEntries(MODES.map((m, i) => [m, MODE_RANGE[i % MODE_RANGE.length]]));

export const BACKEND_COLOURS: Record<string, string> = { simulator: '#4c78a8', qemu: '#f58518', opennebula: '#54a24b' };

/** Phases of `rounds` on every backend; anything else gets a grey. */
export const PHASE_COLOURS: Record<string, string> = {
  precopy: '#4c78a8', stopcopy: '#f58518', postcopy: '#54a24b', orchestrator: '#9d755d', save: '#b279a2', restore: '#ff9da6',
  shutdown: '#72b7b2', 'disk-copy': '#eeca3b', boot: '#bab0ac', agent: '#79706e', 'probe gap': GAP_RED,
};

/** The timeline's parts (core/store/timeline.ts labels, in order): before, outage, after. */
export const PART_COLOURS = ['#4c78a8', GAP_RED, '#54a24b'];

const FALLBACK = '#888888';

/** A Vega-Lite scale fixing each present value's colour: `domain` in the given order, `range` from `colours`. */
export function fixedScale(values: readonly string[], colours: Record<string, string>): { domain: string[]; range: string[] } {
  const domain = [...new Set(values)];
  return { domain, range: domain.map((v) => colours[v] ?? FALLBACK) };
}

/** Colours for values with no fixed colour of their own (campaigns): Tableau 10 in the given order. */
export function orderedScale(values: readonly string[]): { domain: string[]; range: string[] } {
  const domain = [...new Set(values)];
  return { domain, range: domain.map((_, i) => TABLEAU10[i % TABLEAU10.length]) };
}
