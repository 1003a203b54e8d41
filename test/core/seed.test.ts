import { describe, expect, test } from 'vitest';
import { pointSeedHash, repetitionSeed, trialSeed } from '../../core/plan/seed.js';

describe('trial seeds', () => {
  const cases: [number, string, number, number][] = [
    // pinned from the formula before it was split in two (a change here changes every stored campaign)
    [1, 'a', 0, 4241385932],
    [1, 'a', 1, 1815558880],
    [42, 'p-00ff', 7, 199315470],
    [0xffffffff, '', 3, 2017090553],
  ];
  test.each(cases)('trialSeed(%d, %j, %d) = %d, and the per-point split gives the same', (campaign, point, rep, want) => {
    expect(trialSeed(campaign, point, rep)).toBe(want);
    expect(repetitionSeed(pointSeedHash(campaign, point), rep)).toBe(want);
  });
});
