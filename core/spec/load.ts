/**
 * Reads a sweep file: YAML → plain data → zod → typed SweepSpec, plus the checks zod cannot express
 * (axis values against the parameter they set, zip lengths, random ranges). Every problem becomes a
 * Diagnostic with file, line:column and field path; all are reported at once.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import { z } from 'zod';
import { PARAMETER_NAMES, trialParametersSchema, type ParameterName } from './parameters.js';
import { sweepSchema, type CampaignSpec, type SweepSpec } from './sweep.js';
import { formatPath, describeFound, type Diagnostic, type PathSegment } from './diagnostics.js';
import { SpecError } from '../errors.js';
import { didYouMean, issueMessages, type IssueMessage } from './zod-issues.js';
import { readYaml } from './yaml-source.js';
import { planSizeProblem } from '../plan/size.js';

interface Located {
  doc: Document;
  lines: LineCounter;
  file: string;
}

/** Each map's pairs by key, built once per map: finding a key stays O(1) with 50,000 keys in one map. */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    pairIndex.set(map, index);
  }
  return index.get(key);
}

/** Line and column of the value at `path` (or of the key name itself when `key` is set). */
function positionOf(loc: Located, path: readonly PathSegment[], key?: string): { line: number; column: number } {
  let node: unknown = loc.doc.contents;
  let offset = (loc.doc.contents as Node | null)?.range?.[0] ?? 0;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairOf(node as YAMLMap, String(seg));
      if (!pair) {
        node = undefined;
        return;
      }
      const keyNode = pair.key as Node;
      const valueNode = pair.value as Node | null;
      if (last && key !== undefined) offset = keyNode.range?.[0] ?? offset;
      else offset = valueNode?.range?.[0] ?? keyNode.range?.[0] ?? offset;
      node = valueNode;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      node = undefined;
    }
  });
  const { line, col } = loc.lines.linePos(offset);
  return { line, column: col };
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column;
}

function diagnostic(loc: Located, m: IssueMessage): Diagnostic {
  const { line, column } = positionOf(loc, m.path, m.key);
  return { file: loc.file, line, column, path: formatPath(m.path), message: m.message };
}

const paramSchema = (name: ParameterName): z.ZodType => trialParametersSchema.shape[name] as z.ZodType;

/** Checks one axis value against the parameter it sets. */
function checkParameterValue(name: string, value: unknown, path: PathSegment[], out: IssueMessage[]): void {
  if (!(PARAMETER_NAMES as string[]).includes(name)) {
    out.push({ path, key: name, message: `unknown parameter '${name}'${didYouMean(name, PARAMETER_NAMES)}` });
    return;
  }
  const r = paramSchema(name as ParameterName).safeParse(value);
  if (!r.success) out.push(...issueMessages(paramSchema(name as ParameterName), r.error.issues, value).map((m) => ({ ...m, path: [...path, ...m.path] })));
}

/** What zod's structural check cannot see: values against their parameter, zip lengths, random ranges. */
function checkAxes(sweep: SweepSpec): IssueMessage[] {
  const out: IssueMessage[] = [];
  sweep.axes.forEach((axis, a) => {
    if ('grid' in axis || 'zip' in axis) {
      const kind = 'grid' in axis ? 'grid' : 'zip';
      const entries = Object.entries('grid' in axis ? axis.grid : axis.zip);
      if (entries.length === 0) out.push({ path: ['axes', a, kind], message: `expected at least one parameter; found an empty map` });
      for (const [name, values] of entries) {
        if (!(PARAMETER_NAMES as string[]).includes(name)) {
          checkParameterValue(name, undefined, ['axes', a, kind, name], out);
          continue;
        }
        values.forEach((v, i) => checkParameterValue(name, v, ['axes', a, kind, name, i], out));
      }
      if (kind === 'zip' && entries.length > 1) {
        const [firstName, firstValues] = entries[0];
        for (const [name, values] of entries.slice(1)) {
          if (values.length !== firstValues.length) {
            out.push({
              path: ['axes', a, 'zip', name],
              message: `expected ${firstValues.length} values (as many as '${firstName}'); found ${values.length}`,
            });
          }
        }
      }
    } else if ('list' in axis) {
      axis.list.forEach((point, i) => {
        for (const [name, v] of Object.entries(point)) {
          checkParameterValue(name, v, ['axes', a, 'list', i, name], out);
        }
      });
    } else {
      for (const [name, range] of Object.entries(axis.random.ranges)) {
        const path: PathSegment[] = ['axes', a, 'random', 'ranges', name];
        if (!(PARAMETER_NAMES as string[]).includes(name)) {
          checkParameterValue(name, undefined, path, out);
          continue;
        }
        if ('choice' in range) {
          range.choice.forEach((v, i) => checkParameterValue(name, v, [...path, 'choice', i], out));
          continue;
        }
        if (!(range.min < range.max)) out.push({ path: [...path, 'max'], message: `expected a number > min (${range.min}); found ${range.max}` });
        if (range.scale === 'log' && range.min <= 0) out.push({ path: [...path, 'min'], message: `expected a number > 0 for a log scale; found ${range.min}` });
        checkParameterValue(name, range.min, [...path, 'min'], out);
        checkParameterValue(name, range.max, [...path, 'max'], out);
      }
    }
  });
  return out;
}

/** Problems listed at most; the rest are counted in one last line. */
const MAX_DIAGNOSTICS = 50;

function specError(loc: Located, messages: IssueMessage[]): SpecError {
  const all = messages.map((m) => diagnostic(loc, m)).sort(byPosition);
  if (all.length <= MAX_DIAGNOSTICS) return new SpecError(all);
  const shown = all.slice(0, MAX_DIAGNOSTICS);
  const last = shown[shown.length - 1];
  return new SpecError([...shown, { ...last, path: '', message: `… and ${all.length - MAX_DIAGNOSTICS} more problems` }]);
}

/** Validates sweep text; throws SpecError listing every problem. */
export function parseSweep(text: string, file: string): SweepSpec {
  const { doc, lines, data } = readYaml(text, file);
  const loc: Located = { doc, lines, file };
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    throw new SpecError([{ file, line: 1, column: 1, path: '', message: `expected a map of sweep settings; found ${describeFound(data)}` }]);
  }
  const parsed = sweepSchema.safeParse(data);
  if (!parsed.success) throw specError(loc, issueMessages(sweepSchema, parsed.error.issues, data));
  // Before anything is built or checked value by value: a 10⁹-trial plan is refused by arithmetic.
  const tooBig = planSizeProblem(parsed.data);
  if (tooBig) {
    const field = parsed.data.axes.length > 0 ? 'axes' : 'repetitions';
    throw specError(loc, [{ path: [field], key: field, message: tooBig }]);
  }
  const more = checkAxes(parsed.data);
  if (more.length > 0) throw specError(loc, more);
  if (parsed.data.backend === 'opennebula' && !parsed.data.opennebula) {
    throw new SpecError([diagnostic(loc, { path: ['backend'], message: "expected an 'opennebula' section (themis_user, ssh…) for backend opennebula; found none" })]);
  }
  return parsed.data;
}

/** Validates sweep text read from (or standing for) `file` into a campaign spec: the sweep, its text and the text's hash. */
export function campaignSpecFromText(text: string, file: string): CampaignSpec {
  const sweep = parseSweep(text, file);
  return { sweep, source_yaml: text, source_sha256: createHash('sha256').update(text).digest('hex'), source_path: file };
}

/** Sweep files are hand-written: 10 MiB is far above any real one and keeps a check within seconds. */
export const MAX_SWEEP_BYTES = 10 * 1024 * 1024;

/** Reads and validates a sweep file into a campaign spec. */
export function loadSweepFile(file: string): CampaignSpec {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_SWEEP_BYTES) {
      throw new SpecError([{ file, line: 0, column: 0, path: '', message: `expected a sweep file of at most ${MAX_SWEEP_BYTES} bytes; found ${size}` }]);
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof SpecError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new SpecError([{ file, line: 0, column: 0, path: '', message: `cannot read the sweep file: ${reason}` }]);
  }
  return campaignSpecFromText(text, file);
}
