import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAILURE_REASONS, type TrialResult } from '../../core/backend.js';
import { buildPlan, trialAt } from '../../core/plan/plan.js';
import { addTrialResult, emptyBatch } from '../../core/results/batch.js';
import { OUTCOME_NAMES, nullOutcomes } from '../../core/results/outcomes.js';
import { parseSweep } from '../../core/spec/load.js';
import { appendColumns, CHUNK_ROWS } from '../../core/store/append.js';
import { openDatabase, type Database } from '../../core/store/open.js';
import { Store } from '../../core/store/store.js';

/** Several chunks and a partial one, so chunk edges (rows 2047/2048) are crossed. */
const ROWS = CHUNK_ROWS * 2 + 17;

describe('columnar append (core/store/append.ts)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await openDatabase(':memory:');
  });
  afterEach(() => db.close());

  it('writes exactly the rows of every column kind, NaN and null as NULL, across chunk edges', async () => {
    const f = Float64Array.from({ length: ROWS }, (_, i) => (i % 7 === 3 || i === CHUNK_ROWS - 1 || i === CHUNK_ROWS || i === ROWS - 1 ? Number.NaN : i * 1.5 - 100));
    const i32 = Int32Array.from({ length: ROWS }, (_, i) => i * (i % 2 === 0 ? 1 : -1) * 1000);
    const u32 = Uint32Array.from({ length: ROWS }, (_, i) => 4_000_000_000 - i);
    const i8 = Int8Array.from({ length: ROWS }, (_, i) => (i % 11) - 1);
    const u8 = Uint8Array.from({ length: ROWS }, (_, i) => i % 2);
    const text = Array.from({ length: ROWS }, (_, i) => (i % 5 === 0 ? null : i % 3 === 0 ? `a longer text than twelve bytes ü ${i}` : `s${i}`));
    await db.connection.run('CREATE TEMP TABLE t (f DOUBLE, i32 INTEGER, u32 UINTEGER, i8 TINYINT, u8 UTINYINT, s VARCHAR)');
    await appendColumns(db.connection, 't', [f, i32, u32, i8, u8, text], ROWS);
    const rows = (await db.connection.runAndReadAll('SELECT * FROM t ORDER BY u32 DESC')).getRowsJS();
    expect(rows.length).toBe(ROWS);
    const expected = Array.from({ length: ROWS }, (_, i) => [Number.isNaN(f[i]) ? null : f[i], i32[i], u32[i], i8[i], u8[i], text[i]]);
    expect(rows).toEqual(expected);
  });

  it('writes only the filled rows of longer arrays, and refuses a column shorter than the rows asked', async () => {
    await db.connection.run('CREATE TEMP TABLE t (x DOUBLE, s VARCHAR)');
    await appendColumns(db.connection, 't', [new Float64Array([1, 2, 3, 4]), ['a', 'b', 'c', 'd']], 2);
    expect((await db.connection.runAndReadAll('SELECT * FROM t ORDER BY x')).getRowsJS()).toEqual([[1, 'a'], [2, 'b']]);
    await expect(appendColumns(db.connection, 't', [new Float64Array(3), ['a']], 3)).rejects.toThrow(/1 values, 3 rows/);
  });
});

describe('the store writes a batch column by column', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'themis-columnar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function result(i: number): TrialResult {
    const failed = i % 4 === 1;
    const outcomes = nullOutcomes();
    OUTCOME_NAMES.forEach((name, k) => {
      // every outcome NULL in some trials and set in others, never the same pattern twice
      if ((i + k) % 3 !== 0) outcomes[name] = name === 'rounds' || name === 'postcopy_faults' ? i % 9 : i + k / 8;
    });
    return {
      ...outcomes,
      status: failed ? 'failed' : 'succeeded',
      failure_reason: failed ? FAILURE_REASONS[i % FAILURE_REASONS.length] : null,
      rounds_detail: Array.from({ length: i % 3 }, (_, r) => ({
        round: r + 1, phase: r === 0 ? 'precopy' : 'stopcopy', start_ms: i + r, duration_ms: r * 2, pages_sent: i, bytes_sent: i * 4096,
        dirty_pages_after: r, throttle_pct: 10 * r,
      })),
      probe_gaps: i % 2 === 0 ? [{ probe: 'icmp', direction: 'rtt', start_ms: i, duration_ms: 7.5, packets_lost: 3 }] : [],
      events: [{ t_ms: i / 2, source: 'test', kind: i % 2 === 0 ? 'paused' : 'resumed', detail: i % 2 === 0 ? { n: i } : null }],
      detail: i % 5 === 0 ? { accelerator: 'tcg', i } : {},
    };
  }

  it('stores exactly the batch: every trial, outcome (NULLs included), failure reason and detail row', async () => {
    const trials = CHUNK_ROWS + 300;
    const plan = buildPlan(parseSweep(`name: c\nrepetitions: ${trials / 2}\naxes:\n  - grid: { mode: [live, cold] }\n`, 'c.yaml'));
    const store = await Store.open(join(dir, 'c.duckdb'));
    await store.insertCampaign({
      campaign_id: 'c', name: 'c', spec_yaml: '', spec_sha256: '', spec_path: null, backend: 'simulator',
      themis_version: '0', host: 'h', shard: null, planned_trials: trials, status: 'running',
    });
    await store.loadPoints('c', plan);
    const batch = emptyBatch(4);
    const results = Array.from({ length: trials }, (_, i) => result(i));
    results.forEach((r, i) => addTrialResult(batch, i, r, Date.UTC(2026, 0, 1) + i, i / 4));
    await store.appendBatch('c', 'simulator', plan, batch);
    const c = store.connection;
    const rows = (await c.runAndReadAll(`SELECT trial_id, seed, status, failure_reason, ${OUTCOME_NAMES.join(', ')},
      epoch_ms(started_at) AS started_ms, wall_ms, detail::VARCHAR AS detail FROM trials ORDER BY trial_index`)).getRowObjectsJS();
    expect(rows.length).toBe(trials);
    rows.forEach((row, i) => {
      const r = results[i];
      const t = trialAt(plan, i);
      expect(row).toEqual({
        trial_id: t.trial_id, seed: BigInt(t.seed), status: r.status, failure_reason: r.failure_reason,
        ...Object.fromEntries(OUTCOME_NAMES.map((n) => [n, r[n]])),
        started_ms: BigInt(Date.UTC(2026, 0, 1) + i), wall_ms: i / 4,
        detail: Object.keys(r.detail).length > 0 ? JSON.stringify(r.detail) : null,
      });
    });
    const rounds = (await c.runAndReadAll(`SELECT trial_id, round, phase, start_ms, duration_ms, pages_sent, bytes_sent,
      dirty_pages_after, throttle_pct FROM rounds ORDER BY start_ms, round`)).getRowsJS();
    const expectedRounds = results.flatMap((r, i) => r.rounds_detail.map((d) => [trialAt(plan, i).trial_id, d.round, d.phase,
      d.start_ms, d.duration_ms, d.pages_sent, d.bytes_sent, d.dirty_pages_after, d.throttle_pct]));
    expect(rounds).toEqual(expectedRounds.sort((a, b) => Number(a[3]) - Number(b[3]) || Number(a[1]) - Number(b[1])));
    const gaps = (await c.runAndReadAll('SELECT trial_id, probe, direction, start_ms, duration_ms, packets_lost FROM probe_gaps ORDER BY start_ms')).getRowsJS();
    expect(gaps).toEqual(results.flatMap((r, i) => r.probe_gaps.map((g) => [trialAt(plan, i).trial_id, g.probe, g.direction, g.start_ms, g.duration_ms, g.packets_lost])));
    const events = (await c.runAndReadAll('SELECT trial_id, t_ms, source, kind, detail::VARCHAR FROM events ORDER BY t_ms')).getRowsJS();
    expect(events).toEqual(results.flatMap((r, i) => r.events.map((e) => [trialAt(plan, i).trial_id, e.t_ms, e.source, e.kind,
      e.detail === null ? null : JSON.stringify(e.detail)])));
    store.close();
  });
});
