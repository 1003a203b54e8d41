import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { todoBlocks, todoIndices, todoOf } from '../../core/engine/todo.js';

/** Sorted disjoint ranges from a set of indices, as the store's SQL gives them. */
function rangesOf(stored: readonly number[]): [number, number][] {
  const sorted = [...new Set(stored)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

describe('todo ranges (core/engine/todo.ts)', () => {
  it('are exactly [start, end) minus the stored indices, in order, in blocks of the size asked', () => {
    fc.assert(fc.property(fc.nat(300), fc.nat(300), fc.array(fc.nat(700), { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (a, len, stored, size) => {
      const start = a;
      const end = a + len;
      const storedSet = new Set(stored);
      const expected: number[] = [];
      for (let i = start; i < end; i++) if (!storedSet.has(i)) expected.push(i);
      const { todo, skipped } = todoOf(start, end, rangesOf(stored));
      expect(todo.count).toBe(expected.length);
      expect(skipped).toBe(end - start - expected.length);
      expect([...todoIndices(todo)]).toEqual(expected);
      const blocks = [...todoBlocks(todo, size)];
      expect(blocks.every((b) => b.length > 0 && b.length <= size)).toBe(true);
      expect(blocks.flatMap((b) => [...b])).toEqual(expected);
    }));
  });

  it('is two numbers for a fresh run of any size', () => {
    const { todo } = todoOf(0, 1e8, []);
    expect(todo).toEqual({ ranges: [0, 1e8], count: 1e8 });
  });
});
