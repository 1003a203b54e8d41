/**
 * What stops a campaign that is not the user's Ctrl-C: the backend's infrastructure is gone
 * (BackendUnavailableError). The trial in flight is not a result — nothing is stored for it, so `--resume`
 * runs it — no later trial is started, and the campaign ends `interrupted` before the error goes on to the CLI.
 */
import { BackendUnavailableError } from '../errors.js';

export class Halt {
  error: BackendUnavailableError | null = null;

  /** Keeps the first outage; true when `err` is one (the caller then stores nothing). */
  caught(err: unknown): boolean {
    if (!(err instanceof BackendUnavailableError)) return false;
    this.error ??= err;
    return true;
  }

  get halted(): boolean {
    return this.error !== null;
  }
}
