/**
 * The layers, lowest first: core → simulator → backends/shared → backends/qemu, backends/opennebula (siblings)
 * and backends/registry → calibration, reports (siblings) → bench, app. A lower layer never imports an upper
 * one (layers.ts holds the table). Each offending import is printed as file:line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, importsUnder, tsFilesUnder } from './imports.js';
import { ALLOWED, formatViolation, LAYERS, layerOf, SOURCE_FOLDERS, violations, type ImportEdge } from './layers.js';

const root = join(import.meta.dirname, '../..');

describe('architecture layers', () => {
  it('no source file imports a layer above its own (or a sibling it may not)', () => {
    const edges = importsUnder(root, SOURCE_FOLDERS);
    expect(edges.length).toBeGreaterThan(500); // the parser found the imports at all
    const found = violations(edges).map(formatViolation);
    if (found.length > 0) console.error(`layer violations:\n${found.join('\n')}`);
    expect(found).toEqual([]);
  });

  it('every source file belongs to a layer', () => {
    const files = SOURCE_FOLDERS.flatMap((f) => tsFilesUnder(root, f));
    expect(files.filter((f) => layerOf(f) === null)).toEqual([]);
  });

  it("core's error classes all live in core/errors.ts", () => {
    const found = tsFilesUnder(root, 'core')
      .filter((f) => f !== 'core/errors.ts')
      .flatMap((f) => readFileSync(join(root, f), 'utf8').split('\n').map((l, i) => [f, i + 1, l] as const))
      .filter(([, , l]) => /\bclass\s+\w+\s+extends\s+\w*Error\b/.test(l))
      .map(([f, n, l]) => `${f}:${n}: ${l.trim()}`);
    expect(found).toEqual([]);
  });
});

describe('the layer checker', () => {
  const edge = (file: string, target: string | null, line = 1): ImportEdge => ({ file, line, specifier: target ?? 'x', target });

  it('the table only names known layers, and no layer may import one below it in the list that imports it back', () => {
    for (const [from, tos] of Object.entries(ALLOWED)) {
      expect(LAYERS).toContain(from);
      for (const to of tos) {
        expect(LAYERS).toContain(to);
        expect(ALLOWED[to].includes(from as (typeof LAYERS)[number]), `${from} ↔ ${to}`).toBe(false);
      }
    }
  });

  it('places files in layers', () => {
    expect(layerOf('core/store/store.ts')).toBe('core');
    expect(layerOf('backends/registry.ts')).toBe('backends/registry');
    expect(layerOf('backends/shared/guest/image.ts')).toBe('backends/shared');
    expect(layerOf('backends/opennebula/lab/guest.ts')).toBe('backends/opennebula');
    expect(layerOf('backends/other.ts')).toBeNull();
    expect(layerOf('test/support/cli.ts')).toBeNull();
    expect(layerOf('app/workbench/server.ts')).toBe('app');
  });

  it('fails on upward, sibling and unknown imports, with file:line; passes the allowed ones', () => {
    const bad = [
      edge('core/store/import-columns.ts', 'app/cli/exit.ts', 8), // core → app
      edge('core/engine/engine.ts', 'backends/registry.ts', 3), // core → backends
      edge('simulator/model.ts', 'reports/summary.ts'),
      edge('backends/opennebula/prober.ts', 'backends/qemu/probes.ts', 9), // sibling backends
      edge('backends/qemu/vm.ts', 'backends/opennebula/ssh.ts'),
      edge('backends/shared/exec.ts', 'backends/qemu/qmp.ts'),
      edge('backends/qemu/backend.ts', 'backends/registry.ts'),
      edge('calibration/calibrate.ts', 'reports/summary.ts'), // sibling
      edge('reports/html.ts', 'app/cli/main.ts'),
      edge('app/cli/main.ts', 'bench/run.ts'),
      edge('core/x.ts', 'test/support/cli.ts'), // outside the layers
      edge('backends/other.ts', 'core/backend.ts'), // a file in no layer
      edge('app/cli/main.ts', null), // computed import
    ];
    const good = [
      edge('core/store/merge.ts', 'core/store/store.ts'),
      edge('simulator/backend.ts', 'core/backend.ts'),
      edge('backends/qemu/trial-common.ts', 'backends/shared/probes.ts'),
      edge('backends/opennebula/lab/guest.ts', 'backends/shared/guest/image.ts'),
      edge('backends/registry.ts', 'backends/opennebula/backend.ts'),
      edge('backends/registry.ts', 'simulator/backend.ts'),
      edge('calibration/calibrate.ts', 'simulator/backend.ts'),
      edge('app/cli/main.ts', 'backends/registry.ts'),
      edge('app/cli/calibrate.ts', 'reports/summary.ts'),
      edge('bench/measured-cli.ts', 'app/cli/main.ts'),
    ];
    const found = violations([...bad, ...good]);
    expect(found.map((v) => v.edge)).toEqual(bad);
    expect(formatViolation(found[0])).toBe("core/store/import-columns.ts:8: import 'app/cli/exit.ts': core may not import app");
    expect(formatViolation(found[3])).toMatch(/^backends\/opennebula\/prober\.ts:9: .*backends\/opennebula may not import backends\/qemu$/);
  });

  it('finds static, re-export, type and dynamic imports with their lines, resolving relative paths', () => {
    const text = [
      "import { a } from '../store/store.js';", // 1
      "import type { B } from '../../app/cli/exit.js';", // 2
      "export { c } from './c.js';", // 3
      "import 'zod';", // 4: a package, left out
      'async function f() {', // 5
      "  const m = await import('../../reports/html.js');", // 6
      '  const n = await import(name);', // 7
      "  type T = import('../../simulator/model.js').Model;", // 8
      '}',
      "import { d } from 'node:fs';",
    ].join('\n');
    expect(importsOf('core/engine/x.ts', text).map((e) => [e.line, e.target])).toEqual([
      [1, 'core/store/store.ts'],
      [2, 'app/cli/exit.ts'],
      [3, 'core/engine/c.ts'],
      [6, 'reports/html.ts'],
      [7, null],
      [8, 'simulator/model.ts'],
    ]);
    expect(violations(importsOf('core/engine/x.ts', text)).map((v) => v.edge.line)).toEqual([2, 6, 7, 8]);
  });
});
