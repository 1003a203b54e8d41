/**
 * `themis check`'s warnings about a sweep for a real backend that sets parameters the backend ignores
 * (backends/registry.ts ignoredParametersOf): one line per parameter, naming it, the backend and where the
 * sweep file sets it. A parameter counts when some point of the plan gives it a value other than its default
 * — what each trial then records in `detail.ignored_parameters`. Warnings only: the sweep stays valid.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { buildPlan } from '../../core/plan/plan.js';
import { defaultParameters, type TrialParameters } from '../../core/spec/parameters.js';
import type { CampaignSpec } from '../../core/spec/sweep.js';
import { ignoredParametersOf } from '../../backends/registry.js';

export interface IgnoredParameterWarning {
  parameter: string;
  backend: string;
  /** Where the sweep file sets it (its first mention), when it names it itself */
  where: { path: string; line: number; column: number } | null;
  /** In how many points it is set away from its default and ignored, and in how many set and honoured (a network design may use it on some points only) */
  points_ignored: number;
  points_honoured: number;
}

/** The parameters a sweep sets that its backend ignores, in the order they appear in the file. */
export function ignoredParameterWarnings(spec: CampaignSpec): IgnoredParameterWarning[] {
  const backend = spec.sweep.backend;
  const ignored = ignoredParametersOf(backend);
  if (!ignored) return [];
  const defaults = defaultParameters();
  const counts = new Map<string, number>();
  const points = buildPlan(spec.sweep).points;
  for (const point of points) for (const k of ignored(point.params, defaults)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const where = parameterKeys(spec.source_yaml);
  const honoured = (k: string) =>
    points.filter((pt) => pt.params[k as keyof TrialParameters] !== defaults[k as keyof TrialParameters] && !ignored(pt.params, defaults).includes(k)).length;
  return [...counts]
    .map(([parameter, n]) => ({ parameter, backend, where: where.get(parameter) ?? null, points_ignored: n, points_honoured: honoured(parameter) }))
    .sort((a, b) => (a.where?.line ?? Infinity) - (b.where?.line ?? Infinity) || a.parameter.localeCompare(b.parameter));
}

export function formatIgnoredParameterWarning(w: IgnoredParameterWarning, file: string): string {
  const at = w.where ? `${file}:${w.where.line}:${w.where.column}: ${w.where.path}` : file;
  const some = w.points_honoured > 0 ? ` in ${w.points_ignored} of the ${w.points_ignored + w.points_honoured} points that set it` : '';
  return `${at}: warning: the ${w.backend} backend ignores '${w.parameter}'${some} (its trials record it in detail.ignored_parameters)`;
}

/** Prints the warnings on stderr; returns how many there were. */
export function warnIgnoredParameters(spec: CampaignSpec, write: (line: string) => void = (l) => process.stderr.write(l)): number {
  const warnings = ignoredParameterWarnings(spec);
  for (const w of warnings) write(`${formatIgnoredParameterWarning(w, spec.source_path)}\n`);
  return warnings.length;
}

/** Every parameter key the sweep text names (fixed parameters and axes), with its first position. */
function parameterKeys(text: string): Map<string, { path: string; line: number; column: number }> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const out = new Map<string, { path: string; line: number; column: number }>();
  const keysOf = (node: unknown, path: string): void => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const name = String(pair.key.value);
      if (out.has(name)) continue;
      const { line, col } = lines.linePos((pair.key as Node).range?.[0] ?? 0);
      out.set(name, { path: `${path}.${name}`, line, column: col });
    }
  };
  const get = (node: unknown, key: string): unknown => (isMap(node) ? node.get(key, true) : undefined);
  keysOf(get(doc.contents, 'parameters'), 'parameters');
  const axes = get(doc.contents, 'axes');
  if (isSeq(axes)) {
    axes.items.forEach((axis, i) => {
      keysOf(get(axis, 'grid'), `axes[${i}].grid`);
      keysOf(get(axis, 'zip'), `axes[${i}].zip`);
      keysOf(get(get(axis, 'random'), 'ranges'), `axes[${i}].random.ranges`);
      const list = get(axis, 'list');
      if (isSeq(list)) list.items.forEach((point, j) => keysOf(point, `axes[${i}].list[${j}]`));
    });
  }
  return out;
}
