/**
 * Old databases move forward: a file written by schema version 2 (test/fixtures/store/store-v2.duckdb.gz,
 * made by Themis before the outcome declaration, from store-v2.yaml) opened for writing gets the outcome
 * columns added since (NULL: not measured then) and its simulator `rounds` in QEMU's dirty-sync-count; every
 * other stored value stays as it was. A file from a newer Themis is refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
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

/** The outcome columns a version-2 file has; the others were added since. */
const V2_OUTCOMES: readonly string[] = ['total_ms', 'downtime_ms', 'outage_ms', 'loss_pct', 'rtt_p50_ms', 'rtt_p99_ms', 'transferred_bytes', 'rounds'];

describe('schema migration', () => {
  it('reads a version-2 file read-only as it was', async () => {
    const path = oldDatabase('read-only.duckdb');
    const [row] = await query(path, `SELECT value FROM themis_meta WHERE key = 'schema_version'`);
    expect(row.value).toBe('2');
    const [n] = await query(path, `SELECT count(*)::INTEGER AS n, max(rounds) AS r FROM trials`);
    expect(n.n).toBe(72);
  });

  it('a version-2 file opened for writing keeps every row as it was, rounds become dirty syncs, new outcomes NULL', async () => {
    const original = oldDatabase('original.duckdb');
    const path = oldDatabase('migrated.duckdb');
    (await Store.open(path)).close();
    const [meta] = await query(path, `SELECT value FROM themis_meta WHERE key = 'schema_version'`);
    expect(meta.value).toBe(String(SCHEMA_VERSION));
    const columns = (await query(path, `SELECT column_name FROM information_schema.columns WHERE table_name = 'trial_results'`))
      .map((r) => String(r.column_name));
    for (const name of OUTCOME_NAMES) expect(columns).toContain(name);
    const added = OUTCOME_NAMES.filter((n) => !V2_OUTCOMES.includes(n));
    const [nulls] = await query(path, `SELECT count(*) FILTER (WHERE ${added.map((n) => `${n} IS NOT NULL`).join(' OR ')})::INTEGER AS n FROM trials`);
    expect(nulls.n).toBe(0);

    // Held against the file itself, not a fresh run: the simulator's model moves on, the stored rows must not.
    const v2Columns = (await query(original, 'DESCRIBE trials')).map((c) => String(c.column_name)).filter((c) => c !== 'rounds');
    const tables = {
      trials: v2Columns,
      rounds: ['campaign_id', 'trial_id', 'round', 'phase', 'start_ms', 'duration_ms', 'pages_sent', 'bytes_sent', 'dirty_pages_after', 'throttle_pct'],
      probe_gaps: ['campaign_id', 'trial_id', 'probe', 'direction', 'start_ms', 'duration_ms', 'packets_lost'],
      events: ['campaign_id', 'trial_id', 't_ms', 'source', 'kind', 'detail'],
    };
    expect(await campaignHashes(path, tables)).toEqual(await campaignHashes(original, tables));
    // rounds, checked against the per-pass rows stored beside them: a live trial that switched over synced at
    // setup, after each pre-copy pass and at the switch; modes without a migration stream keep 0
    const [live] = await query(path, `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE t.rounds <> passes.n + 2)::INTEGER AS off
      FROM trials t JOIN (SELECT trial_id, count(*) FILTER (WHERE phase = 'precopy') AS n FROM rounds GROUP BY trial_id) passes USING (trial_id)
      WHERE t.mode = 'live' AND t.status = 'succeeded' AND t.downtime_ms > 0`);
    expect(live.n).toBeGreaterThan(0);
    expect(live.off).toBe(0);
    const [cold] = await query(path, `SELECT count(*) FILTER (WHERE rounds <> 0)::INTEGER AS n FROM trials WHERE mode IN ('cold', 'cold-hard')`);
    expect(cold.n).toBe(0);
    const [low] = await query(path, `SELECT count(*)::INTEGER AS n FROM trials WHERE mode NOT IN ('cold', 'cold-hard') AND rounds < 1`);
    expect(low.n).toBe(0);
  });

  it('themis merge converts as it loads: a version-2 database, and a dataset folder exported from one', async () => {
    const old = oldDatabase('merge-input.duckdb');
    const folder = join(dir, 'v2-dataset');
    const exported = themisCli(process.cwd(), 'export', old, '--format', 'dataset', '--out', folder);
    expect(exported.code, exported.stderr).toBe(0);
    const upgraded = oldDatabase('upgraded-for-merge.duckdb');
    (await Store.open(upgraded)).close();
    const rounds = { trials: ['trial_id', 'mode', 'status', 'rounds'] };
    for (const input of [old, folder]) {
      const out = join(dir, `merged-${input === old ? 'db' : 'folder'}.duckdb`);
      const r = themisCli(process.cwd(), 'merge', out, input);
      expect(r.code, r.stderr).toBe(0);
      expect(await campaignHashes(out, rounds), input).toEqual(await campaignHashes(upgraded, rounds));
      const [v] = await query(out, 'SELECT min(schema_version) AS v FROM campaigns');
      expect(v.v).toBe(SCHEMA_VERSION);
    }
  });

  it("schema 4: max_bandwidth_mib_s text becomes a number, 'unlimited' +inf with its flag — on open, on merge, on import", async () => {
    // A version-2 file with one point made unlimited, written as that Themis wrote it (text), without migrating it.
    const path = oldDatabase('unlimited.duckdb');
    const raw = await DuckDBInstance.create(path);
    const rc = await raw.connect();
    await rc.run(`UPDATE points SET max_bandwidth_mib_s = 'unlimited' WHERE point_index = 0`);
    rc.closeSync();
    raw.closeSync();
    const folder = join(dir, 'v2-unlimited-dataset');
    expect(themisCli(process.cwd(), 'export', path, '--format', 'dataset', '--out', folder).code).toBe(0);
    const fresh = join(dir, 'fresh-v4.duckdb');
    expect(themisCli(process.cwd(), 'run', resolve('test/fixtures/store/store-v2.yaml'), '--db', fresh, '--no-report').code).toBe(0);
    const mergedDb = join(dir, 'v4-merged-db.duckdb');
    const mergedFolder = join(dir, 'v4-merged-folder.duckdb');
    expect(themisCli(process.cwd(), 'merge', mergedDb, path).code).toBe(0);
    const mf = themisCli(process.cwd(), 'merge', mergedFolder, folder);
    expect(mf.code, mf.stderr).toBe(0);
    (await Store.open(path)).close();
    const perPoint = Number((await query(fresh, `SELECT count(*)::INTEGER AS n FROM trials WHERE point_id = (SELECT point_id FROM points WHERE point_index = 0)`))[0].n);
    for (const db of [path, mergedDb, mergedFolder]) {
      const [type] = await query(db, `SELECT data_type FROM information_schema.columns WHERE table_name = 'points' AND column_name = 'max_bandwidth_mib_s'`);
      expect(type.data_type, db).toBe('DOUBLE');
      const [r] = await query(db, `SELECT count(*) FILTER (WHERE max_bandwidth_mib_s = 64)::INTEGER AS capped,
        count(*) FILTER (WHERE max_bandwidth_unlimited AND max_bandwidth_mib_s = 'inf'::DOUBLE)::INTEGER AS unlimited,
        count(*) FILTER (WHERE max_bandwidth_mib_s > 64)::INTEGER AS above FROM trials`);
      expect(r, db).toEqual({ capped: 72 - perPoint, unlimited: perPoint, above: perPoint });
    }
    // and an old shard merges with a new one: both campaigns, one numeric column
    const both = join(dir, 'merged-both.duckdb');
    const sweep = join(dir, 'store-v4.yaml');
    writeFileSync(sweep, readFileSync('test/fixtures/store/store-v2.yaml', 'utf8').replace('name: store-v2', 'name: store-v4'));
    const other = join(dir, 'new-shard.duckdb');
    expect(themisCli(process.cwd(), 'run', sweep, '--db', other, '--no-report').code).toBe(0);
    const m = themisCli(process.cwd(), 'merge', both, oldDatabase('old-shard.duckdb'), other);
    expect(m.code, m.stderr).toBe(0);
    const [b] = await query(both, `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE max_bandwidth_mib_s = 64)::INTEGER AS capped FROM trials`);
    expect(b.n).toBe(144);
    expect(b.capped).toBe(b.n);
  });

  it('writing to a file of a newer Themis is refused with the reason', async () => {
    const path = oldDatabase('newer.duckdb');
    const s = await Store.open(path);
    await s.connection.run(`UPDATE themis_meta SET value = '${SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);
    s.close();
    await expect(Store.open(path)).rejects.toThrow(/written by a newer Themis \(schema version \d+; this one knows up to \d+\)/);
  });
});
