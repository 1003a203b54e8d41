/** Reports on awkward databases: no trials at all, and a campaign in which every trial failed. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchemaSql } from '../../core/store/schema.js';
import { writeHtmlReport } from '../../reports/html.js';
import { writeNotebook } from '../../reports/notebook.js';
import { renderFigures } from '../../reports/render.js';
import { fillSynthetic } from '../../reports/synthetic.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'themis-reports-edge-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function makeDb(name: string, fill: (run: (sql: string) => Promise<void>) => Promise<void>): Promise<string> {
  const path = join(dir, name);
  const instance = await DuckDBInstance.create(path);
  const con = await instance.connect();
  try {
    await fill(async (sql) => { await con.run(sql); });
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  return path;
}

describe('edge cases', () => {
  it('an empty database still gives a report, a notebook and no figures', async () => {
    const db = await makeDb('empty.duckdb', async (run) => {
      for (const sql of createSchemaSql()) await run(sql);
    });
    const out = join(dir, 'empty.html');
    await writeHtmlReport({ db, out });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('0 trials');
    expect(html).toContain('No trial failed.');
    expect(html).toContain('nothing to compare');
    expect(html).toContain('nothing to draw');
    await writeNotebook({ db, out: join(dir, 'empty.ipynb') });
    expect(await renderFigures({ db, outDir: join(dir, 'empty-figs'), format: 'svg' })).toEqual([]);
  });

  it('a campaign where every trial failed reports the failures without durations', async () => {
    const db = join(dir, 'failed.duckdb');
    // Synthetic rows, then every trial marked failed (outcomes live in trial_results; trials is a view).
    const instance = await DuckDBInstance.create(db);
    const con = await instance.connect();
    try {
      await fillSynthetic(con, { trials: 300, seed: 9 });
      await con.run(`UPDATE trial_results SET status = 'failed', failure_reason = 'timeout', downtime_ms = NULL, outage_ms = NULL, total_ms = NULL, transferred_bytes = NULL`);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
    const out = join(dir, 'failed.html');
    await writeHtmlReport({ db, out, by: ['network'] });
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/data-table="failures"/);
    expect(html).toContain('timeout');
    expect(html).toContain('0.0 %');
  });
});

describe('long tables', () => {
  it('cut a by-axes table at MAX_TABLE_ROWS with a note of what is left out', async () => {
    const { groupTable, MAX_TABLE_ROWS } = await import('../../reports/html/tables.js');
    const { METRICS } = await import('../../reports/analysis/groups.js');
    const none = { n: 0, p50: null, p50_lo: null, p50_hi: null, p95: null, p95_lo: null, p95_hi: null, max: null, ci_method: 'none' as const };
    const groups = Array.from({ length: MAX_TABLE_ROWS + 25 }, (_, i) => ({
      backend: 'simulator', mode: 'live', axes: { hosts: i }, trials: 1, succeeded: 0, success_rate: 0, success_lo: 0, success_hi: 0.79,
      metrics: Object.fromEntries(METRICS.map((m) => [m, none])) as never,
    }));
    const html = groupTable('by-axes', groups, ['hosts']);
    expect(html.match(/<tr data-key=/g)).toHaveLength(2 * MAX_TABLE_ROWS); // two column groups
    expect(html).toContain('… 25 more groups not shown');
  });
});
