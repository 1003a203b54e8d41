import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildPlan, shardRange, trialAt, axisPoints } from '../../core/plan/plan.js';
import { parseSweep } from '../../core/spec/load.js';

const sweep = (text: string) => parseSweep(text, 'plan.yaml');

describe('plan', () => {
  it('expands a grid as a cartesian product, in order, times repetitions', () => {
    const plan = buildPlan(sweep('name: p\nrepetitions: 3\naxes:\n  - grid: { mode: [live, cold], memory_mib: [512, 1024] }\n'));
    expect(plan.points.map((p) => [p.params.mode, p.params.memory_mib])).toEqual([
      ['live', 512],
      ['live', 1024],
      ['cold', 512],
      ['cold', 1024],
    ]);
    expect(plan.size).toBe(12);
    const t = trialAt(plan, 7);
    expect([t.point_id, t.repetition]).toEqual([plan.points[2].point_id, 1]);
    expect(t.trial_id).toBe(`${plan.points[2].point_id}-r1`);
  });

  it("keeps in a point's values only what the sweep sets, so ids and seeds do not move when Themis adds a parameter or changes a default", () => {
    const plan = buildPlan(sweep('name: p\nparameters: { memory_mib: 1024 }\naxes:\n  - grid: { mode: [live] }\n'));
    expect(plan.points[0].values).toEqual({ memory_mib: 1024, mode: 'live' });
    expect(plan.points[0].params.downtime_limit_ms).toBe(300); // the default still applies to the trial
  });

  it('zips lists element by element and combines axes in order', () => {
    const plan = buildPlan(
      sweep('name: p\naxes:\n  - zip: { memory_mib: [512, 2048], working_set_mib: [64, 256] }\n  - list: [{ mode: live }, { mode: postcopy }]\n'),
    );
    expect(plan.points.map((p) => [p.params.memory_mib, p.params.working_set_mib, p.params.mode])).toEqual([
      [512, 64, 'live'],
      [512, 64, 'postcopy'],
      [2048, 256, 'live'],
      [2048, 256, 'postcopy'],
    ]);
  });

  it('draws random axes from their own seed, within range', () => {
    const text = 'name: p\naxes:\n  - random: { seed: 9, count: 50, ranges: { dirty_rate_pages_s: { min: 10, max: 10000, scale: log, integer: true }, mode: { choice: [live, cold] } } }\n';
    const a = buildPlan(sweep(text));
    const b = buildPlan(sweep(text.replace('name: p', 'name: p\nseed: 77')));
    expect(a.points.map((p) => p.values)).toEqual(b.points.map((p) => p.values));
    for (const p of a.points) {
      expect(Number.isInteger(p.params.dirty_rate_pages_s)).toBe(true);
      expect(p.params.dirty_rate_pages_s).toBeGreaterThanOrEqual(10);
      expect(p.params.dirty_rate_pages_s).toBeLessThanOrEqual(10000);
    }
    expect(new Set(a.points.map((p) => p.params.mode))).toEqual(new Set(['live', 'cold']));
  });

  it('gives stable ids and seeds: same values → same ids whatever the key order; seeds differ per repetition', () => {
    const a = buildPlan(sweep('name: p\nrepetitions: 2\nparameters: { memory_mib: 512, mode: cold }\n'));
    const b = buildPlan(sweep('name: p\nrepetitions: 2\nparameters: { mode: cold, memory_mib: 512 }\n'));
    expect(a.points[0].point_id).toBe(b.points[0].point_id);
    expect(trialAt(a, 0).seed).toBe(trialAt(b, 0).seed);
    expect(trialAt(a, 0).seed).not.toBe(trialAt(a, 1).seed);
    const c = buildPlan(sweep('name: p\nseed: 2\nrepetitions: 2\nparameters: { memory_mib: 512, mode: cold }\n'));
    expect(trialAt(c, 0).seed).not.toBe(trialAt(a, 0).seed);
  });

  it('merges duplicate points instead of running them twice', () => {
    const plan = buildPlan(sweep('name: p\naxes:\n  - list: [{ mode: live }, { mode: live }, { mode: cold }]\n'));
    expect(plan.points).toHaveLength(2);
  });

  it('shards cover the plan exactly once, contiguously', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 17 }), (size, count) => {
        const plan = { campaignSeed: 1, repetitions: 1, points: [], size };
        let next = 0;
        for (let index = 0; index < count; index++) {
          const { start, end } = shardRange(plan, { index, count });
          expect(start).toBe(next);
          expect(end).toBeGreaterThanOrEqual(start);
          next = end;
        }
        expect(next).toBe(size);
      }),
    );
  });

  it('grid axes yield the product of their value counts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (counts) => {
        const grid = Object.fromEntries(counts.map((c, i) => [`p${i}`, Array.from({ length: c }, (_, k) => k)]));
        expect(axisPoints({ grid })).toHaveLength(counts.reduce((a, b) => a * b, 1));
      }),
    );
  });
});
