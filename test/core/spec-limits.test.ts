/**
 * Sweep files that are hostile or absurd end as SpecErrors (exit 2) with file:line, field, expected and found —
 * quickly, and before anything big is built: YAML aliases without anchors and alias bombs, huge plans (checked
 * arithmetically), count-like parameters beyond any real system, names no file system takes, and files with
 * tens of thousands of unknown keys (checking is linear in the file).
 */
import { describe, expect, it } from 'vitest';
import { diagnosticsOf } from '../support/spec.js';
import { planLimits } from '../../core/plan/size.js';


function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

const values = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]`;

describe('hostile YAML', () => {
  it('an alias without its anchor is located bad input, not a ReferenceError', () => {
    const [d] = diagnosticsOf('name: x\nparameters: *nope\n');
    expect(d).toMatchObject({ line: 2, column: 13 });
    expect(d.message).toMatch(/alias '\*nope'.*anchor/);
  });

  it('an alias bomb (billion laughs) is refused at once', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    const { value: [d], ms } = timed(() => diagnosticsOf(`name: x\n${levels.join('\n')}\n`));
    expect(ms).toBeLessThan(1000);
    expect(d.message).toMatch(/aliases/);
  });

  it('checking is linear: 50,000 unknown keys cost ~10× 5,000 (not 100×) and report a bounded list', () => {
    const sweep = (n: number) => `name: k\nparameters:\n${Array.from({ length: n }, (_, i) => `  unknown_key_${i}: 1`).join('\n')}\n`;
    diagnosticsOf(sweep(5_000)); // warm up
    const small = timed(() => diagnosticsOf(sweep(5_000))).ms;
    const { value: ds, ms } = timed(() => diagnosticsOf(sweep(50_000)));
    process.stderr.write(`check: 5,000 unknown keys ${small.toFixed(0)} ms, 50,000 ${ms.toFixed(0)} ms\n`);
    // linear is ~10×, quadratic was ~100× (and > 90 s); the margin absorbs a loaded machine
    expect(ms).toBeLessThan(Math.max(30 * small, 1000));
    expect(ds.length).toBeLessThanOrEqual(51);
    expect(ds[0]).toMatchObject({ line: 3, path: 'parameters.unknown_key_0' });
    expect(ds.at(-1)!.message).toMatch(/and 49950 more problems/);
  });

  it('still reports duplicate keys as bad YAML at the second key', () => {
    const [d] = diagnosticsOf('name: x\nseed: 1\nseed: 2\n');
    expect(d).toMatchObject({ line: 3, column: 1 });
    expect(d.message).toMatch(/unique|duplicate/i);
  });
});

describe('plan size, before anything is built', () => {
  it('a 10^9-trial grid is refused in milliseconds, naming the axes that multiply', () => {
    const text = `name: g\nrepetitions: 1000\naxes:\n  - grid: { dirty_rate_pages_s: ${values(1000)}, memory_mib: ${values(1000)} }\n`;
    const { value: [d], ms } = timed(() => diagnosticsOf(text));
    expect(ms).toBeLessThan(300);
    expect(d.message).toBe(
      'expected at most 1e+8 trials (THEMIS_MAX_TRIALS); found grid dirty_rate_pages_s 1000 × memory_mib 1000 × repetitions 1000 = 1e+9 trials',
    );
    expect(d).toMatchObject({ line: 3, path: 'axes' });
  });

  it('repetitions: 1e9 and random.count: 1e7 are refused (trials, points)', () => {
    expect(diagnosticsOf('name: r\nrepetitions: 1000000000\n')[0].message).toMatch(/repetitions 1000000000 = 1e\+9 trials/);
    const random = 'name: r\naxes:\n  - random: { seed: 1, count: 10000000, ranges: { boot_s: { min: 1, max: 2 } } }\n';
    expect(diagnosticsOf(random)[0].message).toMatch(/at most 1e\+6 points \(THEMIS_MAX_POINTS\); found random count 10000000 = 1e\+7 points/);
  });

  it('the limits come from THEMIS_MAX_TRIALS / THEMIS_MAX_POINTS', () => {
    expect(planLimits({})).toEqual({ maxTrials: 1e8, maxPoints: 1e6 });
    expect(planLimits({ THEMIS_MAX_TRIALS: '5e9', THEMIS_MAX_POINTS: '2000000' })).toEqual({ maxTrials: 5e9, maxPoints: 2e6 });
    expect(() => planLimits({ THEMIS_MAX_TRIALS: 'lots' })).toThrow(/THEMIS_MAX_TRIALS: expected a number ≥ 1; found 'lots'/);
  });
});

describe('bounds on parameters and names', () => {
  it('count-like parameters have a maximum', () => {
    expect(diagnosticsOf('name: x\nparameters: { announce_rounds: 1000000000 }\n')[0]).toMatchObject({
      path: 'parameters.announce_rounds',
      message: 'expected a number ≤ 1000; found number 1000000000',
    });
    for (const [name, v] of [['hosts', 1e7], ['ospf_hops', 1000], ['postcopy_after_rounds', 1e6], ['memory_mib', 1e9]] as const) {
      expect(diagnosticsOf(`name: x\naxes:\n  - grid: { ${name}: [${v}] }\n`)[0].message, name).toMatch(/expected a number ≤/);
    }
  });

  it('a 100,000-character name is refused by check, not by the file system during run', () => {
    const [d] = diagnosticsOf(`name: ${'a'.repeat(100_000)}\n`);
    expect(d).toMatchObject({ path: 'name', message: expect.stringMatching(/^expected at most 100 characters/) });
  });
});
