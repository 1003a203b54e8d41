/**
 * One writer or many readers of the database file, inside this process. DuckDB takes one writer per file;
 * two instances of the same file in one process (a campaign's read-write store and a request's read-only
 * connection) would not see each other's locks, so the server orders them itself: while a run writes, reads
 * are refused with RunInProgressError (the routes then answer from cache or with "run in progress"), and a run
 * starts only once the reads already in flight have ended.
 */
export class RunInProgressError extends Error {
  override readonly name = 'RunInProgressError';
  constructor() {
    super('a campaign run is writing to the database; this is available again when it ends');
  }
}

export class DbGate {
  private readers = 0;
  private writing = false;
  private drained: (() => void)[] = [];

  /** True while a run holds (or waits for) the database. */
  get busy(): boolean {
    return this.writing;
  }

  async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.writing) throw new RunInProgressError();
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      if (this.readers === 0) for (const wake of this.drained.splice(0)) wake();
    }
  }

  /**
   * Runs fn as the only user of the file. New reads are refused at once; reads in flight get `drainMs` to end
   * (queries carry their own timeout, so this is a bound, not a hope).
   */
  async write<T>(fn: () => Promise<T>, drainMs = 60_000): Promise<T> {
    if (this.writing) throw new RunInProgressError();
    this.writing = true;
    try {
      if (this.readers > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => this.drained.push(resolve)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`reads of the database did not end within ${drainMs} ms`)), drainMs);
          }),
        ]).finally(() => clearTimeout(timer));
      }
      return await fn();
    } finally {
      this.writing = false;
    }
  }
}
