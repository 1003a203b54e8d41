/**
 * kill -9 at random moments of a simulator campaign (the first ones before its first commit), each time
 * continued with --resume, then completed: the stored campaign equals one uninterrupted run — no trial lost,
 * none twice, every row identical. THEMIS_CHAOS_KILLS (npm run chaos: 40) sets how many kills; the moments
 * come from a seeded generator (THEMIS_CHAOS_SEED) and are printed, so a failure can be replayed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { campaignHashes, type TableColumns } from '../support/campaign-hash.js';
import { themisCli as themis } from '../support/cli.js';
import { sleep, spawnThemis, waitForFile } from '../support/spawn.js';

const KILLS = Number(process.env.THEMIS_CHAOS_KILLS ?? 10);
const SEED = Number(process.env.THEMIS_CHAOS_SEED ?? 20261125);
const TRIALS = 12_000;
const SWEEP = `name: chaos
seed: 11
repetitions: 2000
parameters: { memory_mib: 2048, dirty_rate_pages_s: 20000, working_set_mib: 512 }
axes:
  - grid: { mode: [live, cold, postcopy, suspend, hybrid, cold-hard] }
`;
const COLUMNS: TableColumns = {
  trials: ['trial_id', 'trial_index', 'seed', 'mode', 'status', 'failure_reason', 'total_ms', 'downtime_ms', 'outage_ms', 'loss_pct', 'transferred_bytes', 'rounds', 'detail'],
  rounds: ['trial_id', 'round', 'phase', 'start_ms', 'duration_ms', 'bytes_sent', 'dirty_pages_after'],
  probe_gaps: ['trial_id', 'probe', 'direction', 'start_ms', 'duration_ms', 'packets_lost'],
  events: ['trial_id', 't_ms', 'source', 'kind', 'detail'],
};

const dir = mkdtempSync(join(tmpdir(), 'themis-chaos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chaos: kill -9 and --resume', () => {
  it(`${KILLS} kills at random moments, then --resume: the rows of one uninterrupted run, 0 lost, 0 twice`, async () => {
    writeFileSync(join(dir, 'sweep.yaml'), SWEEP);
    const t0 = performance.now();
    const ref = themis(dir, 'run', 'sweep.yaml', '--db', 'reference.duckdb', '--no-report');
    expect(ref.code, ref.stderr).toBe(0);
    const runMs = performance.now() - t0;
    const rng = new Random(SEED);
    const moments: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      // the first third early (before the first commit, which comes ~2 s in), the rest anywhere in a run
      const ms = Math.round(k < KILLS / 3 ? rng.next() * 400 : rng.next() * runMs);
      moments.push(ms);
      const run = spawnThemis(dir, 'run', 'sweep.yaml', '--db', 'chaos.duckdb', '--no-report', ...(k === 0 ? [] : ['--resume']));
      await waitForFile(join(dir, 'chaos.duckdb'));
      await sleep(ms);
      run.child.kill('SIGKILL');
      const end = await run.exited;
      expect(end.code === null || end.code === 0, run.stderr()).toBe(true); // killed, or it had finished
    }
    process.stderr.write(`chaos: kill -9 after ${moments.join(', ')} ms (runs take ${runMs.toFixed(0)} ms)\n`);
    const last = themis(dir, 'run', 'sweep.yaml', '--db', 'chaos.duckdb', '--no-report', '--resume');
    expect(last.code, last.stderr).toBe(0);
    const counts = themis(dir, 'sql', 'chaos.duckdb', 'SELECT count(*) AS n, count(DISTINCT trial_index) AS d, min(trial_index) AS lo, max(trial_index) AS hi FROM trials', '--format', 'csv');
    expect(counts.stdout).toBe(`n,d,lo,hi\n${TRIALS},${TRIALS},0,${TRIALS - 1}\n`);
    expect(await campaignHashes(join(dir, 'chaos.duckdb'), COLUMNS)).toEqual(await campaignHashes(join(dir, 'reference.duckdb'), COLUMNS));
  }, 600_000);
});
