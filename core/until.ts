import { sleep } from './async.js';

/**
 * Polls `step` until it returns a value (not null) or `timeout_ms` passes; errors thrown by `step` count as
 * "not yet", and the last one is quoted in the timeout message. Every wait on a real component goes through a
 * bound like this one.
 */
export async function until<T>(what: string, timeout_ms: number, step: () => Promise<T | null>, every_ms = 100): Promise<T> {
  const end = Date.now() + timeout_ms;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await step();
      if (v !== null) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${timeout_ms} ms${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(every_ms);
  }
}
