/**
 * Writes the calibrated sweep: the user's simulator sweep, unchanged except that `mode` and the three
 * orchestrator overheads move into one `zip` axis (each mode with its own overheads) and the guest and host facts
 * learnt (calibration/guest-facts.ts) are set in `parameters`, each with a comment giving the real figure it came
 * from, so the file stays theirs — comments, other axes, store and repetitions — and is a normal sweep for `themis run`.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { UsageError } from '../core/errors.js';
import { NO_OVERHEADS, type Overheads } from './fit.js';

const MOVED = ['mode', ...Object.keys(NO_OVERHEADS)];
const CALIBRATED_ON = 'orchestrator overheads calibrated on ';

export interface CalibratedSweep {
  name: string;
  /** Comment lines for the top of the file (without '#') */
  header: readonly string[];
  /** The real campaign's id, named at the end of the description (replacing an earlier calibration's) */
  calibratedOn: string;
  /** Per mode, in the order the zip axis lists them */
  overheads: ReadonlyMap<string, Overheads>;
  /** Parameters set to a learnt value, with the comment written next to each */
  facts?: readonly { parameter: string; value: number; comment: string }[];
}

export function calibratedSweepText(source: string, file: string, out: CalibratedSweep): string {
  const doc = parseDocument(source);
  doc.set('name', out.name);
  removeFromParameters(doc);
  const learnt = (out.facts ?? []).map((f) => f.parameter);
  const axes = removeFromAxes(doc, file, learnt);
  setFacts(doc, out.facts ?? []);
  const modes = [...out.overheads.keys()];
  const zip: Record<string, (string | number)[]> = { mode: modes };
  for (const key of Object.keys(NO_OVERHEADS) as (keyof Overheads)[]) zip[key] = modes.map((m) => out.overheads.get(m)![key]);
  const axis = doc.createNode({ zip });
  for (const item of (axis.get('zip') as YAMLMap).items) (item.value as YAMLSeq).flow = true;
  axes.items.unshift(axis);

  replaceLeadingComment(doc, out.header);
  const description = doc.get('description');
  const kept = typeof description === 'string' ? description.replace(new RegExp(`(; )?${CALIBRATED_ON}\\S+$`), '') : '';
  doc.set('description', `${kept ? `${kept}; ` : ''}${CALIBRATED_ON}${out.calibratedOn}`);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * The source's opening comment described the uncalibrated sweep; the calibrated file opens with how it was
 * made instead, keeping only the editor's schema line. (yaml attaches that comment to the document or, after a
 * blank-free start, to the first key.)
 */
function replaceLeadingComment(doc: Document, header: readonly string[]): void {
  const first = isMap(doc.contents) ? doc.contents.items[0]?.key : undefined;
  const firstKey = isScalar(first) ? first : undefined;
  const leading = [doc.commentBefore ?? '', firstKey?.commentBefore ?? ''].join('\n');
  const schemaLine = leading.split('\n').find((l) => l.trim().startsWith('yaml-language-server:'));
  if (firstKey) firstKey.commentBefore = undefined;
  doc.commentBefore = [...(schemaLine ? [schemaLine] : []), ...header.map((l) => ` ${l}`)].join('\n');
}

/** Throws the UsageError calibratedSweepText would, before any work is done (`facts`: the parameters to be learnt). */
export function checkCalibratable(source: string, file: string, facts: readonly string[] = []): void {
  removeFromAxes(parseDocument(source), file, facts);
}

/** Each learnt fact into `parameters` (replacing the user's value there), the real figure as its line's comment. */
function setFacts(doc: Document, facts: NonNullable<CalibratedSweep['facts']>): void {
  if (facts.length === 0) return;
  let params = doc.get('parameters');
  if (!isMap(params)) {
    params = doc.createNode({});
    doc.set('parameters', params);
  }
  for (const f of facts) {
    const node = doc.createNode(f.value) as Scalar;
    node.comment = f.comment;
    (params as YAMLMap).set(f.parameter, node);
  }
}

function removeFromParameters(doc: Document): void {
  const params = doc.get('parameters');
  if (!isMap(params)) return;
  for (const key of MOVED) params.delete(key);
  if (params.items.length === 0) doc.delete('parameters');
}

/**
 * Drops mode and the overheads from grid axes, and a zip of nothing else (a calibrated sweep calibrated again);
 * elsewhere they cannot be separated from their companions.
 */
function removeFromAxes(doc: Document, file: string, facts: readonly string[]): YAMLSeq {
  let axes = doc.get('axes');
  if (!isSeq(axes)) {
    axes = doc.createNode([]) as YAMLSeq;
    doc.set('axes', axes);
  }
  const seq = axes as YAMLSeq;
  seq.items = seq.items.filter((item, i) => {
    if (!isMap(item)) return true;
    const kind = item.items[0]?.key;
    const kindName = isScalar(kind) ? String(kind.value) : '';
    const body = item.get(kindName);
    if (kindName === 'grid' && isMap(body)) {
      for (const key of [...MOVED, ...facts]) body.delete(key);
      return body.items.length > 0;
    }
    const keys = setKeys(kindName === 'random' && isMap(body) ? body.get('ranges') : body);
    // an earlier calibration's own zip axis: replaced by this one
    if (kindName === 'zip' && [...keys].every((k) => MOVED.includes(k))) return false;
    const clash = MOVED.find((k) => keys.has(k));
    if (clash) {
      throw new UsageError(
        `${file}: axes[${i}].${kindName} sets ${clash}; calibrate gives every mode its own overheads in a zip axis, ` +
          `so it needs mode and the orchestrator overheads in 'parameters' or in a grid axis`,
      );
    }
    const fact = facts.find((k) => keys.has(k));
    if (fact) {
      throw new UsageError(
        `${file}: axes[${i}].${kindName} sets ${fact}; calibrate learns it from the real campaign and sets it in 'parameters', ` +
          `so it may only be in 'parameters' or in a grid axis`,
      );
    }
    return true;
  });
  return seq;
}

/** Parameter names an axis body sets (zip, random's ranges: their keys; list: every point's keys). */
function setKeys(body: unknown): Set<string> {
  const keys = new Set<string>();
  const collect = (m: YAMLMap) => m.items.forEach((p) => isScalar(p.key) && keys.add(String(p.key.value)));
  if (isMap(body)) collect(body);
  if (isSeq(body)) body.items.forEach((x) => isMap(x) && collect(x));
  return keys;
}
