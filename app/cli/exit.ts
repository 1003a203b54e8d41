/**
 * Maps errors to exit codes: bad input (spec, conflict, backend refusal, bad option) → 2 with a precise
 * message; the backend's infrastructure unreachable → 3 (campaign interrupted, --resume continues); anything else
 * → 1 with its stack, since that is a bug worth reporting. `themis validate` exits 4 when the simulator's error
 * exceeds a bound the user set (a result, not an error: the table is printed first).
 */
import { BackendSetupError, BackendUnavailableError, CampaignConflictError, DatabaseUnavailableError, SpecError, UsageError } from '../../core/errors.js';
import { formatDiagnostic } from '../../core/spec/diagnostics.js';

/** The backend's infrastructure was unreachable (or a VM left where the policy says stop): campaign interrupted. */
export const EXIT_BACKEND_UNAVAILABLE = 3;

/** `themis validate --max-error`: a bound was exceeded (distinct from 1, an internal error, for use in CI). */
export const EXIT_THRESHOLDS_EXCEEDED = 4;

export function exitCodeFor(err: unknown): number {
  if (err instanceof BackendUnavailableError) return EXIT_BACKEND_UNAVAILABLE;
  if (err instanceof SpecError || err instanceof BackendSetupError || err instanceof CampaignConflictError || err instanceof UsageError) return 2;
  if (err instanceof DatabaseUnavailableError) return 2;
  return 1;
}

export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const code = exitCodeFor(err);
  if (err instanceof SpecError) stderr.write(err.diagnostics.map((d) => `error: ${formatDiagnostic(d)}`).join('\n') + '\n');
  else if (code === 2) stderr.write(`error: ${(err as Error).message}\n`);
  else if (code === EXIT_BACKEND_UNAVAILABLE) {
    stderr.write(`error: ${(err as Error).message}\ncampaign interrupted: the trials stored are kept; --resume runs the rest once it is back\n`);
  }
  else stderr.write(`themis: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return code;
}

