/**
 * oned unreachable is not a trial result: a read that fails because nothing answers (connection refused or
 * reset, no answer within the call's time-out, a garbled answer) is retried with bounded back-off, and past
 * the bound the campaign stops (BackendUnavailableError: interrupted, exit 3, --resume runs the rest). OpenNebula's
 * own refusals (OneApiError) are answers and are never retried here.
 */
import { sleep } from '../../core/async.js';
import { errText } from '../../core/error-text.js';
import { BackendUnavailableError } from '../../core/errors.js';
import { OneApiError } from './one-error.js';

export interface Patience {
  /** Give up once oned has not answered for this long (sweep: opennebula.outage_wait_s) */
  give_up_after_ms: number;
  /** First wait between retries; doubles up to max_retry_ms. A choice, not a measurement. */
  first_retry_ms: number;
  max_retry_ms: number;
  /**
   * An answer slower than this is an outage too (a frozen or overloaded oned answers late, not never): the
   * time past it counts on the OutageClock. A healthy oned answers one.vm.info in milliseconds.
   */
  slow_answer_ms: number;
}

export const DEFAULT_PATIENCE: Patience = { give_up_after_ms: 120_000, first_retry_ms: 1000, max_retry_ms: 10_000, slow_answer_ms: 2000 };

/** Whether a failed call means "oned did not answer" (as opposed to an answer, or our own abort). */
export function isUnreachable(e: unknown, signal?: AbortSignal): boolean {
  return !(e instanceof OneApiError) && !(e instanceof BackendUnavailableError) && !signal?.aborted;
}

/** The time oned was unreachable, so waits that time a migration can leave it out. */
export class OutageClock {
  unreachable_ms = 0;
}

/**
 * Runs `call` until it gets an answer; unreachable for longer than the bound → BackendUnavailableError naming
 * the endpoint, the call and the last error. An abort ends the wait with the last error.
 */
export async function patiently<T>(
  what: string,
  endpoint: string,
  p: Patience,
  clock: OutageClock,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
): Promise<T> {
  let since: number | null = null;
  let wait = p.first_retry_ms;
  for (;;) {
    const started = performance.now();
    try {
      const v = await call();
      const late = Math.max(0, performance.now() - started - p.slow_answer_ms);
      clock.unreachable_ms += since !== null ? started - since + late : late;
      return v;
    } catch (e) {
      if (!isUnreachable(e, signal)) throw e;
      since ??= started; // a call that hung until its time-out was unanswered all along
      const down = performance.now() - since;
      if (down + wait > p.give_up_after_ms) {
        clock.unreachable_ms += down;
        throw new BackendUnavailableError(
          `OpenNebula at ${endpoint} did not answer for ${Math.round(down / 1000)} s (${what}: ${errText(e)}); ` +
            `gave up after opennebula.outage_wait_s = ${p.give_up_after_ms / 1000}`,
        );
      }
      await sleep(wait, signal);
      if (signal?.aborted) throw e;
      wait = Math.min(wait * 2, p.max_retry_ms);
    }
  }
}
