/**
 * Code the next engineer can live in: no source file over FILE_MAX_LINES, no function over FUNCTION_MAX_LINES
 * (functions, methods, arrow functions and function expressions, measured from their first to last line with
 * the TypeScript compiler). Tests are held to a file bound only, TEST_FILE_MAX_LINES.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { tsFilesUnder } from './imports.js';
import { SOURCE_FOLDERS } from './layers.js';

const FILE_MAX_LINES = 400;
const FUNCTION_MAX_LINES = 80;
/** Tests keep a real component's scenarios together when they share machine-wide state (oned's dummy actions). */
const TEST_FILE_MAX_LINES = 450;

function longFunctions(file: string, text: string): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const last = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > FUNCTION_MAX_LINES) {
        const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
        out.push(`${file}:${first + 1}: ${name} is ${last - first + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

const lines = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

describe('size of files and functions', () => {
  const sources = SOURCE_FOLDERS.flatMap((folder) => tsFilesUnder('.', folder)).map((f) => ({ f, text: readFileSync(f, 'utf8') }));

  it(`no source file over ${FILE_MAX_LINES} lines`, () => {
    expect(sources.filter(({ text }) => lines(text) > FILE_MAX_LINES).map(({ f, text }) => `${f}: ${lines(text)} lines`)).toEqual([]);
  });

  it(`no function over ${FUNCTION_MAX_LINES} lines`, () => {
    expect(sources.flatMap(({ f, text }) => longFunctions(f, text))).toEqual([]);
  });

  it(`no test file over ${TEST_FILE_MAX_LINES} lines`, () => {
    const tests = tsFilesUnder('.', 'test').map((f) => ({ f, n: lines(readFileSync(f, 'utf8')) }));
    expect(tests.filter(({ n }) => n > TEST_FILE_MAX_LINES).map(({ f, n }) => `${f}: ${n} lines`)).toEqual([]);
  });

  it('the checker finds a long function', () => {
    const body = Array.from({ length: FUNCTION_MAX_LINES + 1 }, (_, i) => `  const x${i} = ${i};`).join('\n');
    expect(longFunctions('x.ts', `function f() {\n${body}\n}\n`)).toEqual([`x.ts:1: f is ${FUNCTION_MAX_LINES + 3} lines`]);
  });
});
