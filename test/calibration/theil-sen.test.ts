/** The robust line calibrate fits QEMU's switch-over with. Pure. */
import { describe, expect, it } from 'vitest';
import { MAX_THEIL_SEN_POINTS, spread, theilSen } from '../../calibration/theil-sen.js';

describe('Theil–Sen line', () => {
  it('finds the line through exact points and is not pulled by a few outliers', () => {
    const pts = Array.from({ length: 20 }, (_, i) => ({ x: i, y: 3 + 2 * i }));
    expect(theilSen(pts)).toEqual({ slope: 2, intercept: 3 });
    const spiked = pts.map((p, i) => (i % 7 === 3 ? { ...p, y: p.y + 100 } : p));
    const line = theilSen(spiked)!;
    expect(line.slope).toBeCloseTo(2, 6);
    expect(line.intercept).toBeCloseTo(3, 6);
  });

  it('no slope without two distinct x; a bounded number of points', () => {
    expect(theilSen([{ x: 1, y: 2 }, { x: 1, y: 5 }])).toBeNull();
    expect(theilSen([])).toBeNull();
    const many = Array.from({ length: MAX_THEIL_SEN_POINTS * 3 }, (_, i) => ({ x: i, y: 1 + 0.5 * i }));
    expect(theilSen(many)!.slope).toBeCloseTo(0.5, 9);
  });

  it('spread: median and the 10th/90th percentiles as DuckDB quantile_cont', () => {
    expect(spread([5, 1, 2, 3, 4])).toEqual({ median: 3, p10: 1.4, p90: 4.6 });
  });
});
