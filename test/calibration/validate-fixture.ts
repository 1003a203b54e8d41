/**
 * A tiny real dataset for the validate tests, cut from the committed qemu-tcg dataset (real QEMU 10 TCG rows):
 * live and suspend × dirty rate 0, 2,000 and 10,000 × cap 32 and unlimited, 3 repetitions = 36 trials (live at 10,000 pages/s under 32 MiB/s did not converge), with their
 * rounds, probe gaps and events — written as a dataset folder (five Parquet files), optionally with a column
 * dropped or added, and the simulator sweep that mirrors it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SOURCE = resolve('datasets/qemu-tcg');
export const SUBSET = `mode IN ('live', 'suspend') AND dirty_rate_pages_s IN (0, 2000, 10000) AND max_bandwidth_mib_s IN ('32', 'unlimited')`;

export interface FixtureOptions {
  /** trials.parquet without this column */
  drop?: string;
  /** trials.parquet with this extra column (SQL expression AS name) */
  add?: string;
}

export async function writeRealDataset(dir: string, o: FixtureOptions = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const src = (t: string) => `read_parquet('${join(SOURCE, `${t}.parquet`)}')`;
    const out = (t: string) => `'${join(dir, `${t}.parquet`)}'`;
    const select = o.drop ? `* EXCLUDE (${o.drop})` : '*';
    await c.run(`CREATE TEMP TABLE t AS SELECT ${select}${o.add ? `, ${o.add}` : ''} FROM ${src('trials')} WHERE ${SUBSET}`);
    await c.run(`COPY t TO ${out('trials')} (FORMAT parquet)`);
    await c.run(`COPY (SELECT * FROM ${src('campaigns')}) TO ${out('campaigns')} (FORMAT parquet)`);
    for (const table of ['rounds', 'probe_gaps', 'events']) {
      await c.run(`COPY (SELECT * FROM ${src(table)} WHERE trial_id IN (SELECT trial_id FROM t)) TO ${out(table)} (FORMAT parquet)`);
    }
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** The simulator sweep of the subset: qemu-matrix's fixed settings plus the guest facts (sweeps/qemu-tcg-model.yaml). */
export function mirrorSweep(o: { name?: string; dirtyRates?: string; memory?: number; extraGrid?: string } = {}): string {
  return `name: ${o.name ?? 'tiny-model'}
backend: simulator
seed: 5
repetitions: 7
parameters:
  memory_mib: ${o.memory ?? 512}
  working_set_mib: 256
  dirty_pattern: uniform
  downtime_limit_ms: 300
  postcopy_after_rounds: 2
  timeout_s: 20
  probe_interval_ms: 1
  nonzero_share: 0.66
  link_bandwidth_mib_s: 350
axes:
  - grid:
      dirty_rate_pages_s: [${o.dirtyRates ?? '0, 2000, 10000'}]
      max_bandwidth_mib_s: [32, unlimited]
      mode: [live, suspend]
${o.extraGrid ?? ''}`;
}
