/**
 * Every error class of the core, in one place: the errors a user can cause (bad sweep file, bad option,
 * a backend refusing to start, a campaign that cannot start as asked). The app layer maps them to exit
 * code 2 with a precise message (app/cli/exit.ts); anything else is a bug and exits with 1.
 */
import { formatDiagnostic, type Diagnostic } from './spec/diagnostics.js';

/** Bad input that is not a sweep file: an option, a path, a query, a dataset folder. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Problems in a sweep file, all of them at once, each with file:line:column and field path. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
  }
}

/** A problem found before any migration (bad credentials, VM not found, missing package): exit code 2. */
export class BackendSetupError extends Error {
  override readonly name = 'BackendSetupError';
}

/** A campaign that cannot start as asked (already stored, interrupted without --resume): exit code 2. */
export class CampaignConflictError extends Error {
  override readonly name = 'CampaignConflictError';
}

/**
 * A database file that cannot be opened as asked: held by another process (DuckDB allows one writer, or many
 * readers, per file), or not a DuckDB database at all: exit code 2 with what to do.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(
    message: string,
    readonly reason: 'locked' | 'not_a_database',
  ) {
    super(message);
  }
}

/** A store transaction ended by Store.interrupt() (Ctrl-C during a commit); nothing of it was stored. */
export class StoreInterruptedError extends Error {
  override readonly name = 'StoreInterruptedError';
  constructor() {
    super('interrupted: the transaction was rolled back');
  }
}

/**
 * The backend's infrastructure (orchestrator, hypervisor) is unreachable past the backend's bounded wait, or a
 * VM is left where the backend's policy says stop: not a trial result. The engine stores nothing for the
 * trial in flight, ends the campaign `interrupted` and rethrows; exit code 3; `--resume` runs what is missing.
 */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}
