import { wilcoxonRankSum } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { bootstrapQuantileInterval, orderStatisticRanks } from '../../reports/stats/bootstrap.js';
import { cliffsDelta, cliffsDeltaInterval, hodgesLehmann } from '../../reports/stats/effect-size.js';
import { normalQuantile, normalUpperTail } from '../../reports/stats/normal.js';
import { quantileSortedType7 } from '../../core/quantile.js';
import { mannWhitney } from '../../reports/stats/rank-sum.js';
import { mannWhitneySorted, quantileSubsample } from '../../reports/stats/rank-sum-sorted.js';
import { wilsonInterval } from '../../reports/stats/wilson.js';

describe('Wilson interval', () => {
  it('8/10 → [0.4902, 0.9433] (by hand: centre 0.7167, half-width 0.2266; Newcombe 1998 table I)', () => {
    const w = wilsonInterval(8, 10);
    expect(w.lo).toBeCloseTo(0.4902, 4);
    expect(w.hi).toBeCloseTo(0.9433, 4);
  });
  it('0/10 → [0, 0.2775] and 10/10 → [0.7225, 1]', () => {
    expect(wilsonInterval(0, 10).lo).toBe(0);
    expect(wilsonInterval(0, 10).hi).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10).lo).toBeCloseTo(0.7225, 4);
    expect(wilsonInterval(10, 10).hi).toBe(1);
  });
  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
  });
});

describe('normal tail', () => {
  it('matches tables: P(Z>1.96)=0.0249979, P(Z>5)=2.866516e-7 (relative accuracy in the tail)', () => {
    expect(normalUpperTail(1.96)).toBeCloseTo(0.0249979, 6);
    expect(normalUpperTail(5) / 2.866516e-7).toBeCloseTo(1, 5);
    expect(normalUpperTail(-1.96)).toBeCloseTo(1 - 0.0249979, 6);
  });
  it('quantile: z(0.975) = 1.959963984540054, z(0.001) = −3.090232306167813 (standard tables)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
    expect(normalQuantile(0.5)).toBe(0);
  });
});

describe('Mann-Whitney / Wilcoxon rank-sum', () => {
  it("SciPy's documented example (males vs females ages): U1 = 17, asymptotic p = 0.11134688653314041", () => {
    const r = mannWhitney([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.u1).toBe(17);
    expect(r.p_value).toBeCloseTo(0.11134688653314041, 6);
  });
  it('Wikipedia tortoise/hare race (finishing order THHHHHTTTTTH): U = 25 and 11', () => {
    const tortoise = [1, 7, 8, 9, 10, 11];
    const hare = [2, 3, 4, 5, 6, 12];
    expect(mannWhitney(tortoise, hare).u1).toBe(25);
    expect(mannWhitney(hare, tortoise).u1).toBe(11);
  });
  it('agrees with simple-statistics rank sum and handles ties with mid-ranks', () => {
    const a = [1, 2, 2, 3, 5];
    const b = [2, 3, 4, 4, 6, 7];
    const r = mannWhitney(a, b);
    // pooled sorted: 1 2 2 2 3 3 4 4 5 6 7 → a's ranks 1, 3, 3, 5.5, 9 = 21.5
    expect(r.u1).toBe(21.5 - 15);
    expect(wilcoxonRankSum(a, b)).toBe(21.5);
    expect(r.cliffs_delta).toBeCloseTo(cliffsDelta(a, b), 12);
    expect(r.p_value).toBeGreaterThan(0.05);
  });
  it('the merge of sorted samples gives the same U, tie term and p as mid-ranks (with many ties)', () => {
    const rng = new Random(5);
    for (let k = 0; k < 20; k++) {
      const a = Array.from({ length: 1 + Math.floor(rng.next() * 60) }, () => Math.floor(rng.next() * 15));
      const b = Array.from({ length: 1 + Math.floor(rng.next() * 60) }, () => Math.floor(rng.next() * 15) + k % 3);
      const ref = mannWhitney(a, b);
      const fast = mannWhitneySorted(Float64Array.from(a).sort(), Float64Array.from(b).sort());
      expect(fast.u1).toBe(ref.u1);
      expect(fast.p_value).toBeCloseTo(ref.p_value, 12);
      expect(fast.cliffs_delta).toBeCloseTo(cliffsDelta(a, b), 12);
    }
    const scipy = mannWhitneySorted([16, 19, 22, 24, 29], [11, 12, 17, 20]);
    expect(scipy.u1).toBe(17);
    expect(scipy.p_value).toBeCloseTo(0.11134688653314041, 6);
  });
  it('quantile subsample takes evenly spaced order statistics', () => {
    expect(quantileSubsample([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(quantileSubsample(Array.from({ length: 100 }, (_, i) => i), 4)).toEqual([12, 37, 62, 87]);
  });
  it('is significant for clearly shifted samples', () => {
    const rng = new Random(3);
    const a = Array.from({ length: 200 }, () => rng.normal());
    const b = Array.from({ length: 200 }, () => rng.normal() + 1);
    const r = mannWhitney(a, b);
    expect(r.p_value).toBeLessThan(1e-10);
    expect(r.cliffs_delta).toBeLessThan(-0.3);
  });
});

describe('effect sizes', () => {
  it("Cliff's delta by hand: a=[1,2,3], b=[2,2] → (1 − 2)/6 ... pairs >: 3>2 ×2 = 2, <: 1<2 ×2 = 2 → 0", () => {
    expect(cliffsDelta([1, 2, 3], [2, 2])).toBe(0);
    expect(cliffsDelta([5, 6], [1, 2, 7])).toBeCloseTo((4 - 2) / 6, 12);
  });
  it('Cliff interval contains the estimate and shrinks with n', () => {
    const small = cliffsDeltaInterval(0.4, 20, 20);
    const large = cliffsDeltaInterval(0.4, 2000, 2000);
    expect(small.lo).toBeLessThan(0.4);
    expect(small.hi).toBeGreaterThan(0.4);
    expect(large.hi - large.lo).toBeLessThan((small.hi - small.lo) / 5);
    expect(cliffsDeltaInterval(1, 5, 5).hi).toBe(1);
  });
  it('Hodges-Lehmann by hand: a=[10,20], b=[1,2] → differences 8,9,18,19 → shift 13.5', () => {
    expect(hodgesLehmann([10, 20], [1, 2]).shift).toBe(13.5);
  });
  it('Hodges-Lehmann recovers a known shift with a Moses interval around it', () => {
    const rng = new Random(11);
    const a = Array.from({ length: 300 }, () => 100 + 10 * rng.normal());
    const b = Array.from({ length: 300 }, () => 150 + 10 * rng.normal());
    const hl = hodgesLehmann(a, b);
    expect(hl.shift).toBeGreaterThan(-52.5);
    expect(hl.shift).toBeLessThan(-47.5);
    expect(hl.lo).toBeLessThan(hl.shift);
    expect(hl.hi).toBeGreaterThan(hl.shift);
    expect(hl.lo).toBeLessThan(-50 + 0.5);
    expect(hl.hi).toBeGreaterThan(-50 - 0.5);
  });
});

describe('quantiles and intervals', () => {
  it('type-7 quantile like DuckDB quantile_cont: [1,2,3,4] p=0.5 → 2.5, p=0.95 → 3.85', () => {
    expect(quantileSortedType7([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSortedType7([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
  });
  it('order-statistic ranks of the median for n=100 are 40 and 61 (Conover 1999, table A3 / §3.2)', () => {
    expect(orderStatisticRanks(100, 0.5)).toEqual({ lo: 40, hi: 61 });
  });
  it('bootstrap interval of the median is seeded, contains the median and has the textbook width', () => {
    const rng = new Random(7);
    const sorted = Float64Array.from({ length: 2000 }, () => rng.normal()).sort();
    const a = bootstrapQuantileInterval(sorted, 0.5, { seed: 1 });
    const b = bootstrapQuantileInterval(sorted, 0.5, { seed: 1 });
    expect(a).toEqual(b);
    const med = quantileSortedType7(sorted, 0.5);
    expect(a.lo).toBeLessThan(med);
    expect(a.hi).toBeGreaterThan(med);
    // SE of the median of N(0,1) ≈ 1.2533/√n = 0.028 → width ≈ 0.11; allow a wide band.
    expect(a.hi - a.lo).toBeGreaterThan(0.06);
    expect(a.hi - a.lo).toBeLessThan(0.18);
  });
});

describe('headline', () => {
  it('says where live migration stops converging, per bandwidth cap', async () => {
    const { convergenceSentences } = await import('../../reports/headline.js');
    const rows = [
      { backend: 'simulator', mode: 'live', max_bandwidth_mib_s: '128', dirty_rate_pages_s: 0, success_rate: 1 },
      { backend: 'simulator', mode: 'live', max_bandwidth_mib_s: '128', dirty_rate_pages_s: 50000, success_rate: 0.2 },
      { backend: 'simulator', mode: 'live', max_bandwidth_mib_s: '128', dirty_rate_pages_s: 20000, success_rate: 0.6 },
      { backend: 'simulator', mode: 'live', max_bandwidth_mib_s: 'unlimited', dirty_rate_pages_s: 50000, success_rate: 1 },
      { backend: 'simulator', mode: 'hybrid', max_bandwidth_mib_s: '128', dirty_rate_pages_s: 0, success_rate: 0 },
    ];
    expect(convergenceSentences(rows)).toEqual([
      'simulator: live migration stops converging (under half the trials succeed) from 50,000 pages/s at a 128 MiB/s cap; never without a bandwidth cap (tested up to 50,000 pages/s).',
    ]);
  });
});

describe('Hodges-Lehmann by selection', () => {
  it('equals the sorted-differences definition (median, Moses bounds) on random samples', () => {
    const rng = new Random(21);
    for (let t = 0; t < 30; t++) {
      const a = Array.from({ length: 1 + Math.floor(rng.next() * 40) }, () => Math.round(rng.normal() * 10));
      const b = Array.from({ length: 1 + Math.floor(rng.next() * 40) }, () => Math.round(rng.normal() * 10 + 3));
      const diffs = a.flatMap((x) => b.map((y) => x - y)).sort((p, q) => p - q);
      const m = diffs.length;
      const median = m % 2 ? diffs[(m - 1) / 2] : (diffs[m / 2 - 1] + diffs[m / 2]) / 2;
      const hl = hodgesLehmann(a, b);
      expect(hl.shift).toBe(median);
      // Moses: C = ⌊n1·n2/2 − z·√(n1·n2·(n1+n2+1)/12)⌋, the C-th smallest and C-th largest difference.
      const c = Math.floor(m / 2 - 1.959963984540054 * Math.sqrt((a.length * b.length * (a.length + b.length + 1)) / 12));
      const idx = Math.min(Math.max(c, 1), m) - 1;
      expect(hl.lo).toBe(diffs[idx]);
      expect(hl.hi).toBe(diffs[m - 1 - idx]);
    }
  });
});
