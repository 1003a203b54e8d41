/**
 * Every import of the source folders, parsed with the TypeScript compiler (not a regex): static `import … from`,
 * `import '…'`, `export … from`, `import x = require('…')` and dynamic `import('…')`, type-only ones included.
 * Package imports (`node:fs`, `zod`) are left out; relative ones are resolved to repository-relative files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';
import type { ImportEdge } from './layers.js';

export function tsFilesUnder(root: string, folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const p = posix.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(folder);
  return out.sort();
}

/** The imports of one file's text; `file` is its repository-relative path. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, spec: ts.Expression | undefined) => {
    const line = src.getLineAndCharacterOfPosition(node.getStart(src)).line + 1;
    if (spec === undefined || !ts.isStringLiteralLike(spec)) {
      edges.push({ file, line, specifier: spec ? spec.getText(src) : '', target: null });
      return;
    }
    const specifier = spec.text;
    if (!specifier.startsWith('.')) return;
    const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
    edges.push({ file, line, specifier, target });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression);
    ts.forEachChild(node, visit);
  };
  visit(src);
  return edges;
}

export function importsUnder(root: string, folders: readonly string[]): ImportEdge[] {
  return folders.flatMap((folder) => tsFilesUnder(root, folder).flatMap((f) => importsOf(f, readFileSync(join(root, f), 'utf8'))));
}
