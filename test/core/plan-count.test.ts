/** `check`'s point count without building the plan equals the built plan's, duplicates and overlaps included. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPlan, planPointCount } from '../../core/plan/plan.js';
import { parseSweep } from '../../core/spec/load.js';

const value = fc.constantFrom(0, 1000, 5000);
const names = fc.constantFrom('dirty_rate_pages_s', 'boot_s', 'shutdown_s');
const axis = fc.oneof(
  fc.dictionary(names, fc.array(value, { minLength: 1, maxLength: 3 }), { minKeys: 1 }).map((grid) => ({ grid })),
  fc.array(fc.dictionary(names, value, { minKeys: 1 }), { minLength: 1, maxLength: 4 }).map((list) => ({ list })),
);

describe('planPointCount', () => {
  it('equals buildPlan(...).points.length, with repeated values, overlapping axes and fixed parameters', () => {
    fc.assert(
      fc.property(fc.array(axis, { maxLength: 3 }), fc.dictionary(names, value), (axes, parameters) => {
        const sweep = parseSweep(JSON.stringify({ name: 'p', parameters, axes }), 'p.yaml');
        expect(planPointCount(sweep)).toEqual({ points: buildPlan(sweep).points.length, exact: true });
      }),
      { numRuns: 300 },
    );
  });
});
