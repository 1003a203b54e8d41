/**
 * The HTML report opened in real Chromium: renders every figure with marks, logs no console error, makes
 * no network request, and its table numbers equal the SQL answers. A screenshot is kept under
 * test-artifacts/reports/ for a human to look at.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type HeadlessChromium } from '../../reports/chromium.js';
import { writeHtmlReport } from '../../reports/html.js';
import { sqlRows, syntheticFixture, type Fixture } from './helpers.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'reports');
let fx: Fixture;
let chrome: HeadlessChromium;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fx = await syntheticFixture({ trials: 6000, withQemu: true, seed: 2 });
  chrome = await launchChromium();
});
afterAll(async () => {
  await chrome?.close();
  fx?.cleanup();
});

interface PageFacts {
  consoleErrors: string[];
  requests: string[];
  rendered: string[];
  marks: Record<string, number>;
  cells: { table: string; key: string; col: string; value: string }[];
}

async function openReport(file: string, screenshot: string): Promise<PageFacts> {
  const page = await chrome.context.newPage();
  const facts: PageFacts = { consoleErrors: [], requests: [], rendered: [], marks: {}, cells: [] };
  page.on('console', (m) => { if (m.type() === 'error') facts.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => facts.consoleErrors.push(String(e)));
  page.on('request', (r) => facts.requests.push(r.url()));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 30_000 });
    facts.rendered = await page.evaluate(
      () => Promise.race([
        (window as unknown as { themisRendered: Promise<string[]> }).themisRendered,
        new Promise<string[]>((_, reject) => setTimeout(() => reject(new Error('figures did not render in 30 s')), 30_000)),
      ]),
    );
    facts.marks = await page.evaluate(() => {
      const out: Record<string, number> = {};
      document.querySelectorAll('div.fig').forEach((d) => {
        out[d.id] = d.querySelectorAll('svg g.mark-rect path, svg g.mark-symbol path, svg g.mark-rule line, svg g.mark-line path, svg g.mark-text text').length;
      });
      return out;
    });
    facts.cells = await page.evaluate(() =>
      [...document.querySelectorAll('table[data-table] td[data-col]')].map((td) => ({
        table: td.closest('table')!.getAttribute('data-table')!,
        key: td.closest('tr')!.getAttribute('data-key')!,
        col: td.getAttribute('data-col')!,
        value: td.getAttribute('data-value') ?? '',
      })),
    );
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    // Smaller pieces a human can actually look at: the top of the page and each figure.
    const stem = screenshot.replace(/\.png$/, '');
    await page.screenshot({ path: join(ARTIFACTS, `${stem}-top.png`) });
    for (const id of facts.rendered) await page.locator(`#figure-${id}`).screenshot({ path: join(ARTIFACTS, `${stem}-${id}.png`) });
  } finally {
    await page.close();
  }
  return facts;
}

const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('HTML report in Chromium', () => {
  it('renders every figure offline, without errors, with tables equal to SQL', async () => {
    const out = join(fx.dir, 'report.html');
    await writeHtmlReport({ db: fx.db, out, by: ['network'] });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('https://vega.github.io/schema/vega-lite/v5.json');
    expect(statSync(out).size).toBeLessThan(3_000_000);
    const facts = await openReport(out, 'report.png');
    expect(facts.consoleErrors).toEqual([]);
    const fileUrl = pathToFileURL(out).href;
    expect(facts.requests.filter((u) => u !== fileUrl && !u.startsWith('data:'))).toEqual([]);
    expect(new Set(facts.rendered)).toEqual(new Set(['distributions', 'by-axis', 'success', 'dirty-rate', 'convergence', 'timeline', 'backends', 'timeline-parts']));
    for (const [id, n] of Object.entries(facts.marks)) expect(n, `marks in ${id}`).toBeGreaterThan(0);

    const cell = (table: string, key: string, col: string) => {
      const c = facts.cells.find((x) => x.table === table && x.key === key && x.col === col);
      if (!c) throw new Error(`no cell ${table} ${key} ${col}`);
      return Number(c.value);
    };
    const ref = await sqlRows(
      fx.db,
      `SELECT backend, mode, count(*)::DOUBLE n, count(*) FILTER (WHERE status = 'succeeded')::DOUBLE s,
         quantile_cont(downtime_ms, 0.5) FILTER (WHERE status = 'succeeded') d50,
         quantile_cont(outage_ms, 0.95) FILTER (WHERE status = 'succeeded') o95,
         max(total_ms) FILTER (WHERE status = 'succeeded') tmax
       FROM trials GROUP BY ALL`,
    );
    expect(ref.length).toBeGreaterThan(5);
    for (const r of ref) {
      const key = `${r.backend}/${r.mode}`;
      expect(cell('modes', key, 'trials')).toBe(r.n);
      expect(cell('modes', key, 'succeeded')).toBe(r.s);
      // Quantiles are computed from the fetched values the way quantile_cont does: equal to the last bits.
      expect(relDiff(cell('modes', key, 'downtime_ms.p50'), Number(r.d50))).toBeLessThan(1e-12);
      expect(relDiff(cell('modes', key, 'outage_ms.p95'), Number(r.o95))).toBeLessThan(1e-12);
      expect(cell('modes', key, 'total_ms.max')).toBe(Number(r.tmax));
    }
    const [byRef] = await sqlRows(
      fx.db,
      `SELECT count(*)::DOUBLE n FROM trials WHERE backend = 'simulator' AND mode = 'live' AND network = 'routed-ospf'`,
    );
    expect(cell('by-axes', 'simulator/live/routed-ospf', 'trials')).toBe(byRef.n);
    const failures = await sqlRows(fx.db, `SELECT backend, mode, failure_reason, count(*)::DOUBLE n FROM trials WHERE status <> 'succeeded' GROUP BY ALL`);
    for (const f of failures) expect(cell('failures', `${f.backend}/${f.mode}/${f.failure_reason}`, 'trials')).toBe(f.n);
    // Live vs cold is the first comparison, and live saves outage in this data.
    const firstCmp = facts.cells.find((c) => c.table === 'comparisons')!;
    expect(firstCmp.key.split('/').slice(1, 3)).toEqual(['live', 'cold']);
    expect(cell('comparisons', 'simulator/live/cold/outage_ms', 'hl_shift')).toBeLessThan(0);
    // Live vs cold within each network design, medians equal to SQL.
    const [perNet] = await sqlRows(
      fx.db,
      `SELECT quantile_cont(outage_ms, 0.5) m FROM trials WHERE backend = 'simulator' AND mode = 'live' AND network = 'vxlan-learn' AND status = 'succeeded'`,
    );
    expect(relDiff(cell('comparisons-by-axes', 'simulator/vxlan-learn/live/cold/outage_ms', 'median_a'), Number(perNet.m))).toBeLessThan(1e-12);
  });

  it('restricts to one campaign', async () => {
    const out = join(fx.dir, 'qemu.html');
    await writeHtmlReport({ db: fx.db, out, campaignId: 'synthetic-qemu' });
    const facts = await openReport(out, 'report-one-campaign.png');
    expect(facts.consoleErrors).toEqual([]);
    expect(facts.rendered).not.toContain('backends');
    const keys = new Set(facts.cells.filter((c) => c.table === 'modes').map((c) => c.key.split('/')[0]));
    expect(keys).toEqual(new Set(['qemu']));
    expect(readFileSync(out, 'utf8')).not.toContain('synthetic-sim');
  });

  it('refuses an unknown --by axis and an unknown campaign', async () => {
    await expect(writeHtmlReport({ db: fx.db, out: join(fx.dir, 'x.html'), by: ['bogus'] })).rejects.toThrow(/unknown axis 'bogus'/);
    await expect(writeHtmlReport({ db: fx.db, out: join(fx.dir, 'x.html'), campaignId: 'nope' })).rejects.toThrow(/campaign 'nope'/);
  });
});
