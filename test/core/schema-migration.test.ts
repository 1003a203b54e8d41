/**
 * Old databases move forward: a file written by schema version 2 (test/fixtures/store/store-v2.duckdb.gz,
 * made by Themis before the outcome declaration, from store-v2.yaml) opened for writing gets the outcome
 * columns added since (NULL: not measured then) and its simulator `rounds` in QEMU's dirty-sync-count — the
 * same rows a fresh run of the same sweep stores today. A file from a newer Themis is refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTCOME_NAMES } from '../../core/results/outcomes.js';
import { SCHEMA_VERSION } from '../../core/store/schema.js';
import { Store } from '../../core/store/store.js';
import { campaignHashes } from '../support/campaign-hash.js';
import { themisCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'themis-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function oldDatabase(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, gunzipSync(readFileSync('test/fixtures/store/store-v2.duckdb.gz')));
  return path;
}

async function query(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const store = await Store.open(path, { readOnly: true });
  try {
    return (await store.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    store.close();
  }
}

const TRIAL_COLUMNS_V2 = (all: string[]) => all.filter((c) => c !== 'started_at' && c !== 'throttle_max_pct');

describe('schema migration', () => {
  it('reads a version-2 file read-only as it was', async () => {
    const path = oldDatabase('read-only.duckdb');
    const [row] = await query(path, `SELECT value FROM themis_meta WHERE key = 'schema_version'`);
    expect(row.value).toBe('2');
    const [n] = await query(path, `SELECT count(*)::INTEGER AS n, max(rounds) AS r FROM trials`);
    expect(n.n).toBe(72);
  });

  it('a version-2 file opened for writing equals a fresh run of its sweep, new outcomes NULL', async () => {
    const path = oldDatabase('migrated.duckdb');
    (await Store.open(path)).close();
    const [meta] = await query(path, `SELECT value FROM themis_meta WHERE key = 'schema_version'`);
    expect(meta.value).toBe(String(SCHEMA_VERSION));
    const columns = (await query(path, `SELECT column_name FROM information_schema.columns WHERE table_name = 'trial_results'`))
      .map((r) => String(r.column_name));
    for (const name of OUTCOME_NAMES) expect(columns).toContain(name);
    const [nulls] = await query(path, `SELECT count(*) FILTER (WHERE throttle_max_pct IS NOT NULL)::INTEGER AS n FROM trials`);
    expect(nulls.n).toBe(0);

    const fresh = join(dir, 'fresh.duckdb');
    const r = themisCli(process.cwd(), 'run', resolve('test/fixtures/store/store-v2.yaml'), '--db', fresh, '--no-report');
    expect(r.code, r.stderr).toBe(0);
    const trialColumns = TRIAL_COLUMNS_V2((await query(fresh, 'DESCRIBE trials')).map((c) => String(c.column_name)));
    const tables = {
      trials: trialColumns,
      rounds: ['campaign_id', 'trial_id', 'round', 'phase', 'start_ms', 'duration_ms', 'pages_sent', 'bytes_sent', 'dirty_pages_after', 'throttle_pct'],
      probe_gaps: ['campaign_id', 'trial_id', 'probe', 'direction', 'start_ms', 'duration_ms', 'packets_lost'],
      events: ['campaign_id', 'trial_id', 't_ms', 'source', 'kind', 'detail'],
    };
    expect(await campaignHashes(path, tables)).toEqual(await campaignHashes(fresh, tables));
    // and the conversion did something: every mode with a migration stream counts at least the setup sync
    const [low] = await query(path, `SELECT count(*)::INTEGER AS n FROM trials WHERE mode NOT IN ('cold', 'cold-hard') AND rounds < 1`);
    expect(low.n).toBe(0);
  });

  it('themis merge converts as it loads: a version-2 database, and a dataset folder exported from one', async () => {
    const old = oldDatabase('merge-input.duckdb');
    const folder = join(dir, 'v2-dataset');
    const exported = themisCli(process.cwd(), 'export', old, '--format', 'dataset', '--out', folder);
    expect(exported.code, exported.stderr).toBe(0);
    const fresh = join(dir, 'fresh-for-merge.duckdb');
    expect(themisCli(process.cwd(), 'run', resolve('test/fixtures/store/store-v2.yaml'), '--db', fresh, '--no-report').code).toBe(0);
    const rounds = { trials: ['trial_id', 'mode', 'status', 'rounds'] };
    for (const input of [old, folder]) {
      const out = join(dir, `merged-${input === old ? 'db' : 'folder'}.duckdb`);
      const r = themisCli(process.cwd(), 'merge', out, input);
      expect(r.code, r.stderr).toBe(0);
      expect(await campaignHashes(out, rounds), input).toEqual(await campaignHashes(fresh, rounds));
      const [v] = await query(out, 'SELECT min(schema_version) AS v FROM campaigns');
      expect(v.v).toBe(SCHEMA_VERSION);
    }
  });

  it('writing to a file of a newer Themis is refused with the reason', async () => {
    const path = oldDatabase('newer.duckdb');
    const s = await Store.open(path);
    await s.connection.run(`UPDATE themis_meta SET value = '${SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);
    s.close();
    await expect(Store.open(path)).rejects.toThrow(/written by a newer Themis \(schema version \d+; this one knows up to \d+\)/);
  });
});
