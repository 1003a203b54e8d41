/**
 * nbformat 4.5 cells and outputs, built as data. Outputs are filled in by Themis (not by a kernel) so the
 * notebook reads without running; its code re-creates them when it does run.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../html/escape.js';
import { alignTable } from '../summary.js';

export interface Output {
  output_type: 'execute_result' | 'display_data';
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  execution_count?: number;
}

export interface Cell {
  cell_type: 'markdown' | 'code';
  id: string;
  metadata: Record<string, unknown>;
  source: string[];
  execution_count?: number | null;
  outputs?: Output[];
}

/** nbformat wants source as lines that keep their newline, except the last. */
export function sourceLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)).filter((l, i, a) => !(i === a.length - 1 && l === ''));
}

/** Stable cell ids (nbformat ≥ 4.5 requires them): a hash of the cell's position and kind. */
function cellId(kind: string, index: number): string {
  return createHash('sha256').update(`${kind}:${index}`).digest('hex').slice(0, 12);
}

export class CellList {
  readonly cells: Cell[] = [];
  private executionCount = 0;

  markdown(text: string): void {
    this.cells.push({ cell_type: 'markdown', id: cellId('md', this.cells.length), metadata: {}, source: sourceLines(text) });
  }

  code(text: string, outputs: Omit<Output, 'execution_count'>[], metadata: Record<string, unknown> = {}): void {
    const n = ++this.executionCount;
    this.cells.push({
      cell_type: 'code', id: cellId('code', this.cells.length), metadata, source: sourceLines(text), execution_count: n,
      outputs: outputs.map((o) => (o.output_type === 'execute_result' ? { ...o, execution_count: n } : o)),
    });
  }
}

type Value = string | number | boolean | null;

function cellText(v: Value): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString();
  return String(v);
}

/** A table result as pandas would show it: text/plain and text/html, at most `limit` rows. */
export function tableOutput(rows: Record<string, Value>[], limit = 30): Omit<Output, 'execution_count'> {
  const cols = rows.length > 0 ? Object.keys(rows[0]) : [];
  const shown = rows.slice(0, limit);
  const more = rows.length > limit ? `\n… ${rows.length - limit} more rows (${rows.length} in all)` : '';
  const numeric = cols.map((c) => shown.every((r) => r[c] === null || typeof r[c] === 'number'));
  const text = alignTable(cols, shown.map((r) => cols.map((c) => cellText(r[c]))), numeric) + more;
  const html =
    `<table class="dataframe"><thead><tr>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>` +
    shown.map((r) => `<tr>${cols.map((c) => `<td>${escapeHtml(cellText(r[c]))}</td>`).join('')}</tr>`).join('') +
    `</tbody></table>${more ? `<p>${escapeHtml(more.trim())}</p>` : ''}`;
  return { output_type: 'execute_result', data: { 'text/plain': sourceLines(text), 'text/html': sourceLines(html) }, metadata: {} };
}

/**
 * A chart's output: the Vega-Lite spec (JupyterLab, VS Code), a static SVG (GitHub, nbviewer and anything
 * that cannot run vega) and a line of text.
 */
export function vegaLiteOutput(spec: Record<string, unknown>, svg?: string): Omit<Output, 'execution_count'> {
  return {
    output_type: 'execute_result',
    data: {
      'application/vnd.vegalite.v5+json': spec,
      ...(svg ? { 'image/svg+xml': sourceLines(svg) } : {}),
      'text/plain': [`<Altair chart: ${String(spec.title ?? 'figure')}>`],
    },
    metadata: {},
  };
}

/**
 * Python raw triple-quoted literal; refuses text that would end it early. A final newline keeps a text that
 * ends in a quote (a quoted SQL identifier) from merging into the closing quotes.
 */
export function pyRaw(text: string): string {
  if (text.includes('"""') || text.endsWith('\\')) throw new Error('text cannot be embedded in a raw Python string');
  return `r"""${text}\n"""`;
}
