/**
 * The notebook: valid nbformat 4 (checked by Debian's python3-nbformat), Parquet data next to it that DuckDB
 * reads back equal to the database, and code cells whose SQL, run over that Parquet, gives the rows shown.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNotebook } from '../../reports/notebook.js';
import { sqlRows, syntheticFixture, type Fixture } from './helpers.js';

const PYTHON = '/usr/bin/python3';
let fx: Fixture;
beforeAll(async () => {
  fx = await syntheticFixture({ trials: 4000, withQemu: true, seed: 6 });
});
afterAll(() => fx?.cleanup());

interface NbCell {
  cell_type: string;
  source: string[];
  metadata: { themis?: { figure: string; role: string } };
  outputs?: { output_type: string; data: Record<string, unknown> }[];
}

function nbformatAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import nbformat'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('writeNotebook', () => {
  it('writes a valid nbformat 4 notebook with filled outputs and Parquet data', async () => {
    const out = join(fx.dir, 'analysis.ipynb');
    await writeNotebook({ db: fx.db, out, by: ['max_bandwidth_mib_s'] });

    if (!nbformatAvailable()) {
      // Never skip silently: the project installs python3-nbformat (scripts/install-system-packages.sh reports).
      throw new Error(`python3-nbformat is missing for ${PYTHON}: run scripts/install-system-packages.sh reports`);
    }
    const check = execFileSync(
      PYTHON,
      ['-c', 'import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print(nb.nbformat, nb.nbformat_minor, len(nb.cells))', out],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(check.trim()).toMatch(/^4 5 \d+$/);
    // Every code cell is valid Python (the notebook must run once duckdb and pandas are installed).
    execFileSync(
      PYTHON,
      ['-c', 'import sys, ast, nbformat\nnb = nbformat.read(sys.argv[1], as_version=4)\nfor c in nb.cells:\n    if c.cell_type == "code": ast.parse(c.source)', out],
      { timeout: 60_000 },
    );

    const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: NbCell[] };
    const charts = nb.cells.filter((c) => c.metadata.themis?.role === 'chart');
    expect(charts.map((c) => c.metadata.themis!.figure)).toEqual(['distributions', 'by-axis', 'success', 'dirty-rate', 'convergence', 'timeline', 'backends', 'timeline-parts']);
    for (const c of charts) {
      const spec = c.outputs![0].data['application/vnd.vegalite.v5+json'] as { $schema: string; data: { values: unknown[] } };
      expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
      expect(spec.data.values.length).toBeGreaterThan(0);
    }
    const markdown = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => c.source.join('')).join('\n');
    expect(markdown).toContain('live vs cold');

    // Parquet next to the notebook, read back by DuckDB equal to the database.
    const dataDir = join(fx.dir, 'analysis_data');
    for (const t of ['campaigns', 'trials', 'rounds', 'probe_gaps', 'events']) expect(existsSync(join(dataDir, `${t}.parquet`))).toBe(true);
    const [diff] = await sqlRows(
      fx.db,
      `SELECT (SELECT count(*) FROM (SELECT * EXCLUDE (params, detail) FROM trials EXCEPT ALL
                SELECT * EXCLUDE (params, detail) FROM read_parquet('${dataDir}/trials.parquet')))::DOUBLE AS missing,
              (SELECT count(*) FROM read_parquet('${dataDir}/trials.parquet'))::DOUBLE AS n,
              (SELECT count(*) FROM trials)::DOUBLE AS ref`,
    );
    expect(diff.missing).toBe(0);
    expect(diff.n).toBe(diff.ref);

    // Re-run each figure's SQL over the Parquet files, as the notebook would, and compare with its chart data.
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      for (const t of ['campaigns', 'trials', 'rounds', 'probe_gaps', 'events']) {
        await con.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet('${dataDir}/${t}.parquet')`);
      }
      for (const c of nb.cells.filter((x) => x.metadata.themis?.role === 'data')) {
        const code = c.source.join('');
        const sql = /sql\(r"""([\s\S]*?)"""\)/.exec(code)![1];
        const rows = (await con.runAndReadAll(sql)).getRowObjectsJson();
        const chart = charts.find((x) => x.metadata.themis!.figure === c.metadata.themis!.figure)!;
        const values = (chart.outputs![0].data['application/vnd.vegalite.v5+json'] as { data: { values: unknown[] } }).data.values;
        expect(rows.length, c.metadata.themis!.figure).toBe(values.length);
      }
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });
});
