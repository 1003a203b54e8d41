/**
 * DuckDB ingest speed: trials (with 4 rounds, 1 probe gap and 2 events each) appended through the store's
 * staged batch path, as the engine does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan } from '../core/plan/plan.js';
import { emptyBatch, reserveEvent, reserveProbeGap, reserveRound, reserveTrial, setOutcomeRow, type ResultBatch } from '../core/results/batch.js';
import { OUTCOME_COUNT, OUTCOME_INDEX as O } from '../core/results/outcomes.js';
import { parseSweep } from '../core/spec/load.js';
import { Store } from '../core/store/store.js';

/** A batch as the simulator makes it; the outcomes not every trial has (post-copy, TCP) are NULL (NaN). */
export function syntheticBatch(first: number, count: number, withDetail: boolean): ResultBatch {
  const b = emptyBatch(count);
  const row = new Float64Array(OUTCOME_COUNT);
  for (let k = 0; k < count; k++) {
    const i = reserveTrial(b);
    const t = b.trials;
    t.index[i] = first + k;
    const failed = k % 10 === 9; // a failed trial in ten: a reason, and the outcomes it never measured NULL
    t.succeeded[i] = failed ? 0 : 1;
    t.failure_reason[i] = failed ? 0 : -1;
    row[O.total_ms] = 1000 + k;
    row[O.downtime_ms] = failed ? Number.NaN : 40;
    row[O.outage_ms] = 60;
    row[O.loss_pct] = 1;
    row[O.rtt_p50_ms] = 0.2;
    row[O.rtt_p99_ms] = 0.3;
    row[O.transferred_bytes] = 1e9;
    row[O.rounds] = 4;
    row[O.throttle_max_pct] = 0;
    row[O.postcopy_faults] = Number.NaN;
    row[O.tcp_stall_ms] = Number.NaN;
    setOutcomeRow(t, i, row);
    t.started_at_ms[i] = 0;
    t.wall_ms[i] = 0;
    if (!withDetail) continue;
    for (let r = 0; r < 4; r++) {
      const j = reserveRound(b);
      b.rounds.trial[j] = first + k;
      b.rounds.round[j] = r + 1;
      b.rounds.phase[j] = 'precopy';
    }
    const g = reserveProbeGap(b);
    b.probe_gaps.trial[g] = first + k;
    b.probe_gaps.probe[g] = 'icmp';
    b.probe_gaps.direction[g] = 'rtt';
    for (let e = 0; e < 2; e++) {
      const j = reserveEvent(b);
      b.events.trial[j] = first + k;
      b.events.source[j] = 'simulator';
      b.events.kind[j] = e === 0 ? 'paused' : 'resumed';
      b.events.detail[j] = null;
    }
  }
  return b;
}

export async function benchIngest(trials = 200_000, withDetail = true): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-bench-ingest-'));
  try {
    const plan = buildPlan(parseSweep(`name: ingest\nrepetitions: ${trials / 2}\naxes:\n  - grid: { mode: [live, cold] }\n`, 'bench'));
    const store = await Store.open(join(dir, 'ingest.duckdb'));
    await store.insertCampaign({
      campaign_id: 'bench', name: 'ingest', spec_yaml: '', spec_sha256: '', spec_path: null, backend: 'simulator',
      themis_version: '0', host: 'bench', shard: null, planned_trials: trials, status: 'running',
    });
    await store.loadPoints('bench', plan);
    const batchSize = 8192;
    const batches: ResultBatch[] = [];
    for (let first = 0; first < trials; first += batchSize) batches.push(syntheticBatch(first, Math.min(batchSize, trials - first), withDetail));
    const t0 = performance.now();
    // As the engine does: about a DuckDB row group of trials per transaction.
    for (let k = 0; k < batches.length; k += 16) await store.appendBatches('bench', 'simulator', plan, batches.slice(k, k + 16));
    const seconds = (performance.now() - t0) / 1000;
    store.close();
    const rowsPerTrial = withDetail ? 8 : 1;
    const label = withDetail ? 'with_detail' : 'trials_only';
    return {
      [`ingest_${label}_trials_per_s`]: Math.round(trials / seconds),
      [`ingest_${label}_rows_per_s`]: Math.round((trials * rowsPerTrial) / seconds),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log({ ...(await benchIngest(200_000, true)), ...(await benchIngest(500_000, false)) });
}
