/**
 * Turns zod issues into "expected … found …" messages with "did you mean" hints for unknown keys.
 * Union failures (e.g. an axis that is neither grid, zip, list nor random) are resolved to the branch the
 * user most plausibly meant, so the message talks about their mistake, not about four alternatives.
 */
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { describeFound, type PathSegment } from './diagnostics.js';

type Issue = z.core.$ZodIssue;

export interface IssueMessage {
  path: PathSegment[];
  /** When set, the position of this key's name (an unknown key) rather than of the value at `path`. */
  key?: string;
  message: string;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** The schema in force at `path`, unwrapping defaults and optionals; undefined when not statically known. */
export function schemaAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return undefined;
    if (s instanceof z.ZodObject) s = unwrap(s.shape[seg as string] as z.ZodType | undefined);
    else if (s instanceof z.ZodArray) s = unwrap(s.element as z.ZodType);
    else if (s instanceof z.ZodRecord) s = unwrap(s._zod.def.valueType as z.ZodType);
    else return undefined;
  }
  return s;
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  // A name without its unit suffix (dirty_rate → dirty_rate_pages_s) is the commonest slip.
  const prefixed = candidates.filter((c) => c.startsWith(word));
  if (prefixed.length === 1) return ` — did you mean '${prefixed[0]}'?`;
  const best = closest(word, candidates as string[]);
  // Only suggest what is plausibly a typo or a missing unit suffix.
  const plausible = distance(word, best) <= Math.max(2, Math.floor(best.length / 3)) || best.startsWith(word);
  return plausible ? ` — did you mean '${best}'?` : '';
}

/** Unknown keys of one map that get a "did you mean" hint. */
const HINTED_KEYS = 100;

function allowedList(allowed: readonly string[]): string {
  if (allowed.length === 0) return '';
  return allowed.length <= 12 ? ` (allowed: ${allowed.join(', ')})` : " (all keys: 'themis schema')";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  record: 'a map',
  object: 'a map',
  array: 'a list',
};

/** What the issue expected, in words. */
function expected(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? issue.expected;
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return `at least ${plural(min, 'item')}`;
      if (issue.origin === 'string') return `at least ${plural(min, 'character')}`;
      return `a number ${issue.inclusive ? '≥' : '>'} ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return `at most ${plural(max, 'item')}`;
      if (issue.origin === 'string') return `at most ${plural(max, 'character')}`;
      return `a number ${issue.inclusive ? '≤' : '<'} ${max}`;
    }
    case 'invalid_format':
      return issue.message;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

function branchScore(branch: readonly Issue[], root: unknown, path: readonly PathSegment[]): number {
  // Unknown keys and missing required keys at the branch root mean "not this branch"; anything deeper means
  // the user chose this branch and got a detail wrong.
  let score = 0;
  for (const i of branch) {
    const missing =
      i.code === 'invalid_type' && i.path.length === 1 && valueAt(root, [...path, ...(i.path as PathSegment[])]) === undefined;
    score += i.code === 'unrecognized_keys' || missing ? 10 : 1;
  }
  return score;
}

/** Messages for zod's issues against `root` (the YAML as plain data), resolving unions and unknown keys. */
export function issueMessages(schema: z.ZodType, issues: readonly Issue[], root: unknown, base: PathSegment[] = []): IssueMessage[] {
  const out: IssueMessage[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      const s = schemaAt(schema, path);
      const allowed = s instanceof z.ZodObject ? Object.keys(s.shape) : [];
      issue.keys.forEach((key, i) => {
        // Only the first problems are shown (load.ts): hints for 50,000 unknown keys would be wasted time.
        const hint = i < HINTED_KEYS ? `${didYouMean(key, allowed)}${allowedList(allowed)}` : '';
        out.push({ path: [...path, key], key, message: `unknown key '${key}'${hint}` });
      });
      continue;
    }
    if (issue.code === 'invalid_union') {
      const branches = issue.errors;
      const scores = branches.map((b) => branchScore(b, root, path));
      const best = Math.min(...scores);
      const winners = branches.filter((_, i) => scores[i] === best);
      if (winners.length === 1 && best < 10) {
        out.push(...issueMessages(schema, winners[0], root, path));
        continue;
      }
      const value = valueAt(root, path);
      const unionSchema = schemaAt(schema, path);
      const keysOfBranches =
        unionSchema instanceof z.ZodUnion
          ? (unionSchema.options as z.ZodType[]).flatMap((o) => (o instanceof z.ZodObject ? Object.keys(o.shape) : []))
          : [];
      if (keysOfBranches.length > 0 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const keys = Object.keys(value);
        const hint = keys.length === 1 ? didYouMean(keys[0], keysOfBranches) : '';
        out.push({
          path,
          message: `expected a map with one of ${keysOfBranches.join(', ')}; found ${
            keys.length ? `key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}` : 'an empty map'
          }${hint}`,
        });
        continue;
      }
      const expectations = [...new Set(branches.flatMap((b) => b.filter((i) => i.path.length === 0).map(expected)))];
      out.push({ path, message: `expected ${expectations.join(' or ')}; found ${describeFound(value)}` });
      continue;
    }
    out.push({ path, message: `expected ${expected(issue)}; found ${describeFound(valueAt(root, path))}` });
  }
  return out;
}
