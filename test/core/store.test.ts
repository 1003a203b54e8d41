import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrialResult } from '../../core/backend.js';
import { buildPlan, trialAt, type Plan } from '../../core/plan/plan.js';
import { addTrialResult, emptyBatch } from '../../core/results/batch.js';
import { nullOutcomes } from '../../core/results/outcomes.js';
import { parseSweep } from '../../core/spec/load.js';
import { Store } from '../../core/store/store.js';

function result(over: Partial<TrialResult>): TrialResult {
  return {
    ...nullOutcomes(),
    status: 'succeeded',
    failure_reason: null,
    total_ms: 1000,
    downtime_ms: 50,
    outage_ms: 60,
    loss_pct: 0.5,
    rtt_p50_ms: 0.2,
    rtt_p99_ms: 0.4,
    transferred_bytes: 1e6,
    rounds: 3,
    throttle_max_pct: 20,
    postcopy_faults: 0,
    tcp_stall_ms: null,
    rounds_detail: [
      { round: 1, phase: 'precopy', start_ms: 0, duration_ms: 900, pages_sent: 100, bytes_sent: 409600, dirty_pages_after: 10, throttle_pct: 0 },
      { round: 2, phase: 'stopcopy', start_ms: 900, duration_ms: 50, pages_sent: 10, bytes_sent: 40960, dirty_pages_after: 0, throttle_pct: 0 },
    ],
    probe_gaps: [{ probe: 'icmp', direction: 'rtt', start_ms: 900, duration_ms: 60, packets_lost: 60 }],
    events: [{ t_ms: 900, source: 'test', kind: 'paused', detail: { why: 'switch-over' } }],
    detail: { accelerator: 'tcg' },
    ...over,
  };
}

describe('store', () => {
  let dir: string;
  let plan: Plan;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'themis-store-'));
    plan = buildPlan(parseSweep('name: s\nrepetitions: 2\naxes:\n  - grid: { mode: [live, cold] }\n', 's.yaml'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function openWithCampaign(): Promise<Store> {
    const store = await Store.open(join(dir, 't.duckdb'));
    await store.insertCampaign({
      campaign_id: 'c1', name: 's', spec_yaml: 'name: s', spec_sha256: 'x', spec_path: 's.yaml', backend: 'simulator',
      themis_version: '0', host: 'h', shard: null, planned_trials: plan.size, status: 'running',
    });
    await store.loadPoints('c1', plan);
    return store;
  }

  it('stores a trial with its parameters, rounds, probe gaps and events, ids derived from the plan', async () => {
    const store = await openWithCampaign();
    const batch = emptyBatch();
    addTrialResult(batch, 2, result({}), Date.UTC(2026, 0, 1), 1234);
    addTrialResult(batch, 3, result({ status: 'failed', failure_reason: 'not_converged', total_ms: null, rounds_detail: [], probe_gaps: [], events: [], detail: {} }), 0, 5);
    await store.appendBatch('c1', 'simulator', plan, batch);
    const rows = (await store.connection.runAndReadAll(
      `SELECT trial_id, trial_index, point_id, repetition, seed, mode, memory_mib, max_bandwidth_mib_s, status, failure_reason,
              total_ms, detail->>'accelerator' AS acc, params->>'mode' AS pmode FROM trials ORDER BY trial_index`,
    )).getRowObjectsJS();
    const t2 = trialAt(plan, 2);
    expect(rows).toEqual([
      { trial_id: t2.trial_id, trial_index: 2n, point_id: t2.point_id, repetition: 0, seed: BigInt(t2.seed), mode: 'cold', memory_mib: 512,
        max_bandwidth_mib_s: 128, status: 'succeeded', failure_reason: null, total_ms: 1000, acc: 'tcg', pmode: 'cold' },
      { trial_id: trialAt(plan, 3).trial_id, trial_index: 3n, point_id: t2.point_id, repetition: 1, seed: BigInt(trialAt(plan, 3).seed),
        mode: 'cold', memory_mib: 512, max_bandwidth_mib_s: 128, status: 'failed', failure_reason: 'not_converged', total_ms: null, acc: null, pmode: 'cold' },
    ]);
    const detail = (await store.connection.runAndReadAll(
      `SELECT (SELECT count(*) FROM rounds WHERE trial_id = $id) r, (SELECT count(*) FROM probe_gaps WHERE trial_id = $id) g,
              (SELECT detail->>'why' FROM events WHERE trial_id = $id) why`, { id: t2.trial_id },
    )).getRowObjectsJS()[0];
    expect(detail).toEqual({ r: 2n, g: 1n, why: 'switch-over' });
    expect([...(await store.storedTrialIndices('c1'))].sort()).toEqual([2, 3]);
    store.close();
  });

  it('stores a batch whole or not at all', async () => {
    const store = await openWithCampaign();
    const batch = emptyBatch();
    addTrialResult(batch, 0, result({}), 0, 1);
    addTrialResult(batch, 1, result({}), 0, 1);
    batch.trials.detail[1] = '{not json'; // the second trial's insert fails inside the transaction
    await expect(store.appendBatch('c1', 'simulator', plan, batch)).rejects.toThrow();
    const counts = (await store.connection.runAndReadAll(
      `SELECT (SELECT count(*) FROM trials) t, (SELECT count(*) FROM rounds) r, (SELECT count(*) FROM stage_trials) s`,
    )).getRowObjectsJS()[0];
    expect(counts).toEqual({ t: 0n, r: 0n, s: 0n });
    // The store is still usable afterwards.
    const good = emptyBatch();
    addTrialResult(good, 0, result({}), 0, 1);
    await store.appendBatch('c1', 'simulator', plan, good);
    expect((await store.storedTrialIndices('c1')).size).toBe(1);
    store.close();
  });

  it('a campaign stopped before its first commit has no stored trials (and no crash)', async () => {
    const store = await openWithCampaign();
    expect((await store.storedTrialIndices('c1')).size).toBe(0);
    expect((await store.storedTrialIndices('no-such-campaign')).size).toBe(0);
    store.close();
  });

  it('deletes a campaign with all its rows', async () => {
    const store = await openWithCampaign();
    const batch = emptyBatch();
    addTrialResult(batch, 0, result({}), 0, 1);
    await store.appendBatch('c1', 'simulator', plan, batch);
    await store.deleteCampaign('c1');
    expect(await store.findCampaign('c1')).toBeNull();
    const n = (await store.connection.runAndReadAll(`SELECT (SELECT count(*) FROM trials) + (SELECT count(*) FROM rounds) + (SELECT count(*) FROM events) AS n`)).getRowObjectsJS()[0];
    expect(n).toEqual({ n: 0n });
    store.close();
  });

  it('opens a database made before a parameter existed: the column is added with its default, new campaigns append by name', async () => {
    const old = await openWithCampaign();
    const batch = emptyBatch();
    addTrialResult(batch, 0, result({}), 0, 1);
    await old.appendBatch('c1', 'simulator', plan, batch);
    // what a database of the previous release looks like: no orchestrator_paused_ms / orchestrator_after_ms
    await old.connection.run('DROP VIEW trials');
    await old.connection.run('DROP VIEW trial_timeline');
    await old.connection.run('ALTER TABLE points DROP COLUMN orchestrator_paused_ms');
    await old.connection.run('ALTER TABLE points DROP COLUMN orchestrator_after_ms');
    old.close();

    const store = await Store.open(join(dir, 't.duckdb'));
    const cols = (await store.connection.runAndReadAll(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'points' AND column_name LIKE 'orchestrator_%' ORDER BY ALL`,
    )).getRowsJS().map((r) => r[0]);
    expect(cols).toEqual(['orchestrator_after_ms', 'orchestrator_overhead_ms', 'orchestrator_paused_ms']);
    // the new columns sit after `params` now; a second campaign's points must still land in the right columns
    const plan2 = buildPlan(parseSweep('name: t\nparameters: { orchestrator_paused_ms: 250, memory_mib: 1024 }\n', 't.yaml'));
    await store.insertCampaign({
      campaign_id: 'c2', name: 't', spec_yaml: 'name: t', spec_sha256: 'y', spec_path: 't.yaml', backend: 'simulator',
      themis_version: '0', host: 'h', shard: null, planned_trials: plan2.size, status: 'running',
    });
    await store.loadPoints('c2', plan2);
    const b2 = emptyBatch();
    addTrialResult(b2, 0, result({}), 0, 1);
    await store.appendBatch('c2', 'simulator', plan2, b2);
    const rows = (await store.connection.runAndReadAll(
      `SELECT campaign_id, memory_mib, orchestrator_paused_ms, orchestrator_after_ms, json_extract(params, '$.memory_mib')::DOUBLE AS json_mib
       FROM trials ORDER BY campaign_id`,
    )).getRowObjectsJS();
    expect(rows).toEqual([
      { campaign_id: 'c1', memory_mib: 512, orchestrator_paused_ms: 0, orchestrator_after_ms: 0, json_mib: null },
      { campaign_id: 'c2', memory_mib: 1024, orchestrator_paused_ms: 250, orchestrator_after_ms: 0, json_mib: 1024 },
    ]);
    store.close();
  });
});
