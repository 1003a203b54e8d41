import { describe, expect, test } from 'vitest';
import { INTERVALS_PER_TRIAL, Scratch } from '../../simulator/scratch.js';

describe('scratch interval arrays', () => {
  test.each([
    ['addDown', (s: Scratch, i: number) => s.addDown(i * 10, i * 10 + 5), /more than 4 down/],
    ['addBusy', (s: Scratch, i: number) => s.addBusy(i * 10, i * 10 + 5), /more than 4 busy/],
    ['addGap', (s: Scratch, i: number) => s.addGap(i * 10, 5, 5), /more than 4 probe gap/],
  ] as const)('%s: four intervals fit, a fifth throws', (_name, add, message) => {
    expect(INTERVALS_PER_TRIAL).toBe(4);
    const s = new Scratch();
    for (let i = 0; i < INTERVALS_PER_TRIAL; i++) add(s, i);
    expect(() => add(s, INTERVALS_PER_TRIAL)).toThrow(message);
    // reset makes room again for the next trial
    s.reset();
    expect(() => add(s, 0)).not.toThrow();
  });

  test('empty intervals are not recorded, so they do not count against the bound', () => {
    const s = new Scratch();
    for (let i = 0; i < 10; i++) s.addDown(5, 5);
    expect(s.nDown).toBe(0);
  });
});
