/** How long a migration stream moved no byte, from query-migrate samples (backends/qemu/stall.ts). */
import { describe, expect, it } from 'vitest';
import { msWithoutProgress, STALL_MS } from '../../../backends/qemu/stall.js';
import type { MigrateSample } from '../../../backends/qemu/rounds.js';

const sample = (t_ms: number, transferred?: number): MigrateSample =>
  ({ t_ms, info: { status: 'active', ...(transferred === undefined ? {} : { ram: { transferred } }) } }) as MigrateSample;

describe('msWithoutProgress', () => {
  it('is 0 while bytes keep moving, and without samples or byte counts', () => {
    expect(msWithoutProgress([sample(0, 10), sample(50, 20), sample(100, 30)])).toBe(0);
    expect(msWithoutProgress([])).toBe(0);
    expect(msWithoutProgress([sample(0), sample(50)])).toBe(0);
  });

  it('counts from the first sample that reached the final count', () => {
    const s = [sample(0, 10), sample(50, 20), sample(100, 500), sample(150, 500), sample(3000, 500)];
    expect(msWithoutProgress(s)).toBe(2900);
    expect(msWithoutProgress(s)).toBeGreaterThanOrEqual(STALL_MS);
  });

  it('spans every sample when nothing ever moved', () => {
    expect(msWithoutProgress([sample(10, 0), sample(60, 0), sample(2510, 0)])).toBe(2500);
  });
});
