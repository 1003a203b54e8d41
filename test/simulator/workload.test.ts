import { describe, expect, test } from 'vitest';
import {
  meanUniqueOver, newDirtyModel, PATTERN_HOTCOLD, PATTERN_SEQUENTIAL, PATTERN_UNIFORM, setDirtyModel, uniqueDirtiedPages,
} from '../../simulator/workload.js';
import { rttQuantileMs } from '../../simulator/rtt.js';

function model(pattern: number, W: number, h = 0.2, s = 0.8) {
  const m = newDirtyModel();
  setDirtyModel(m, pattern, W, h, s);
  return m;
}

describe('dirty-page workload', () => {
  test('uniform: W·(1 − e^(−D·t/W)), never above W', () => {
    const m = model(PATTERN_UNIFORM, 1000);
    expect(uniqueDirtiedPages(m, 2, 100)).toBeCloseTo(1000 * (1 - Math.exp(-0.2)), 9);
    expect(uniqueDirtiedPages(m, 1000, 1e6)).toBeLessThanOrEqual(1000);
    expect(uniqueDirtiedPages(m, 0, 100)).toBe(0);
  });

  test('sequential: min(W, D·t)', () => {
    const m = model(PATTERN_SEQUENTIAL, 1000);
    expect(uniqueDirtiedPages(m, 2, 100)).toBe(200);
    expect(uniqueDirtiedPages(m, 2, 1000)).toBe(1000);
  });

  test('hotcold: two uniform sets, hot h·W with share s of the writes', () => {
    const m = model(PATTERN_HOTCOLD, 1000, 0.2, 0.8);
    const writes = 300;
    const expected = 200 * (1 - Math.exp(-(0.8 * writes) / 200)) + 800 * (1 - Math.exp(-(0.2 * writes) / 800));
    expect(uniqueDirtiedPages(m, 3, 100)).toBeCloseTo(expected, 9);
    // concentrating writes on a hot set touches fewer distinct pages than spreading them
    expect(uniqueDirtiedPages(m, 3, 100)).toBeLessThan(uniqueDirtiedPages(model(PATTERN_UNIFORM, 1000), 3, 100));
  });

  test('monotone in time and rate for every pattern', () => {
    for (const pattern of [PATTERN_UNIFORM, PATTERN_SEQUENTIAL, PATTERN_HOTCOLD]) {
      const m = model(pattern, 5000);
      let last = 0;
      for (let t = 0; t <= 5000; t += 37) {
        const u = uniqueDirtiedPages(m, 1.5, t);
        expect(u).toBeGreaterThanOrEqual(last);
        expect(u).toBeGreaterThanOrEqual(uniqueDirtiedPages(m, 1.4, t));
        last = u;
      }
    }
  });

  test('mean unique pages over [0, T] matches numeric integration', () => {
    for (const pattern of [PATTERN_UNIFORM, PATTERN_SEQUENTIAL, PATTERN_HOTCOLD]) {
      const m = model(pattern, 3000);
      for (const T of [10, 500, 4000]) {
        const n = 20000;
        let sum = 0;
        for (let i = 0; i < n; i++) sum += uniqueDirtiedPages(m, 2, ((i + 0.5) / n) * T);
        expect(meanUniqueOver(m, 2, T)).toBeCloseTo(sum / n, 2);
      }
    }
  });
});

describe('probe RTT quantiles', () => {
  test('idle path: base + exponential jitter', () => {
    expect(rttQuantileMs(0.5, 0.2, 0.05, 0.05, 0)).toBeCloseTo(0.2 + 0.05 * Math.log(2), 12);
    expect(rttQuantileMs(0.99, 0.2, 0.05, 0.05, 0)).toBeCloseTo(0.2 + 0.05 * Math.log(100), 12);
    expect(rttQuantileMs(0.99, 0.2, 0.05, 0, 0)).toBe(0.2);
  });

  test('mixture quantile inverts the mixture CDF', () => {
    const b = 0.2;
    const q = 0.03;
    const j = 0.05;
    for (const f of [0.1, 0.5, 0.9]) {
      for (const p of [0.05, 0.5, 0.99]) {
        const x = rttQuantileMs(p, b, q, j, f);
        const cdf = (1 - f) * (1 - Math.exp(-(x - b) / j)) + (x > b + q ? f * (1 - Math.exp(-(x - b - q) / j)) : 0);
        expect(cdf).toBeCloseTo(p, 9);
      }
    }
  });

  test('no jitter: the busy share decides between base and base + queueing', () => {
    expect(rttQuantileMs(0.5, 0.2, 0.03, 0, 0.4)).toBe(0.2);
    expect(rttQuantileMs(0.99, 0.2, 0.03, 0, 0.4)).toBeCloseTo(0.23, 12);
  });
});
