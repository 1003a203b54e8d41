/**
 * Infrastructure failures are not trial results: a backend that throws BackendUnavailableError (its orchestrator
 * or hypervisor unreachable past its bounded wait) stops the campaign as `interrupted`, the trial in flight is
 * not stored, `--resume` runs it; `--retry-failed REASON…` re-runs stored failures with those reasons.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, FailureReason } from '../../core/backend.js';
import { runCampaign } from '../../core/engine/engine.js';
import { BackendUnavailableError } from '../../core/errors.js';
import { failedTrialResult } from '../../core/results/recorder.js';
import { parseSweep } from '../../core/spec/load.js';
import type { CampaignSpec } from '../../core/spec/sweep.js';
import { Store } from '../../core/store/store.js';
import { exitCodeFor } from '../../app/cli/exit.js';
import { createBackend } from '../../simulator/backend.js';

const SWEEP = `name: outage
seed: 3
repetitions: 4
parameters: { memory_mib: 1024 }
axes:
  - grid: { mode: [live, cold] }
`;
const spec = (): CampaignSpec => ({ sweep: parseSweep(SWEEP, 'o.yaml'), source_yaml: SWEEP, source_sha256: 'b'.repeat(64), source_path: 'o.yaml' });

/** The simulator through the plain interface; `fault(index)` throws or returns a failure instead. */
function backend(fault: (index: number) => 'outage' | FailureReason | null = () => null): Backend & { calls: number[] } {
  const sim = createBackend();
  const calls: number[] = [];
  return {
    name: 'simulator',
    maxConcurrency: 1,
    calls,
    prepare: (c, s) => sim.prepare(c, s),
    runTrial: async (t, s) => {
      calls.push(t.index);
      const f = fault(t.index);
      if (f === 'outage') throw new BackendUnavailableError('oned at http://127.0.0.1:1/RPC2 unreachable for 120 s');
      if (f) {
        const r = failedTrialResult(f, `injected ${f}`);
        r.events.push({ t_ms: 1, source: 'test', kind: 'injected', detail: null });
        return r;
      }
      return sim.runTrial(t, s);
    },
    dispose: () => sim.dispose(),
  };
}

async function query(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return (await store.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    store.close();
  }
}

describe('a backend outage', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'themis-outage-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('interrupts the campaign at once, stores nothing for the trial in flight, and --resume runs the rest', async () => {
    const db = join(dir, 'o.duckdb');
    const down = backend((i) => (i >= 3 ? 'outage' : null));
    await expect(runCampaign({ spec: spec(), dbPath: db, backend: down })).rejects.toSatisfy(
      (e: unknown) => e instanceof BackendUnavailableError && /unreachable for 120 s/.test(e.message),
    );
    expect(down.calls).toEqual([0, 1, 2, 3]); // no later trial "ran" against the dead backend
    expect(await query(db, 'SELECT status FROM campaigns')).toEqual([{ status: 'interrupted' }]);
    expect(await query(db, 'SELECT trial_index::INT AS trial_index, status FROM trials ORDER BY trial_index')).toEqual(
      [0, 1, 2].map((trial_index) => ({ trial_index, status: 'succeeded' })),
    );
    const back = backend();
    const r = await runCampaign({ spec: spec(), dbPath: db, backend: back, resume: true });
    expect(r).toMatchObject({ status: 'finished', skipped: 3, ran: 5 });
    expect(back.calls).toEqual([3, 4, 5, 6, 7]);
    expect(await query(db, `SELECT count(*)::INT AS n FROM trials WHERE status = 'failed'`)).toEqual([{ n: 0 }]);
  });

  it('exits with its own code, 3', () => {
    expect(exitCodeFor(new BackendUnavailableError('x'))).toBe(3);
  });
});

describe('--retry-failed', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'themis-retry-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes the stored failures with the given reasons (and their rows) and runs those trials again', async () => {
    const db = join(dir, 'r.duckdb');
    const faults: Record<number, FailureReason> = { 1: 'orchestrator_error', 2: 'timeout', 5: 'orchestrator_error' };
    await runCampaign({ spec: spec(), dbPath: db, backend: backend((i) => faults[i] ?? null) });
    expect(await query(db, `SELECT count(*)::INT AS n FROM events WHERE kind = 'injected'`)).toEqual([{ n: 3 }]);
    const again = backend();
    const r = await runCampaign({ spec: spec(), dbPath: db, backend: again, resume: true, retryFailed: ['orchestrator_error'] });
    expect(again.calls).toEqual([1, 5]);
    expect(r).toMatchObject({ status: 'finished', ran: 2, skipped: 6 });
    expect(await query(db, `SELECT trial_index::INT AS trial_index, failure_reason FROM trials WHERE status = 'failed'`)).toEqual([{ trial_index: 2, failure_reason: 'timeout' }]);
    // the old rows of the re-run trials are gone: only trial 2's injected event is left
    expect(await query(db, `SELECT count(*)::INT AS n FROM events WHERE kind = 'injected'`)).toEqual([{ n: 1 }]);
    expect(await query(db, `SELECT count(*)::INT AS n FROM trials`)).toEqual([{ n: 8 }]);
  });
});
