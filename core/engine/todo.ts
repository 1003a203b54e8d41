/**
 * The plan indices a run still has to do, as sorted half-open ranges [lo, hi): what was stored is a few ranges
 * (batches commit in blocks), so the list is bounded by the gaps a resume finds, not by the number of trials.
 * A backend receives them in blocks of at most TODO_BLOCK indices (32 MiB at most, whatever N is).
 */

/** Indices handed to a batch backend at once: 8 MiB of Int32. */
export const TODO_BLOCK = 1 << 21;

export interface Todo {
  /** lo0, hi0, lo1, hi1, … sorted, disjoint, non-empty */
  readonly ranges: readonly number[];
  readonly count: number;
}

/**
 * [start, end) minus the stored ranges (sorted, disjoint, as Store.storedTrialRanges gives them). Also returns how
 * many stored indices fall inside [start, end).
 */
export function todoOf(start: number, end: number, stored: readonly (readonly [number, number])[]): { todo: Todo; skipped: number } {
  const ranges: number[] = [];
  let at = start;
  let skipped = 0;
  for (const [lo, hi] of stored) {
    const a = Math.max(lo, start);
    const b = Math.min(hi, end);
    if (a >= b) continue;
    if (a > at) ranges.push(at, a);
    skipped += b - a;
    at = Math.max(at, b);
  }
  if (at < end) ranges.push(at, end);
  let count = 0;
  for (let k = 0; k < ranges.length; k += 2) count += ranges[k + 1] - ranges[k];
  return { todo: { ranges, count }, skipped };
}

/** The indices in order, in blocks of at most `size`. */
export function* todoBlocks(todo: Todo, size = TODO_BLOCK): Generator<Int32Array> {
  let block = new Int32Array(Math.min(size, todo.count));
  let n = 0;
  for (let k = 0; k < todo.ranges.length; k += 2) {
    for (let i = todo.ranges[k]; i < todo.ranges[k + 1]; i++) {
      block[n++] = i;
      if (n === block.length) {
        yield block;
        block = new Int32Array(Math.min(size, todo.count));
        n = 0;
      }
    }
  }
  if (n > 0) yield block.subarray(0, n);
}

/** The indices in order, one by one. */
export function* todoIndices(todo: Todo): Generator<number> {
  for (let k = 0; k < todo.ranges.length; k += 2) for (let i = todo.ranges[k]; i < todo.ranges[k + 1]; i++) yield i;
}
