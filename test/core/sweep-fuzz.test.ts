/**
 * Fuzz of `themis check`: structural and byte mutations of the example sweeps, alias bombs, unanchored aliases
 * and huge products, through the function the CLI's check calls (load, then count the plan). Every input ends
 * as accepted or as a SpecError/UsageError (exit 2), within a second, never another exception. THEMIS_FUZZ_RUNS
 * (npm run chaos) runs more; a handful also go through the real CLI (no stack trace on stderr).
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { exitCodeFor } from '../../app/cli/exit.js';
import { planPointCount } from '../../core/plan/plan.js';
import { campaignSpecFromText } from '../../core/spec/load.js';
import { themisCli } from '../support/cli.js';

const RUNS = Number(process.env.THEMIS_FUZZ_RUNS ?? 2000);
/** Values per grid list of the huge sweeps (each costs parsing; npm run chaos raises it). */
const HUGE_VALUES = Number(process.env.THEMIS_FUZZ_HUGE_VALUES ?? 1000);
const examples = readdirSync('sweeps').filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join('sweeps', f), 'utf8'));

/** What `themis check` does with the text, as an exit code; anything but 0 or 2 fails the property. */
function checkText(text: string): number {
  try {
    const spec = campaignSpecFromText(text, 'fuzz.yaml');
    planPointCount(spec.sweep);
    return 0;
  } catch (err) {
    const code = exitCodeFor(err);
    if (code !== 2) throw err;
    return code;
  }
}

const byteMutation = fc.record({
  base: fc.constantFrom(...examples),
  at: fc.nat(),
  len: fc.nat({ max: 12 }),
  insert: fc.string({ maxLength: 12, unit: fc.constantFrom(...':-[]{}&*!|>#\'"\n \t0123456789.e,aZ_'.split('')) }),
}).map(({ base, at, len, insert }) => {
  const i = at % (base.length + 1);
  return base.slice(0, i) + insert + base.slice(i + len);
});

const value = fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.double({ noNaN: false }), fc.string({ maxLength: 8 }), fc.boolean(),
  fc.constant(null), fc.constantFrom(1e9, 1e15, -1, 0, 'unlimited', 'live', 'l2-announce'));
const key = fc.oneof(fc.constantFrom('name', 'seed', 'repetitions', 'parameters', 'axes', 'grid', 'zip', 'list', 'random', 'count', 'ranges',
  'mode', 'memory_mib', 'announce_rounds', 'hosts', 'timeout_s', 'min', 'max', 'store', 'backend'), fc.string({ maxLength: 10 }));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, value, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 5 })),
})).node;
const structural = fc.record({ name: fc.constantFrom('fz', 'x'.repeat(200), 'bad name', ''), rest: fc.dictionary(key, tree, { maxKeys: 6 }) })
  .map(({ name, rest }) => stringify({ name, ...rest }));

const huge = fc.record({ n: fc.integer({ min: 10, max: HUGE_VALUES }), axes: fc.integer({ min: 1, max: 4 }), reps: fc.constantFrom(1, 1000, 1e9) })
  .map(({ n, axes, reps }) => {
    const names = ['dirty_rate_pages_s', 'boot_s', 'shutdown_s', 'disk_gib'].slice(0, axes);
    const grid = names.map((p) => `${p}: [${Array.from({ length: n }, (_, i) => i).join(',')}]`).join(', ');
    return `name: huge\nrepetitions: ${reps}\naxes:\n  - grid: { ${grid} }\n  - random: { seed: 1, count: ${n * 1000}, ranges: { boot_s: { min: 1, max: 2 } } }\n`;
  });

const aliases = fc.record({ depth: fc.integer({ min: 1, max: 12 }), width: fc.integer({ min: 2, max: 12 }), anchored: fc.boolean() })
  .map(({ depth, width, anchored }) => {
    const lines = [anchored ? 'a0: &a0 [x]' : 'a0: [x]'];
    for (let i = 1; i <= depth; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(', ')}]`);
    return `name: bomb\n${lines.join('\n')}\nparameters: *a${depth}\n`;
  });

const dir = mkdtempSync(join(tmpdir(), 'themis-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fuzzing themis check', () => {
  it(`${RUNS} mutated, hostile and huge sweep files: exit 0 or 2, each within a second`, () => {
    let slowest = 0;
    let rejected = 0;
    const t0 = performance.now();
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: byteMutation, weight: 6 },
          { arbitrary: structural, weight: 2 },
          { arbitrary: aliases, weight: 1 },
          { arbitrary: huge, weight: 1 },
        ),
        (text) => {
        const t = performance.now();
        if (checkText(text) === 2) rejected++;
        const ms = performance.now() - t;
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(1000);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.THEMIS_FUZZ_SEED ?? 14) },
    );
    process.stderr.write(`fuzz: ${RUNS} sweeps (${rejected} rejected) in ${((performance.now() - t0) / 1000).toFixed(1)} s, slowest ${slowest.toFixed(0)} ms\n`);
  }, 600_000);

  it('a handful through the real CLI: exit 0 or 2, never a stack trace', () => {
    const samples = [
      ...fc.sample(byteMutation, { numRuns: 3, seed: 1 }),
      ...fc.sample(aliases, { numRuns: 2, seed: 2 }),
      ...fc.sample(huge, { numRuns: 2, seed: 3 }),
      'name: x\nparameters: *nope\n',
    ];
    samples.forEach((text, i) => {
      const file = join(dir, `s${i}.yaml`);
      writeFileSync(file, text);
      const r = themisCli(dir, 'check', file);
      expect([0, 2], r.stderr).toContain(r.code);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    });
  }, 120_000);
});
