/**
 * Maps errors to exit codes: bad input (spec, conflict, backend refusal, bad option) → 2 with a precise
 * message; anything else → 1 with its stack, since that is a bug worth reporting.
 */
import { BackendSetupError, CampaignConflictError, DatabaseUnavailableError, SpecError, UsageError } from '../../core/errors.js';
import { formatDiagnostic } from '../../core/spec/diagnostics.js';

export function exitCodeFor(err: unknown): number {
  if (err instanceof SpecError || err instanceof BackendSetupError || err instanceof CampaignConflictError || err instanceof UsageError) return 2;
  if (err instanceof DatabaseUnavailableError) return 2;
  return 1;
}

export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const code = exitCodeFor(err);
  if (err instanceof SpecError) stderr.write(err.diagnostics.map((d) => `error: ${formatDiagnostic(d)}`).join('\n') + '\n');
  else if (code === 2) stderr.write(`error: ${(err as Error).message}\n`);
  else stderr.write(`themis: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return code;
}

