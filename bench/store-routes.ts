/**
 * Routes into DuckDB for the same batches of trial outcomes (bench/ingest.ts's synthetic batches, a failed trial
 * in ten with NULLs), each into a fresh database file, one transaction per ~row group as the engine commits:
 *   - store: the store's path (core/store/append.ts: data chunks filled from the typed arrays → staging → INSERT … SELECT)
 *   - values_appender: the path before it (`DuckDBDataChunk.setColumnValues`, value by value, same staging and INSERT)
 *   - typed_chunks_raw: append.ts's chunks straight into a table of the batch's own shape (no staging, no INSERT):
 *     the ceiling of the chunk route
 *   - arrow_ipc: Arrow IPC (apache-arrow) read by DuckDB's arrow scan, when the nanoarrow extension is installed
 *   - reference: DuckDB's own INSERT … SELECT of the same `trial_results` columns computed from range()
 * Prints rows/s of each and its ratio to the reference, measured in the same run (the machine may be loaded).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { buildPlan, type Plan } from '../core/plan/plan.js';
import type { ResultBatch } from '../core/results/batch.js';
import { OUTCOMES, OUTCOME_NAMES } from '../core/results/outcomes.js';
import { parseSweep } from '../core/spec/load.js';
import { appendColumns, columnSqlType, type ColumnValues } from '../core/store/append.js';
import { Store } from '../core/store/store.js';
import { syntheticBatch } from './ingest.js';

const BATCH = 8192;
const BATCHES_PER_TRANSACTION = 16; // the engine's TRIALS_PER_TRANSACTION, in batches

interface Setup {
  dir: string;
  plan: Plan;
  batches: ResultBatch[];
  trials: number;
}

async function openStore(setup: Setup, name: string): Promise<Store> {
  const store = await Store.open(join(setup.dir, `${name}.duckdb`));
  await store.insertCampaign({
    campaign_id: 'bench', name, spec_yaml: '', spec_sha256: '', spec_path: null, backend: 'simulator',
    themis_version: '0', host: 'bench', shard: null, planned_trials: setup.trials, status: 'running',
  });
  await store.loadPoints('bench', setup.plan);
  return store;
}

const trialColumns = (b: ResultBatch): ColumnValues[] => {
  const t = b.trials;
  return [t.index, new Float64Array(b.nTrials), t.succeeded, t.failure_reason, ...t.outcomes, t.started_at_ms, t.wall_ms, t.detail];
};

/** Wall and CPU seconds (all threads of this process: DuckDB's too); on a loaded machine CPU is the steadier figure. */
interface Took {
  wall: number;
  cpu: number;
}

async function timed(work: () => Promise<void>): Promise<Took> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

async function routeStore(setup: Setup): Promise<Took> {
  const store = await openStore(setup, 'store');
  try {
    return await timed(async () => {
      for (let k = 0; k < setup.batches.length; k += BATCHES_PER_TRANSACTION) {
        await store.appendBatches('bench', 'simulator', setup.plan, setup.batches.slice(k, k + BATCHES_PER_TRANSACTION));
      }
    });
  } finally {
    store.close();
  }
}

/** The store's path before the columnar one: each value through setColumnValues, staged as the INSERT expects. */
async function valuesAppender(c: DuckDBConnection, b: ResultBatch): Promise<void> {
  const cols = trialColumns(b);
  const appender = await c.createAppender('stage_values', 'main', 'temp');
  const types = [INTEGER, DOUBLE, INTEGER, INTEGER, ...OUTCOME_NAMES.map(() => DOUBLE), DOUBLE, DOUBLE, VARCHAR];
  for (let start = 0; start < b.nTrials; start += 2048) {
    const end = Math.min(b.nTrials, start + 2048);
    const chunk = DuckDBDataChunk.create(types, end - start);
    cols.forEach((col, i) => chunk.setColumnValues(i, Array.from(col.slice(start, end) as ArrayLike<DuckDBValue>)));
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}

const insertFromStage = (stage: string) => `INSERT INTO trial_results BY NAME SELECT 'bench' AS campaign_id, s.trial_index,
  s.trial_index // 2 AS point_index, s.trial_index % 2 AS repetition, s.seed::UBIGINT AS seed, 'simulator' AS backend,
  CASE WHEN s.succeeded = 1 THEN 'succeeded' ELSE 'failed' END AS status,
  CASE WHEN s.failure_code >= 0 THEN 'not_converged' END AS failure_reason,
  ${OUTCOMES.map((o) => `nullif(s.${o.name}, 'nan'::DOUBLE)::${o.sql} AS ${o.name}`).join(', ')},
  make_timestamptz((s.started_at_ms * 1000)::BIGINT) AS started_at, s.wall_ms, s.detail::JSON AS detail FROM ${stage} s`;

async function routeValues(setup: Setup): Promise<Took> {
  const store = await openStore(setup, 'values');
  const c = store.connection;
  await c.run(`CREATE TEMP TABLE stage_values (trial_index INTEGER, seed DOUBLE, succeeded INTEGER, failure_code INTEGER,
    ${OUTCOME_NAMES.map((n) => `${n} DOUBLE`).join(', ')}, started_at_ms DOUBLE, wall_ms DOUBLE, detail VARCHAR)`);
  try {
    return await timed(async () => {
      for (let k = 0; k < setup.batches.length; k += BATCHES_PER_TRANSACTION) {
        await c.run('BEGIN TRANSACTION');
        for (const b of setup.batches.slice(k, k + BATCHES_PER_TRANSACTION)) await valuesAppender(c, b);
        await c.run(insertFromStage('stage_values'));
        await c.run('DELETE FROM stage_values');
        await c.run('COMMIT');
      }
    });
  } finally {
    store.close();
  }
}

async function routeRawChunks(setup: Setup): Promise<Took> {
  const store = await openStore(setup, 'raw');
  const c = store.connection;
  const names = ['trial_index', 'seed', 'succeeded', 'failure_code', ...OUTCOME_NAMES, 'started_at_ms', 'wall_ms', 'detail'];
  const shape = trialColumns(setup.batches[0]);
  await c.run(`CREATE TABLE raw_trials (${names.map((n, i) => `${n} ${columnSqlType(shape[i])}`).join(', ')})`);
  try {
    return await timed(async () => {
      for (let k = 0; k < setup.batches.length; k += BATCHES_PER_TRANSACTION) {
        await c.run('BEGIN TRANSACTION');
        for (const b of setup.batches.slice(k, k + BATCHES_PER_TRANSACTION)) await appendColumns(c, 'raw_trials', trialColumns(b), b.nTrials, undefined, null);
        await c.run('COMMIT');
      }
    });
  } finally {
    store.close();
  }
}

/** Arrow IPC needs DuckDB's nanoarrow community extension; it is not bundled, and the bench downloads nothing. */
async function routeArrow(setup: Setup): Promise<number | string> {
  const store = await openStore(setup, 'arrow');
  try {
    await store.connection.run('LOAD nanoarrow');
    return 'nanoarrow loaded but the route is not written: measure before keeping it';
  } catch (err) {
    return `unavailable (${String(err instanceof Error ? err.message : err).split('\n')[0].slice(0, 90)})`;
  } finally {
    store.close();
  }
}

/** DuckDB's own rate for the same columns, computed from range() in the same transactions. */
async function routeReference(setup: Setup, name: string): Promise<Took> {
  const store = await openStore(setup, name);
  const c = store.connection;
  const per = BATCH * BATCHES_PER_TRANSACTION;
  const value = (o: (typeof OUTCOMES)[number], k: number) =>
    o.name === 'postcopy_faults' || o.name === 'tcp_stall_ms' ? 'NULL' : `(1000 + i % 97 + ${k})::${o.sql}`;
  try {
    return await timed(async () => {
      for (let a = 0; a < setup.trials; a += per) {
        await c.run('BEGIN TRANSACTION');
        await c.run(`INSERT INTO trial_results BY NAME SELECT 'bench' AS campaign_id, i AS trial_index, (i // 2)::INTEGER AS point_index,
          (i % 2)::INTEGER AS repetition, hash(i) AS seed, 'simulator' AS backend,
          CASE WHEN i % 10 = 9 THEN 'failed' ELSE 'succeeded' END AS status,
          CASE WHEN i % 10 = 9 THEN 'not_converged' END AS failure_reason,
          ${OUTCOMES.map((o, k) => `${value(o, k)} AS ${o.name}`).join(', ')},
          make_timestamptz(0::BIGINT) AS started_at, 0.0 AS wall_ms, NULL::JSON AS detail
          FROM range(${a}, ${Math.min(setup.trials, a + per)}) t(i)`);
        await c.run('COMMIT');
      }
    });
  } finally {
    store.close();
  }
}

export async function benchStoreRoutes(trials = 1_000_000): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-bench-routes-'));
  try {
    const plan = buildPlan(parseSweep(`name: routes\nrepetitions: ${trials / 2}\naxes:\n  - grid: { mode: [live, cold] }\n`, 'bench'));
    const batches: ResultBatch[] = [];
    for (let first = 0; first < trials; first += BATCH) batches.push(syntheticBatch(first, Math.min(BATCH, trials - first), false));
    const setup: Setup = { dir, plan, batches, trials };
    // The reference first and last: the machine's load changes while the routes run; the ratio uses their mean.
    const ref1 = await routeReference(setup, 'reference-1');
    const took: Record<string, Took> = {
      store: await routeStore(setup),
      values_appender: await routeValues(setup),
      typed_chunks_raw: await routeRawChunks(setup),
    };
    const arrow = await routeArrow(setup);
    const ref2 = await routeReference(setup, 'reference-2');
    const ref = { wall: (ref1.wall + ref2.wall) / 2, cpu: (ref1.cpu + ref2.cpu) / 2 };
    process.stderr.write(`  store route arrow_ipc: ${arrow}\n`);
    const out: Record<string, number> = {
      routes_trials: trials,
      routes_reference_insert_select_rows_per_s: Math.round(trials / ref.wall),
      routes_reference_insert_select_rows_per_cpu_s: Math.round(trials / ref.cpu),
    };
    for (const [name, t] of Object.entries(took)) {
      out[`routes_${name}_rows_per_s`] = Math.round(trials / t.wall);
      out[`routes_${name}_vs_reference`] = Number((ref.wall / t.wall).toFixed(2));
      out[`routes_${name}_rows_per_cpu_s`] = Math.round(trials / t.cpu);
      out[`routes_${name}_vs_reference_cpu`] = Number((ref.cpu / t.cpu).toFixed(2));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const trials = Number(process.argv[2] ?? 1_000_000);
  console.log(await benchStoreRoutes(trials));
}
