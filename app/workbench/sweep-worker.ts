/**
 * Worker thread of the sweep checker (sweep-checker.ts): parses and validates one sweep file off the server's
 * event loop and posts the result (plain data: the spec, or its diagnostics) back, then ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkSweepFile, type LoadedSweep } from './sweeps.js';

export interface SweepJob {
  path: string;
  name: string;
}

export type SweepReply = { ok: true; loaded: LoadedSweep } | { ok: false; error: string };

if (parentPort) {
  const job = workerData as SweepJob;
  let reply: SweepReply;
  try {
    reply = { ok: true, loaded: checkSweepFile(job.path, job.name) };
  } catch (e) {
    reply = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort.postMessage(reply);
}
