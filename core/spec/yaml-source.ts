/**
 * YAML text → a located document and its plain data, refusing what the `yaml` package would throw on or take
 * unbounded time over: an alias without its anchor (a ReferenceError in toJS), an alias bomb (capped by
 * maxAliasCount), and duplicate keys (checked here with a Set per map — the package's own uniqueKeys check
 * compares every key with every other, quadratic in a map's size). Problems are SpecErrors with line:column.
 */
import { isAlias, isMap, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { SpecError } from '../errors.js';
import type { Diagnostic } from './diagnostics.js';

/** Aliases resolved while converting to data; far above what a hand-written sweep uses, far below a bomb. */
export const MAX_ALIAS_COUNT = 1000;

export interface YamlSource {
  doc: Document;
  lines: LineCounter;
  data: unknown;
}

function at(file: string, lines: LineCounter, offset: number, message: string): Diagnostic {
  const { line, col } = lines.linePos(offset);
  return { file, line, column: col, path: '', message };
}

/** Aliases whose anchor is not defined before them, and keys repeated in one map. */
function structuralProblems(doc: Document, lines: LineCounter, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const anchors = new Set<string>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        if (!anchors.has(node.source)) {
          out.push(at(file, lines, node.range?.[0] ?? 0, `invalid YAML: alias '*${node.source}' has no anchor '&${node.source}' before it`));
        }
        return;
      }
      if ((node as Node).anchor) anchors.add((node as Node).anchor as string);
      if (!isMap(node)) return;
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) out.push(at(file, lines, pair.key.range?.[0] ?? 0, `invalid YAML: Map keys must be unique ('${key}' twice)`));
        seen.add(key);
      }
    },
  });
  return out;
}

export function readYaml(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SpecError(doc.errors.map((e) => at(file, lines, e.pos[0], `invalid YAML: ${e.message.split('\n')[0]}`)));
  }
  const problems = structuralProblems(doc, lines, file);
  if (problems.length > 0) throw new SpecError(problems);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    throw new SpecError([
      at(file, lines, 0, `invalid YAML: expected at most ${MAX_ALIAS_COUNT} resolved aliases; found more (an alias bomb?): ${err.message}`),
    ]);
  }
  return { doc, lines, data };
}
