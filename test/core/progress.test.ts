/**
 * Progress means stored: the engine reports trials the backend finished (`advance`), each commit as it starts
 * (`storing`) and, after it returns, the count committed so far (`stored`). Captured through the engine API on
 * the real simulator and DuckDB: the stored counts are monotone, each follows its `storing`, and the last one
 * equals the trials in the database — for the batch path, the one-trial-per-commit path, and a resumed run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend.js';
import { runCampaign } from '../../core/engine/engine.js';
import type { Progress } from '../../core/engine/progress.js';
import { parseSweep } from '../../core/spec/load.js';
import type { CampaignSpec } from '../../core/spec/sweep.js';
import { Store } from '../../core/store/store.js';
import { createBackend } from '../../simulator/backend.js';

const SWEEP = `name: progress
seed: 3
repetitions: 20
parameters: { memory_mib: 1024, working_set_mib: 128 }
axes:
  - grid: { mode: [live, cold, postcopy], dirty_rate_pages_s: [0, 20000] }
`;

const spec = (text = SWEEP): CampaignSpec => ({
  sweep: parseSweep(text, 'progress.yaml'), source_yaml: text, source_sha256: 'b'.repeat(64), source_path: 'progress.yaml',
});

type Event = { kind: 'start' | 'advance' | 'storing' | 'stored' | 'stop'; n: number };

/** Records every call; aborts the run once `abortAfter` trials are stored. */
function recording(events: Event[], abort?: { controller: AbortController; after: number }): Progress {
  return {
    start: (total) => events.push({ kind: 'start', n: total }),
    advance: (n) => events.push({ kind: 'advance', n }),
    storing: (n) => events.push({ kind: 'storing', n }),
    stored: (n) => {
      events.push({ kind: 'stored', n });
      if (abort && n >= abort.after) abort.controller.abort();
    },
    stop: () => events.push({ kind: 'stop', n: 0 }),
  };
}

/** The simulator through the plain Backend interface: one trial per commit. */
function oneByOne(): Backend {
  const sim = createBackend();
  return { name: 'simulator', maxConcurrency: 2, prepare: (c, s) => sim.prepare(c, s), runTrial: (t, s) => sim.runTrial(t, s), dispose: () => sim.dispose() };
}

async function storedInDb(db: string): Promise<number> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return Number((await store.connection.runAndReadAll('SELECT count(*) FROM trial_results')).getColumns()[0][0]);
  } finally {
    store.close();
  }
}

/** The invariants every run's reports keep; returns the stored counts in order. */
function checkSequence(events: Event[]): number[] {
  expect(events[0].kind).toBe('start');
  expect(events.at(-1)!.kind).toBe('stop');
  const stored = events.filter((e) => e.kind === 'stored').map((e) => e.n);
  for (let i = 1; i < stored.length; i++) expect(stored[i]).toBeGreaterThan(stored[i - 1]);
  let computed = 0;
  let open: number | null = null;
  let last = 0;
  for (const e of events) {
    if (e.kind === 'advance') computed += e.n;
    if (e.kind === 'storing') {
      expect(open, 'a commit starts while another is open').toBeNull();
      open = e.n;
    }
    if (e.kind === 'stored') {
      expect(open, 'stored without storing').not.toBeNull();
      expect(e.n - last).toBe(open); // the commit stored what it said it would
      expect(e.n).toBeLessThanOrEqual(computed); // never more stored than run
      last = e.n;
      open = null;
    }
  }
  return stored;
}

describe('progress counts trials committed to DuckDB', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'themis-progress-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('batch path: storing then stored, ending at the stored count', async () => {
    const db = join(dir, 'batch.duckdb');
    const events: Event[] = [];
    const out = await runCampaign({ spec: spec(), dbPath: db, backend: createBackend({ batchTrials: 16 }), progress: recording(events) });
    const stored = checkSequence(events);
    expect(events[0].n).toBe(120);
    expect(stored.at(-1)).toBe(120);
    expect(out.ran).toBe(120);
    expect(await storedInDb(db)).toBe(120);
    // the last report before stop is a stored count, not a computed one: the bar reaches 100 % only when stored
    expect(events.at(-2)).toEqual({ kind: 'stored', n: 120 });
  });

  it('one trial per commit: every commit reported, 1, 2, … N', async () => {
    const db = join(dir, 'one.duckdb');
    const events: Event[] = [];
    const small = SWEEP.replace('repetitions: 20', 'repetitions: 3');
    await runCampaign({ spec: spec(small), dbPath: db, backend: oneByOne(), progress: recording(events) });
    const stored = checkSequence(events);
    expect(stored).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(await storedInDb(db)).toBe(18);
  });

  it('an interrupted run and its resume each end at what they stored', async () => {
    const db = join(dir, 'resume.duckdb');
    const first: Event[] = [];
    const controller = new AbortController();
    const small = SWEEP.replace('repetitions: 20', 'repetitions: 4');
    const a = await runCampaign({ spec: spec(small), dbPath: db, backend: oneByOne(), progress: recording(first, { controller, after: 5 }), signal: controller.signal });
    expect(a.status).toBe('interrupted');
    const storedA = checkSequence(first).at(-1)!;
    expect(storedA).toBe(await storedInDb(db));
    const second: Event[] = [];
    const b = await runCampaign({ spec: spec(small), dbPath: db, backend: oneByOne(), resume: true, progress: recording(second) });
    expect(second[0].n).toBe(24 - storedA);
    expect(checkSequence(second).at(-1)).toBe(b.ran);
    expect(storedA + b.ran).toBe(await storedInDb(db));
    expect(await storedInDb(db)).toBe(24);
  });
});
