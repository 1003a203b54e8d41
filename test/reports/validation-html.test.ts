/**
 * `themis validate --html` and `--notebook`: the page renders offline in Chromium — every scatter and error chart —
 * and its tables hold the figures validate computed (data-value); the notebook's SQL over its exported pairs gives
 * the same figures, and nbclient runs every cell. On the tiny real dataset cut from datasets/qemu-tcg.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_METRICS } from '../../calibration/validate/outcomes.js';
import { validate, type Validation } from '../../calibration/validate/validate.js';
import { launchChromium, type HeadlessChromium } from '../../reports/chromium.js';
import { validationHtml } from '../../reports/validation/page.js';
import { errorTableSql, writeValidationNotebook } from '../../reports/validation/notebook.js';
import { mirrorSweep, writeRealDataset } from '../calibration/validate-fixture.js';
import { checkRenderedReport } from './compare-helpers.js';

let dir: string;
let chrome: HeadlessChromium;
let v: Validation;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'themis-validation-html-'));
  await writeRealDataset(join(dir, 'real'));
  writeFileSync(join(dir, 'model.yaml'), mirrorSweep());
  v = await validate({ sweepPath: join(dir, 'model.yaml'), against: join(dir, 'real') });
  chrome = await launchChromium();
});
afterAll(async () => {
  await chrome?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('renders every figure offline, and its tables hold the computed figures', async () => {
  const file = join(dir, 'validation.html');
  writeFileSync(file, validationHtml(v));
  const errors = await checkRenderedReport(chrome, file, async (page, rendered) => {
    expect(rendered).toEqual([
      'validation-total_ms', 'validation-transferred_bytes', 'validation-downtime_ms', 'validation-outage_ms',
      'validation-modes', 'validation-axis-max_bandwidth_mib_s', 'validation-axis-dirty_rate_pages_s',
    ]);
    // each scatter draws one dot per trial compared, plus the y = x line
    const marks = await page.$$eval('#fig-validation-total_ms path[role="graphics-symbol"]', (els) => els.length);
    expect(marks).toBe(v.modes[2].errors.total_ms.compared + 1);
    for (const m of v.modes) {
      const cell = (col: string) => page.$eval(`table[data-table="validation-modes"] tr[data-key="${m.mode}"] td[data-col="${col}"]`, (td) => td.getAttribute('data-value'));
      expect(Number(await cell('downtime_ms.p50'))).toBe(m.errors.downtime_ms.p50);
      expect(Number(await cell('compared'))).toBe(m.both_converged);
    }
  });
  expect(errors).toEqual([]);
});

it('the notebook: its SQL over the exported pairs gives the same figures, and every cell runs under nbclient', async () => {
  const out = join(dir, 'validation.ipynb');
  await writeValidationNotebook(v, out);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`CREATE VIEW pairs AS SELECT * FROM read_parquet('${join(dir, 'validation_data', 'pairs.parquet')}')`);
    const rows = (await c.runAndReadAll(errorTableSql(v))).getRowObjectsJS();
    expect(rows.map((r) => r.mode)).toEqual(v.modes.map((m) => m.mode));
    rows.forEach((r, i) => {
      expect(Number(r.compared)).toBe(v.modes[i].both_converged);
      for (const metric of ERROR_METRICS) expect(Number(r[`${metric}_p50`])).toBeCloseTo(v.modes[i].errors[metric].p50!, 9);
    });
  } finally {
    c.closeSync();
    db.closeSync();
  }
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { cell_type: string; source: string[] }[] };
  expect(nb.cells.filter((x) => x.cell_type === 'code' && x.source.join('').startsWith('scatter('))).toHaveLength(4);
  const helper = join(process.cwd(), 'test', 'reports', 'python', 'run_notebook.py');
  const r = spawnSync('python3', [helper, out, '--timeout', '120'], { encoding: 'utf8', timeout: 240_000 });
  if (r.error || (r.status !== 0 && !r.stdout.trim())) throw new Error(`cannot run the notebook: ${String(r.error ?? r.stderr.slice(-2000))}`);
  const facts = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code_cells: number; ran: number; errors: number; error: string | null };
  expect(facts.error).toBeNull();
  expect(facts.errors).toBe(0);
  expect(facts.ran).toBe(facts.code_cells);
}, 300_000);
