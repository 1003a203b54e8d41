/**
 * What a figure must keep apart, as SQL and encodings: the **source** (the backend, or the campaign when two
 * campaigns share a backend — never merged) and the **panel** (the varied axes the figure does not draw on its
 * own axes, e.g. `auto_converge` for the convergence map). Axes that would make too many panels are pooled,
 * and the figure's caption says so.
 */
import type { Strata } from '../analysis/strata.js';
import { CAMPAIGN_AXIS } from '../analysis/strata.js';
import { BACKEND_COLOURS, MODE_COLOURS, fixedScale, orderedScale } from '../palette.js';
import { parameterTextSql } from '../../core/store/schema.js';
import { sqlIdent, sqlString } from '../source.js';
import { modeSort, type Row } from './figure.js';

/** Panels one figure may have before further axes are pooled. */
export const MAX_PANELS = 12;

export interface ChartContext {
  strata: Strata;
  /** SQL giving the source of a trial row: `backend`, or `campaign_id` when campaigns are kept apart. */
  source: string;
}

export function chartContext(strata: Strata): ChartContext {
  return { strata, source: strata.perCampaign ? 'campaign_id' : 'backend' };
}

export interface Facets {
  /** Axes split into panels, in the breakdown's order. */
  axes: string[];
  /** Breakdown axes (and folded varied axes) this figure pools over. */
  pooled: string[];
}

/** The breakdown's axes minus those the figure draws itself, as many as fit in `maxPanels` panels. */
export function facetAxes(ctx: ChartContext, drawn: readonly string[], maxPanels = MAX_PANELS): Facets {
  const axes: string[] = [];
  const pooled: string[] = [...ctx.strata.folded.filter((a) => !drawn.includes(a))];
  let panels = 1;
  for (const a of ctx.strata.by.filter((x) => x !== CAMPAIGN_AXIS && !drawn.includes(x))) {
    const n = ctx.strata.distinct[a] ?? 1;
    if (n <= 1) continue;
    if (panels * n <= maxPanels) {
      axes.push(a);
      panels *= n;
    } else pooled.push(a);
  }
  return { axes, pooled };
}

/** `'auto_converge=true · network=l2-announce'`; `'all trials'` when there is no axis. */
export function panelSql(axes: readonly string[]): string {
  if (axes.length === 0) return `'all trials'`;
  return `concat_ws(' · ', ${axes.map((a) => `${sqlString(`${a}=`)} || coalesce(${parameterTextSql(a, sqlIdent(a))}, 'NULL')`).join(', ')})`;
}

/** The sentence a caption gets when the figure pools over varied axes. */
export function pooledNote(f: Facets): string {
  return f.pooled.length === 0 ? '' : ` Pooled over ${f.pooled.join(', ')} (too many values to draw apart here; see the tables).`;
}

/** Colour: by source when there are several (with a legend), else by mode without one (the axis names the mode). */
export function sourceOrModeColour(rows: Row[]): Record<string, unknown> {
  const sources = [...new Set(rows.map((r) => String(r.source)))];
  if (sources.length > 1) {
    const backends = sources.every((s) => s in BACKEND_COLOURS);
    return { field: 'source', type: 'nominal', title: backends ? 'backend' : 'campaign', scale: backends ? fixedScale(sources, BACKEND_COLOURS) : orderedScale(sources), legend: { orient: 'bottom', labelLimit: 400 } };
  }
  return { field: 'mode', type: 'nominal', scale: fixedScale(modeSort(rows), MODE_COLOURS), legend: null };
}

/** An xOffset by source only when there are several sources. */
export function sourceOffset(rows: Row[]): Record<string, unknown> {
  return new Set(rows.map((r) => r.source)).size > 1 ? { xOffset: { field: 'source', type: 'nominal' } } : {};
}

/** A facet row over panels only when there are several. */
export function panelRow(rows: Row[]): Record<string, unknown> | null {
  const panels = [...new Set(rows.map((r) => String(r.panel)))];
  return panels.length > 1 ? { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 400 } } : null;
}
