import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend.js';
import { runCampaign } from '../../core/engine/engine.js';
import { CampaignConflictError } from '../../core/errors.js';
import type { Progress } from '../../core/engine/progress.js';
import { parseSweep } from '../../core/spec/load.js';
import type { CampaignSpec } from '../../core/spec/sweep.js';
import { Store } from '../../core/store/store.js';
import { createBackend } from '../../simulator/backend.js';

const SWEEP = `name: engine
seed: 5
repetitions: 40
parameters: { memory_mib: 1024, working_set_mib: 128 }
axes:
  - grid: { mode: [live, cold, postcopy], dirty_rate_pages_s: [0, 20000] }
`;

/** Fewer trials for the one-by-one path, where each trial is its own transaction. */
const SMALL = SWEEP.replace('repetitions: 40', 'repetitions: 5');

function spec(text = SWEEP): CampaignSpec {
  return { sweep: parseSweep(text, 'engine.yaml'), source_yaml: text, source_sha256: 'a'.repeat(64), source_path: 'engine.yaml' };
}

/** The real simulator through the plain Backend interface only (the engine's one-trial-at-a-time path). */
function oneByOne(failOn?: number): Backend {
  const sim = createBackend();
  return {
    name: 'simulator',
    maxConcurrency: 2,
    prepare: (c, s) => sim.prepare(c, s),
    runTrial: async (t, s) => {
      if (t.index === failOn) throw new Error('simulated backend bug');
      return sim.runTrial(t, s);
    },
    dispose: () => sim.dispose(),
  };
}

/** Aborts the run once `after` trials have been reported. */
function abortingProgress(controller: AbortController, after: number): Progress {
  let done = 0;
  return {
    start() {},
    advance(n) {
      done += n;
      if (done >= after) controller.abort();
    },
    stop() {},
  };
}

const OUTCOME_SQL = `SELECT trial_id, seed, mode, status, failure_reason, total_ms, downtime_ms, outage_ms, rounds, transferred_bytes
  FROM trials ORDER BY trial_index`;

async function rows(db: string, sql = OUTCOME_SQL): Promise<Record<string, unknown>[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return (await store.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    store.close();
  }
}

describe('engine', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'themis-engine-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an interrupted batch campaign keeps what it stored, and --resume completes it to exactly the rows of one run', async () => {
    const whole = join(dir, 'whole.duckdb');
    await runCampaign({ spec: spec(), dbPath: whole, backend: createBackend({ batchTrials: 16 }) });

    const parts = join(dir, 'parts.duckdb');
    const controller = new AbortController();
    const first = await runCampaign({
      spec: spec(), dbPath: parts, backend: createBackend({ batchTrials: 16 }),
      signal: controller.signal, progress: abortingProgress(controller, 16),
    });
    expect(first.status).toBe('interrupted');
    expect(first.ran).toBeGreaterThan(0);
    expect(first.ran).toBeLessThan(240);
    expect(await rows(parts, 'SELECT status FROM campaigns')).toEqual([{ status: 'interrupted' }]);

    await expect(runCampaign({ spec: spec(), dbPath: parts, backend: createBackend() })).rejects.toThrow(CampaignConflictError);
    const second = await runCampaign({ spec: spec(), dbPath: parts, backend: createBackend({ batchTrials: 16 }), resume: true });
    expect(second).toMatchObject({ status: 'finished', skipped: first.ran, ran: 240 - first.ran });
    expect(await rows(parts)).toEqual(await rows(whole));
  });

  it('runs one trial at a time through the plain interface with the same results as the batch path', async () => {
    const batch = join(dir, 'batch.duckdb');
    const single = join(dir, 'single.duckdb');
    await runCampaign({ spec: spec(SMALL), dbPath: batch, backend: createBackend() });
    await runCampaign({ spec: spec(SMALL), dbPath: single, backend: oneByOne() });
    expect(await rows(single)).toEqual(await rows(batch));
    const detail = `SELECT (SELECT count(*) FROM rounds) r, (SELECT count(*) FROM probe_gaps) g, (SELECT count(*) FROM events) e`;
    expect(await rows(single, detail)).toEqual(await rows(batch, detail));
  });

  it('resumes a one-by-one campaign after Ctrl-C', async () => {
    const db = join(dir, 'resume.duckdb');
    const controller = new AbortController();
    const first = await runCampaign({ spec: spec(SMALL), dbPath: db, backend: oneByOne(), signal: controller.signal, progress: abortingProgress(controller, 10) });
    expect(first.status).toBe('interrupted');
    expect(first.ran).toBeLessThan(30);
    const second = await runCampaign({ spec: spec(SMALL), dbPath: db, backend: oneByOne(), resume: true });
    expect(second.status).toBe('finished');
    expect(first.ran + second.ran).toBe(30);
    expect(await rows(db, 'SELECT count(DISTINCT trial_id) n, count(*) m FROM trials')).toEqual([{ n: '30', m: '30' }]);
  });

  it('turns a backend that throws into a backend_crashed row and goes on', async () => {
    const db = join(dir, 'crash.duckdb');
    const outcome = await runCampaign({ spec: spec(SMALL), dbPath: db, backend: oneByOne(7) });
    expect(outcome.status).toBe('finished');
    const failed = await rows(db, `SELECT trial_index, failure_reason, detail->>'failure_message' AS error FROM trials WHERE status = 'failed' AND failure_reason = 'backend_crashed'`);
    expect(failed).toEqual([{ trial_index: '7', failure_reason: 'backend_crashed', error: 'simulated backend bug' }]);
    expect(await rows(db, 'SELECT count(*) n FROM trials')).toEqual([{ n: '30' }]);
  });

  it('writes nothing when the backend refuses to start', async () => {
    const db = join(dir, 'refused.duckdb');
    const sim = oneByOne();
    const { BackendSetupError } = await import('../../core/errors.js');
    const refusing: Backend = { ...sim, prepare: async () => { throw new BackendSetupError('no credentials'); } };
    await expect(runCampaign({ spec: spec(), dbPath: db, backend: refusing })).rejects.toThrow('no credentials');
    // not even an empty database: the file this run created is removed again
    expect(existsSync(db)).toBe(false);
  });

  it('gives shards that merge into exactly one run', async () => {
    const { mergeDatabases } = await import('../../core/store/merge.js');
    const whole = join(dir, 'whole.duckdb');
    await runCampaign({ spec: spec(), dbPath: whole, backend: createBackend() });
    const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}.duckdb`));
    for (const [i, db] of shards.entries()) {
      await runCampaign({ spec: spec(), dbPath: db, backend: createBackend(), shard: { index: i, count: 3 } });
    }
    const merged = join(dir, 'merged.duckdb');
    expect(await mergeDatabases(merged, shards)).toEqual({ campaigns: 1, trials: 240 });
    expect(await rows(merged)).toEqual(await rows(whole));
    expect(await rows(merged, 'SELECT planned_trials, status, shard FROM campaigns')).toEqual([
      { planned_trials: '240', status: 'finished', shard: '0/3,1/3,2/3' },
    ]);
    await expect(mergeDatabases(join(dir, 'twice.duckdb'), [shards[0], shards[0]])).rejects.toThrow(/more than one input/);
  });
});
