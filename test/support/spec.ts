/** The diagnostics a sweep text is rejected with (the test fails if it is accepted). */
import { SpecError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/spec/diagnostics.js';
import { parseSweep } from '../../core/spec/load.js';

export function diagnosticsOf(text: string): Diagnostic[] {
  try {
    parseSweep(text, 'sweep.yaml');
  } catch (err) {
    if (err instanceof SpecError) return err.diagnostics;
    throw err;
  }
  throw new Error('expected the sweep to be rejected');
}
