/**
 * Every failure the API reports, as an HTTP status and a JSON body `{ error, code }` the page shows as is.
 * DuckDB's own lock message never reaches the page: a file held by another process becomes `db_locked`.
 */
import { DatabaseUnavailableError } from '../../core/errors.js';
import { RunInProgressError } from './db-gate.js';
import { QueryError, QueryTooLargeError } from './query.js';
import { TooManyQueriesError } from './query-limiter.js';
import { SweepNameError } from './sweeps.js';
import { SweepTooLargeError } from './sweep-checker.js';

export type ErrorCode =
  | 'run_in_progress'
  | 'bad_query'
  | 'too_large'
  | 'too_many_requests'
  | 'bad_request'
  | 'bad_sweep'
  | 'not_found'
  | 'db_locked'
  | 'forbidden'
  | 'unauthorized'
  | 'internal';

export interface ApiError {
  error: string;
  code: ErrorCode;
}

/** A second run asked for while one is going. */
export class RunBusyError extends Error {
  override readonly name = 'RunBusyError';
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** Another process holds the file: DuckDB's message ("Could not set lock on file …"), or open.ts's error for it. */
export function isLockConflict(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return err.reason === 'locked';
  const message = err instanceof Error ? err.message : String(err);
  return /could not set lock|conflicting lock/i.test(message);
}

export const DB_LOCKED_MESSAGE =
  'the database file is in use by another process (a `themis run` writing to it?); try again when it ends';

/** The status, the body, and the headers that go with them (Retry-After on 429). */
export function toApiError(err: unknown): { status: number; body: ApiError; headers?: Record<string, string> } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof TooManyQueriesError) {
    return { status: 429, body: { error: message, code: 'too_many_requests' }, headers: { 'retry-after': String(err.retryAfterS) } };
  }
  if (err instanceof QueryTooLargeError || err instanceof SweepTooLargeError) return { status: 413, body: { error: message, code: 'too_large' } };
  if (err instanceof RunInProgressError || err instanceof RunBusyError) return { status: 409, body: { error: message, code: 'run_in_progress' } };
  if (isLockConflict(err)) {
    return { status: 503, body: { error: DB_LOCKED_MESSAGE, code: 'db_locked' } };
  }
  if (err instanceof QueryError) return { status: 400, body: { error: message, code: 'bad_query' } };
  if (err instanceof SweepNameError) return { status: 400, body: { error: message, code: 'bad_sweep' } };
  if (err instanceof BadRequestError) return { status: 400, body: { error: message, code: 'bad_request' } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: message, code: 'not_found' } };
  return { status: 500, body: { error: message, code: 'internal' } };
}
