import { describe, expect, test } from 'vitest';
import { sleep } from '../../core/async.js';
import { errText } from '../../core/error-text.js';

describe('core sleep and errText', () => {
  test('sleep waits, and ends early (resolving) when its signal aborts', async () => {
    const t0 = performance.now();
    await sleep(20);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    const ac = new AbortController();
    const t1 = performance.now();
    const waiting = sleep(10_000, ac.signal);
    ac.abort();
    await waiting;
    expect(performance.now() - t1).toBeLessThan(1000);
    await sleep(10_000, ac.signal); // already aborted: at once
  });

  test('errText: an Error gives its message, anything else String()', () => {
    expect(errText(new Error('boom'))).toBe('boom');
    expect(errText('plain')).toBe('plain');
    expect(errText(42)).toBe('42');
  });
});
