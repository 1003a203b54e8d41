/**
 * How many SQL queries run at once, and how many may wait. DuckDB's node bindings run each query on libuv's
 * thread pool (4 threads by default), which `fs` and every other database read of the server share: four
 * 30 s queries used to hold all four threads and made `/api/campaigns` wait 26 s behind them. So at most
 * `maxRunning` queries run (leaving threads for the rest), at most `maxQueued` wait in order, each for at most
 * `maxWaitMs`; a query beyond that is refused at once with TooManyQueriesError (HTTP 429 with Retry-After).
 */
export const MAX_RUNNING_QUERIES = 2;
export const MAX_QUEUED_QUERIES = 4;

export class TooManyQueriesError extends Error {
  override readonly name = 'TooManyQueriesError';
  constructor(
    message: string,
    /** seconds after which trying again is sensible (a query's timeout) */
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

export interface LimiterOptions {
  maxRunning: number;
  maxQueued: number;
  /** how long a query may wait for its turn: the queries ahead of it carry their own timeout */
  maxWaitMs: number;
  /** what is limited, for the messages: 'queries', 'sweep checks' */
  what: string;
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

export class QueryLimiter {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly opts: LimiterOptions) {}

  get stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.queue.length };
  }

  private refuse(why: string): TooManyQueriesError {
    const retryAfterS = Math.max(1, Math.ceil(this.opts.maxWaitMs / 1000));
    return new TooManyQueriesError(`${why}; try again in ${retryAfterS} s`, retryAfterS);
  }

  /** Takes a slot: at once (synchronously, so two callers in one tick cannot both take the last), or from `release`. */
  private async turn(): Promise<void> {
    if (this.running < this.opts.maxRunning) {
      this.running++;
      return;
    }
    if (this.queue.length >= this.opts.maxQueued) {
      const { what } = this.opts;
      throw this.refuse(`${this.running} ${what} are running and ${this.queue.length} are waiting (the most the workbench holds)`);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          reject(this.refuse(`waited ${this.opts.maxWaitMs} ms for a turn behind ${this.running} running ${this.opts.what}`));
        }, this.opts.maxWaitMs),
      };
      this.queue.push(waiter);
    });
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** A waiter inherits the slot of the query that ended (`running` stays). */
  private release(): void {
    const next = this.queue.shift();
    if (next) next.start();
    else this.running--;
  }
}
