/**
 * Dataset folders (five Parquet files) as inputs of `themis merge`, and `themis export --format dataset`.
 * Real components only: the simulator through the engine, DuckDB files, the committed datasets, the report.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../core/errors.js';
import { main } from '../../../app/cli/main.js';
import { mergeDatabases } from '../../../core/store/merge.js';
import { runCampaign } from '../../../core/engine/engine.js';
import { parseSweep } from '../../../core/spec/load.js';
import { defaultParameters } from '../../../core/spec/parameters.js';
import type { CampaignSpec } from '../../../core/spec/sweep.js';
import { exportDataset } from '../../../core/store/dataset-export.js';
import { parameterColumns } from '../../../core/store/schema.js';
import { createBackend } from '../../../simulator/backend.js';
import { startWorkbench } from '../../../app/workbench/server.js';

const SWEEP = `name: roundtrip
seed: 11
repetitions: 3
parameters: { memory_mib: 1024, working_set_mib: 128, max_bandwidth_mib_s: 64, timeout_s: 10 }
axes:
  - grid: { mode: [live, cold, postcopy, suspend], dirty_rate_pages_s: [0, 30000, 100000] }
`;

const TABLES = ['campaigns', 'trials', 'rounds', 'probe_gaps', 'events'] as const;
const OPENNEBULA_LAB = 'datasets/opennebula-lab';
const QEMU_TCG = 'datasets/qemu-tcg';

function spec(text = SWEEP): CampaignSpec {
  return { sweep: parseSweep(text, 'roundtrip.yaml'), source_yaml: text, source_sha256: 'b'.repeat(64), source_path: 'roundtrip.yaml' };
}

async function withDuckDb<T>(path: string, work: (run: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>, readOnly = true): Promise<T> {
  const instance = await DuckDBInstance.create(path, readOnly && path !== ':memory:' ? { access_mode: 'READ_ONLY' } : {});
  const con = await instance.connect();
  try {
    return await work(async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

const query = (db: string, sql: string) => withDuckDb(db, (run) => run(sql));
const sortedRows = (db: string, table: string) => query(db, `SELECT * FROM ${table} ORDER BY ALL`);
const count = async (db: string, sql: string) => Number((await query(db, sql))[0].n);

/** Rewrites one Parquet file of a dataset folder through a DuckDB query over it (`t` = the original file). */
async function rewriteParquet(file: string, select: string): Promise<void> {
  const tmp = `${file}.orig.parquet`;
  cpSync(file, tmp);
  await withDuckDb(':memory:', (run) =>
    run(`COPY (${select.replaceAll('{t}', `read_parquet('${tmp}')`)}) TO '${file}' (FORMAT parquet)`),
  );
  rmSync(tmp);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'themis-merge-datasets-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('themis export --format dataset + themis merge of the folder', () => {
  it('gives back identical campaigns, trials, rounds, probe_gaps and events rows (and the same points)', async () => {
    const db = join(dir, 'run.duckdb');
    const outcome = await runCampaign({ spec: spec(), dbPath: db, backend: createBackend({ workers: 0 }) });
    expect(outcome.status).toBe('finished');
    const folder = join(dir, 'dataset');
    const exported = await exportDataset({ db, outDir: folder });
    expect(exported.rows.trials).toBe(36);
    expect(exported.rows.rounds).toBeGreaterThan(0);
    expect(exported.rows.probe_gaps).toBeGreaterThan(0);
    expect(exported.rows.events).toBeGreaterThan(0);

    const merged = join(dir, 'merged.duckdb');
    expect(await mergeDatabases(merged, [folder])).toEqual({ campaigns: 1, trials: 36 });
    // Failed trials travel too (and succeeded ones with their NULL failure_reason).
    expect(await count(merged, `SELECT count(*) AS n FROM trials WHERE failure_reason = 'not_converged'`)).toBe(6);
    for (const table of [...TABLES, 'points', 'trial_results']) {
      expect({ table, rows: await sortedRows(merged, table) }).toEqual({ table, rows: await sortedRows(db, table) });
    }
    // The merged database reads like any other: the report's views work on it.
    expect(await count(merged, 'SELECT count(*) AS n FROM live_vs_cold')).toBe(4);
  });

  it('exports one campaign with --campaign, and the CLI reads it back', async () => {
    const db = join(dir, 'two.duckdb');
    await runCampaign({ spec: spec(), dbPath: db, backend: createBackend({ workers: 0 }) });
    const other = spec(SWEEP.replace('name: roundtrip', 'name: other').replace('repetitions: 3', 'repetitions: 2'));
    const second = await runCampaign({ spec: other, dbPath: db, backend: createBackend({ workers: 0 }) });
    const folder = join(dir, 'one-campaign');
    expect(await main(['export', db, '--format', 'dataset', '--campaign', second.campaign_id, '--out', folder])).toBe(0);
    expect(await count(':memory:', `SELECT count(*) AS n FROM '${join(folder, 'trials.parquet')}'`)).toBe(24);

    const merged = join(dir, 'merged.duckdb');
    expect(await main(['merge', merged, folder])).toBe(0);
    const where = `WHERE campaign_id = '${second.campaign_id}'`;
    for (const table of TABLES) {
      expect({ table, rows: await sortedRows(merged, table) }).toEqual({ table, rows: await sortedRows(db, `(SELECT * FROM ${table} ${where})`) });
    }
    expect(await main(['export', db, '--format', 'dataset', '--campaign', 'nope', '--out', join(dir, 'x')])).toBe(2);
  });

  it("recovers the plan's point index, so a shard merged from a folder joins the other shards exactly", async () => {
    const whole = join(dir, 'whole.duckdb');
    await runCampaign({ spec: spec(), dbPath: whole, backend: createBackend({ workers: 0 }) });
    const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}.duckdb`));
    for (const [i, db] of shards.entries()) {
      await runCampaign({ spec: spec(), dbPath: db, backend: createBackend({ workers: 0 }), shard: { index: i, count: 3 } });
    }
    const folder = join(dir, 'shard-1');
    await exportDataset({ db: shards[1], outDir: folder });
    const merged = join(dir, 'merged.duckdb');
    expect(await mergeDatabases(merged, [shards[0], folder, shards[2]])).toEqual({ campaigns: 1, trials: 36 });
    // Each run has its own clock: compare trials without started_at and wall_ms, as the shard test of the engine does.
    const relations = ['(SELECT * EXCLUDE (started_at, wall_ms) FROM trials)', 'points', 'rounds', 'probe_gaps', 'events'];
    for (const table of relations) {
      expect({ table, rows: await sortedRows(merged, table) }).toEqual({ table, rows: await sortedRows(whole, table) });
    }
  });
});

describe('themis merge of the committed datasets', () => {
  it('puts opennebula-lab (40) and qemu-tcg (180) in one file, and the report compares the backends', async () => {
    const merged = join(dir, 'real.duckdb');
    expect(await mergeDatabases(merged, [OPENNEBULA_LAB, QEMU_TCG])).toEqual({ campaigns: 2, trials: 220 });
    expect(await query(merged, 'SELECT backend, count(*)::INTEGER AS n FROM trials GROUP BY ALL ORDER BY ALL')).toEqual([
      { backend: 'opennebula', n: 40 },
      { backend: 'qemu', n: 180 },
    ]);
    // Nothing lost from the Parquet files.
    for (const table of ['rounds', 'probe_gaps', 'events']) {
      const inFiles = await count(':memory:', `SELECT (SELECT count(*) FROM '${OPENNEBULA_LAB}/${table}.parquet') + (SELECT count(*) FROM '${QEMU_TCG}/${table}.parquet') AS n`);
      expect({ table, n: await count(merged, `SELECT count(*) AS n FROM ${table}`) }).toEqual({ table, n: inFiles });
    }
    const html = join(dir, 'real.html');
    expect(await main(['report', merged, '--out', html])).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('Simulated vs real');
    // The figure is there because of the second backend: one dataset alone has none.
    const single = join(dir, 'qemu-only.duckdb');
    await mergeDatabases(single, [QEMU_TCG]);
    expect(await main(['report', single, '--out', join(dir, 'qemu-only.html')])).toBe(0);
    expect(readFileSync(join(dir, 'qemu-only.html'), 'utf8')).not.toContain('Simulated vs real');
    expect(await main(['sql', merged, 'SELECT count(*) FROM trials'])).toBe(0);

    // themis serve on it: both campaigns listed with their stored trials, a campaign's report served.
    const wb = await startWorkbench({ db: merged, sweepsDir: dir });
    try {
      const list = (await (await fetch(`${wb.url}api/campaigns`)).json()) as { campaigns: { campaign_id: string; backend: string }[] };
      expect(list.campaigns.map((c) => `${c.backend}:${c.campaign_id}`).sort()).toEqual([
        expect.stringMatching(/^opennebula:opennebula-lab-dataset-[0-9a-f]{12}$/),
        'qemu:qemu-matrix-295399185a4a',
      ]);
      const report = await fetch(`${wb.url}api/campaigns/qemu-matrix-295399185a4a/report`);
      expect(report.status).toBe(200);
      expect(await report.text()).toContain('qemu-matrix');
    } finally {
      await wb.close();
    }
  });

  it('adds the cold re-run next to the main qemu campaign (same point ids, another campaign)', async () => {
    const merged = join(dir, 'qemu.duckdb');
    expect(await mergeDatabases(merged, [QEMU_TCG, `${QEMU_TCG}/cold-rerun`])).toEqual({ campaigns: 2, trials: 216 });
  });
});

describe('themis merge of a dataset from an older or newer Themis', () => {
  it('fills parameters the dataset lacks with their defaults (column and params) and keeps unknown columns', async () => {
    const folder = join(dir, 'old');
    cpSync(OPENNEBULA_LAB, folder, { recursive: true });
    // Generic: of the parameters the dataset has, pretend the two last ones were added after it was made.
    const had = new Set((await query(':memory:', `DESCRIBE SELECT * FROM '${OPENNEBULA_LAB}/trials.parquet'`)).map((c) => String(c.column_name)));
    const dropped = parameterColumns().filter((c) => had.has(c.name)).slice(-2).map((c) => c.name);
    const defaults = defaultParameters() as Record<string, unknown>;
    const removeKeys = JSON.stringify(Object.fromEntries(dropped.map((d) => [d, null])));
    await rewriteParquet(
      join(folder, 'trials.parquet'),
      `SELECT * EXCLUDE (params, ${dropped.map((d) => `"${d}"`).join(', ')}), json_merge_patch(params, '${removeKeys}') AS params,
         'v1' AS legacy_knob, trial_index * 10 AS trial_note FROM {t}`,
    );
    const merged = join(dir, 'merged.duckdb');
    expect(await mergeDatabases(merged, [folder])).toEqual({ campaigns: 1, trials: 40 });
    const rows = await query(merged, `SELECT ${dropped.map((d) => `"${d}"`).join(', ')}, params::VARCHAR AS params, detail::VARCHAR AS detail, trial_index FROM trials`);
    expect(rows).toHaveLength(40);
    for (const r of rows) {
      const params = JSON.parse(String(r.params)) as Record<string, unknown>;
      const detail = JSON.parse(String(r.detail)) as Record<string, unknown>;
      for (const d of dropped) {
        const typed = parameterColumns().find((c) => c.name === d)?.type === 'VARCHAR' ? String(defaults[d]) : defaults[d];
        expect({ d, column: r[d], params: params[d] }).toEqual({ d, column: typed, params: defaults[d] });
      }
      expect(params.legacy_knob).toBe('v1'); // constant per point: a point parameter
      expect(detail.trial_note).toBe(Number(r.trial_index) * 10); // varies per trial: the trial's detail
      expect(params.memory_mib).toBe(256); // what the dataset had stays
    }
  });
});

describe('themis merge of a database from an older Themis', () => {
  it('fits its points by name: a parameter column it lacks gets the default, one it has at the end keeps its value', async () => {
    const db = join(dir, 'old.duckdb');
    await runCampaign({ spec: spec(), dbPath: db, backend: createBackend({ workers: 0 }) });
    const [missing, moved] = parameterColumns().filter((c) => c.name !== 'mode' && c.type === 'DOUBLE').slice(-2).map((c) => c.name);
    // An older file: one parameter column absent, another appended last (as ALTER TABLE ADD COLUMN leaves it).
    await withDuckDb(db, async (run) => {
      await run('DROP VIEW trial_timeline');
      await run('DROP VIEW convergence_map');
      await run('DROP VIEW live_vs_cold');
      await run('DROP VIEW trials');
      await run(`ALTER TABLE points DROP COLUMN "${missing}"`);
      await run(`ALTER TABLE points RENAME COLUMN "${moved}" TO old_moved`);
      await run(`ALTER TABLE points ADD COLUMN "${moved}" DOUBLE`);
      await run(`UPDATE points SET "${moved}" = 1234.5`);
      await run('ALTER TABLE points DROP COLUMN old_moved');
    }, false);
    const merged = join(dir, 'merged.duckdb');
    expect(await mergeDatabases(merged, [db])).toEqual({ campaigns: 1, trials: 36 });
    const defaults = defaultParameters() as Record<string, unknown>;
    const rows = await query(merged, `SELECT DISTINCT "${missing}" AS missing, "${moved}" AS moved, params->>'${missing}' AS in_params FROM trials`);
    expect(rows).toEqual([{ missing: defaults[missing], moved: 1234.5, in_params: String(defaults[missing]) }]);
  });
});

describe('themis merge refuses bad inputs and writes nothing', () => {
  async function expectRejected(inputs: string[], message: RegExp, out = join(dir, 'out.duckdb')): Promise<void> {
    const err = await mergeDatabases(out, inputs).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
  }

  function copyDataset(name: string, from = OPENNEBULA_LAB): string {
    const folder = join(dir, name);
    cpSync(from, folder, { recursive: true });
    return folder;
  }

  it('a folder with a missing file: names it; the output file is not created', async () => {
    const folder = copyDataset('incomplete');
    rmSync(join(folder, 'events.parquet'));
    await expectRejected([QEMU_TCG, folder], /incomplete: not a complete dataset folder: missing events\.parquet/);
    expect(existsSync(join(dir, 'out.duckdb'))).toBe(false);
  });

  it('a Parquet column of the wrong type: file, column, expected and found', async () => {
    const folder = copyDataset('wrong-type');
    await rewriteParquet(join(folder, 'trials.parquet'), `SELECT * REPLACE (total_ms::VARCHAR AS total_ms) FROM {t}`);
    await expectRejected([QEMU_TCG, folder], /wrong-type\/trials\.parquet: column total_ms: expected DOUBLE, found VARCHAR/);
    expect(existsSync(join(dir, 'out.duckdb'))).toBe(false);
    expect(existsSync(join(dir, 'out.duckdb.wal'))).toBe(false);
  });

  it('a trial whose campaign is not in campaigns.parquet', async () => {
    const folder = copyDataset('orphan');
    await rewriteParquet(join(folder, 'campaigns.parquet'), `SELECT * FROM {t} WHERE false`);
    await expectRejected([folder], /orphan\/trials\.parquet: trial \S+ \(and 39 more\) belongs to campaign opennebula-lab-dataset-[0-9a-f]{12}, expected in \S+campaigns\.parquet; found no such campaign/);
  });

  it('a required value missing, and a file that is not Parquet', async () => {
    const folder = copyDataset('nulls');
    await rewriteParquet(join(folder, 'rounds.parquet'), `SELECT * REPLACE (NULL::VARCHAR AS phase) FROM {t}`);
    await expectRejected([folder], /nulls\/rounds\.parquet: expected a value in every row; found NULL in phase/);
    writeFileSync(join(folder, 'rounds.parquet'), 'not parquet');
    await expectRejected([folder], /nulls\/rounds\.parquet: expected a Parquet file/);
  });

  it('a duplicate trial (the same folder twice, or a folder already in the output): names it, output untouched', async () => {
    await expectRejected([OPENNEBULA_LAB, QEMU_TCG, OPENNEBULA_LAB], /trial \S+-r\d+ of campaign opennebula-lab-dataset-[0-9a-f]{12} is in more than one input: datasets\/opennebula-lab, datasets\/opennebula-lab$/);
    expect(existsSync(join(dir, 'out.duckdb'))).toBe(false);

    const out = join(dir, 'existing.duckdb');
    await mergeDatabases(out, [QEMU_TCG]);
    const before = await Promise.all(TABLES.map((t) => sortedRows(out, t)));
    await expectRejected([OPENNEBULA_LAB, QEMU_TCG], /trial \S+ of campaign qemu-matrix-295399185a4a is in more than one input: \S+existing\.duckdb \(the output\), datasets\/qemu-tcg$/, out);
    const wrong = copyDataset('wrong-type-2');
    await rewriteParquet(join(wrong, 'events.parquet'), `SELECT * REPLACE (t_ms::VARCHAR AS t_ms) FROM {t}`);
    await expectRejected([OPENNEBULA_LAB, wrong], /events\.parquet: column t_ms: expected DOUBLE, found VARCHAR/, out);
    expect(await Promise.all(TABLES.map((t) => sortedRows(out, t)))).toEqual(before);
  });

  it('neither a folder nor a DuckDB file: exit 2 with the path and what was expected', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, not a database\n');
    await expectRejected([text], /notes\.txt: expected a DuckDB database file, a dataset folder or a dataset root of shard=N folders; found a file that is neither/);
    await expectRejected([join(QEMU_TCG, 'trials.parquet')], /expected a DuckDB database file, a dataset folder or a dataset root of shard=N folders; found a single Parquet file/);
    await expectRejected([join(dir, 'missing')], /missing: no such file or folder/);
    mkdirSync(join(dir, 'empty'));
    await expectRejected([join(dir, 'empty')], /missing campaigns\.parquet, trials\.parquet, rounds\.parquet, probe_gaps\.parquet, events\.parquet/);
    const existing = join(dir, 'existing.duckdb');
    await mergeDatabases(existing, [OPENNEBULA_LAB]);
    await expectRejected([QEMU_TCG, existing], /existing\.duckdb: expected the output to be another file than the inputs/, existing);
    expect(await main(['merge', join(dir, 'cli.duckdb'), text])).toBe(2);
    expect(existsSync(join(dir, 'cli.duckdb'))).toBe(false);
  });
});
