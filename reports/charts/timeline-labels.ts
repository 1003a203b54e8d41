/**
 * Names for the timeline's event ticks: a label lane under the events, two staggered lines, each label a short
 * name ('paused', 'resumed', 'announce'). Labels are placed in time order on the first line where they do not
 * touch the previous one; one that fits on neither line is left out (its tick and tooltip remain), so labels
 * never overlap however many events a trial has (announce rounds come every 100 ms).
 */
import type { Row } from './figure.js';

export const LABEL_LANE = 'event names';
/** Lines of the label lane; a label goes on the first line that has room. */
const LINES = 2;
/** Width of one character of the 9 px label font, px (DejaVu Sans averages ~5.5; rounded up so estimates err wide). */
const CHAR_PX = 6.5;
/** Space kept between two labels on one line, px. */
const GAP_PX = 6;

/** Short names of the engine's event kinds (core/results/recorder.ts and the backends). */
const SHORT: Record<string, string> = {
  'migration-requested': 'request',
  'migration-started': 'start',
  'migration-completed': 'done',
  'migration-cancelled': 'cancelled',
  'vm-paused': 'paused',
  'vm-resumed': 'resumed',
  'vm-resumed-at-source': 'back at source',
  'vm-lost': 'VM lost',
  'postcopy-started': 'post-copy',
  'postcopy-completed': 'post-copy done',
  'throttle-changed': 'throttle',
  'network-reconverged': 'reconverged',
  'running-at-destination': 'running',
  'heard-at-destination': 'heard',
  'shutdown-started': 'shutdown',
  'boot-started': 'boot',
  'guest-booted': 'booted',
  'disk-copy-started': 'disk copy',
  'agent-ready': 'agent',
  'link-failure': 'link failure',
};

/** The label of an event kind: its short name, or the kind itself without dashes. */
export function shortEventName(kind: string): string {
  return SHORT[kind] ?? kind.replace(/[-_]/g, ' ');
}

/** Estimated width of a label in px. */
export const labelWidthPx = (text: string) => text.length * CHAR_PX;

/**
 * The rows with each event (lane 'events') given its label: `label`, `line` (0 or 1) and `align`, or no line when
 * its name is left out. Rows are annotated, not added, so the figure's data stays the SQL's rows (the notebook
 * compares them). Placement is per trial, for a panel `widthPx` wide whose x scale spans exactly the trial's rows
 * from 0 (the figure's x scales are independent per trial, not niced). Each label is centred on its tick unless
 * that sticks out of the panel.
 */
export function labelEvents(rows: readonly Row[], widthPx: number): Row[] {
  const placed = new Map<Row, Row>();
  for (const trial of new Set(rows.map((r) => String(r.trial)))) {
    const mine = rows.filter((r) => String(r.trial) === trial);
    const times = mine.flatMap((r) => [Number(r.start_ms), Number(r.end_ms)]).filter(Number.isFinite);
    const lo = Math.min(0, ...times);
    const span = Math.max(...times) - lo || 1;
    const ends: number[] = new Array<number>(LINES).fill(Number.NEGATIVE_INFINITY);
    const events = mine.filter((r) => r.lane === 'events').sort((a, b) => Number(a.start_ms) - Number(b.start_ms));
    for (const e of events) {
      const label = shortEventName(String(e.what));
      const centre = ((Number(e.start_ms) - lo) / span) * widthPx;
      const half = labelWidthPx(label) / 2;
      // A label that would stick out of the panel starts (or ends) at its tick instead (the spec's align).
      const align = centre - half < 0 ? 'left' : centre + half > widthPx ? 'right' : 'center';
      const left = align === 'left' ? centre : align === 'right' ? centre - 2 * half : centre - half;
      const line = ends.findIndex((end) => left >= end + GAP_PX);
      if (line < 0) continue;
      ends[line] = left + 2 * half;
      placed.set(e, { ...e, label, line, align });
    }
  }
  return rows.map((r) => placed.get(r) ?? r);
}
