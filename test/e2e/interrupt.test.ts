/**
 * Ctrl-C, a second Ctrl-C and kill -9 against the real `themis run` of a simulator campaign whose chunks are
 * running in worker threads: the run stops within about a second, exits 130, keeps what it committed, marks
 * the campaign interrupted, and `--resume` completes it to exactly the rows of one uninterrupted run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignHashes, type TableColumns } from '../support/campaign-hash.js';
import { themisCli as themis } from '../support/cli.js';
import { sleep, spawnThemis, waitForFile } from '../support/spawn.js';

// ~20k trials with every row kind: several seconds on two cores, in 8192-trial chunks.
const SWEEP = `name: interrupt
seed: 7
repetitions: 4000
parameters: { memory_mib: 4096, dirty_rate_pages_s: 20000, working_set_mib: 1024 }
axes:
  - grid: { mode: [live, cold, postcopy, suspend, hybrid] }
`;
const TRIALS = 20_000;
const COLUMNS: TableColumns = {
  trials: ['trial_id', 'trial_index', 'seed', 'mode', 'status', 'failure_reason', 'total_ms', 'downtime_ms', 'outage_ms', 'transferred_bytes', 'rounds', 'detail'],
  rounds: ['trial_id', 'round', 'phase', 'start_ms', 'duration_ms', 'bytes_sent'],
  probe_gaps: ['trial_id', 'probe', 'start_ms', 'duration_ms'],
  events: ['trial_id', 't_ms', 'kind', 'detail'],
};

let dir: string;
let reference: Record<string, string>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'themis-interrupt-'));
  writeFileSync(join(dir, 'sweep.yaml'), SWEEP);
  const r = themis(dir, 'run', 'sweep.yaml', '--db', 'reference.duckdb', '--no-report');
  expect(r.code, r.stderr).toBe(0);
  reference = await campaignHashes(join(dir, 'reference.duckdb'), COLUMNS);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function status(db: string): string {
  return themis(dir, 'sql', db, 'SELECT status FROM campaigns', '--format', 'csv').stdout.trim();
}

async function resumeMatchesReference(db: string): Promise<void> {
  const resumed = themis(dir, 'run', 'sweep.yaml', '--db', db, '--no-report', '--resume');
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stdout).toMatch(new RegExp(`finished, \\d+ trials run(, \\d+ already stored)? of ${TRIALS}`));
  expect(await campaignHashes(join(dir, db), COLUMNS)).toEqual(reference);
}

describe('interrupting a simulator run', () => {
  it('Ctrl-C while its chunks run: exit 130 within ~1 s, interrupted, --resume gives the rows of one run', async () => {
    const run = spawnThemis(dir, 'run', 'sweep.yaml', '--db', 'ctrl-c.duckdb', '--no-report');
    await waitForFile(join(dir, 'ctrl-c.duckdb'));
    await sleep(700); // the workers are in their first chunks
    const sent = performance.now();
    run.child.kill('SIGINT');
    const { code, at } = await run.exited;
    const ms = at - sent;
    process.stderr.write(`Ctrl-C → exit: ${ms.toFixed(0)} ms\n`);
    expect(code, run.stderr()).toBe(130);
    expect(ms).toBeLessThan(1500);
    expect(run.stdout()).toMatch(new RegExp(`interrupted, \\d+ trials run of ${TRIALS}`));
    expect(status('ctrl-c.duckdb')).toBe('status\ninterrupted');
    await resumeMatchesReference('ctrl-c.duckdb');
  });

  it('a second Ctrl-C leaves at once; --resume still completes the campaign', async () => {
    const run = spawnThemis(dir, 'run', 'sweep.yaml', '--db', 'twice.duckdb', '--no-report');
    await waitForFile(join(dir, 'twice.duckdb'));
    await sleep(1000); // campaign row written, first commit not yet (it comes seconds in)
    run.child.kill('SIGINT');
    await sleep(20);
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(130);
    await resumeMatchesReference('twice.duckdb');
  });

  it('kill -9 before the first commit: --resume runs the whole campaign', async () => {
    const run = spawnThemis(dir, 'run', 'sweep.yaml', '--db', 'kill9.duckdb', '--no-report');
    await waitForFile(join(dir, 'kill9.duckdb'));
    await sleep(1000); // campaign row written, first commit not yet
    run.child.kill('SIGKILL');
    await run.exited;
    await resumeMatchesReference('kill9.duckdb');
  });
});
