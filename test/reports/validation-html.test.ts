/**
 * `themis validate --html`: the page renders offline in Chromium — every scatter and error chart — and its
 * tables hold the figures validate computed (data-value), on the tiny real dataset cut from datasets/qemu-tcg.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validate, type Validation } from '../../calibration/validate/validate.js';
import { launchChromium, type HeadlessChromium } from '../../reports/chromium.js';
import { validationHtml } from '../../reports/validation/page.js';
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
