/**
 * "Campaigns compared: where the time goes" on real engine output: two simulator campaigns with different
 * settings run by `themis run` into one database. The table's medians equal DuckDB's median(), the reference
 * and ratios follow the rule, "settings that differ" lists exactly what differs, the timeline's parts add up,
 * the section is absent with one campaign, and the figure renders in Chromium. The committed datasets are in
 * compare-datasets.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { compile, type TopLevelSpec } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIAL_TIMELINE_SQL } from '../../core/store/timeline.js';
import { CAMPAIGN_MEDIANS_SQL } from '../../reports/analysis/campaigns.js';
import { settingsSql } from '../../reports/analysis/settings.js';
import { buildFigures } from '../../reports/charts/index.js';
import { launchChromium, type HeadlessChromium } from '../../reports/chromium.js';
import { writeHtmlReport } from '../../reports/html.js';
import { writeNotebook } from '../../reports/notebook.js';
import { openReportSource } from '../../reports/source.js';
import { createSyntheticDb } from '../../reports/synthetic.js';
import { checkRenderedReport, compared, rel, themis } from './compare-helpers.js';
import { sqlRows, withReadOnly } from './helpers.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'reports');

const sweep = (name: string, memory: number, overhead: number, modes: string, afterMs = 0) => `name: ${name}
backend: simulator
seed: 11
repetitions: 15
parameters: { memory_mib: ${memory}, working_set_mib: 64, dirty_rate_pages_s: 2000, orchestrator_overhead_ms: ${overhead}, orchestrator_after_ms: ${afterMs}, boot_s: 2, timeout_s: 30 }
axes:
  - grid:
      mode: [${modes}]
`;

let dir: string;
let db: string;
let single: string;
let chrome: HeadlessChromium;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'themis-compare-'));
  db = join(dir, 'both.duckdb');
  single = join(dir, 'one.duckdb');
  // Suspend only in campaign b: measured by one campaign, so it is not compared.
  writeFileSync(join(dir, 'a.yaml'), sweep('compare-a', 256, 500, 'live, cold'));
  writeFileSync(join(dir, 'b.yaml'), sweep('compare-b', 512, 2000, 'live, suspend, cold', 1000));
  expect(await themis('run', join(dir, 'a.yaml'), '--db', db, '--no-report')).toBe(0);
  expect(await themis('run', join(dir, 'b.yaml'), '--db', db, '--no-report')).toBe(0);
  expect(await themis('run', join(dir, 'a.yaml'), '--db', single, '--no-report')).toBe(0);
  chrome = await launchChromium();
}, 120_000);
afterAll(async () => {
  await chrome?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('campaigns compared', () => {
  it('medians equal DuckDB median(); reference and ratios follow the rule', async () => {
    const c = (await compared(db))!;
    expect(c).not.toBeNull();
    const ids = await sqlRows(db, `SELECT name, campaign_id FROM campaigns`);
    const idOf = (name: string) => String(ids.find((r) => r.name === name)!.campaign_id);
    expect(c.rows.map((r) => `${r.mode}/${r.name}`)).toEqual(['live/compare-a', 'live/compare-b', 'cold/compare-a', 'cold/compare-b']);
    // Two simulator campaigns: the reference is the first by name.
    expect(c.rows.filter((r) => r.is_reference).map((r) => r.campaign_id)).toEqual([idOf('compare-a'), idOf('compare-a')]);
    expect(c.rows[1].label).toBe('compare-b (simulator)');

    const ref = await sqlRows(
      db,
      `SELECT campaign_id, mode, count(*)::DOUBLE n, count(*) FILTER (WHERE status = 'succeeded')::DOUBLE s,
         median(outage_ms) FILTER (WHERE status = 'succeeded') o, median(total_ms) FILTER (WHERE status = 'succeeded') t,
         median(downtime_ms) FILTER (WHERE status = 'succeeded') d
       FROM trials GROUP BY ALL`,
    );
    // The parts, independently of TRIAL_TIMELINE_SQL: the longest gap by a window, not arg_max.
    const parts = await sqlRows(
      db,
      `WITH g AS (SELECT campaign_id, trial_id, start_ms FROM probe_gaps
                  QUALIFY row_number() OVER (PARTITION BY campaign_id, trial_id ORDER BY duration_ms DESC) = 1)
       SELECT t.campaign_id, t.mode, median(g.start_ms) b, median(t.outage_ms) o,
         median(greatest(t.total_ms - g.start_ms - t.outage_ms, 0)) a
       FROM trials t JOIN g USING (campaign_id, trial_id) WHERE t.status = 'succeeded' GROUP BY ALL`,
    );
    for (const row of c.rows) {
      const r = ref.find((x) => x.campaign_id === row.campaign_id && x.mode === row.mode)!;
      const p = parts.find((x) => x.campaign_id === row.campaign_id && x.mode === row.mode)!;
      expect(row.trials).toBe(r.n);
      expect(row.succeeded).toBe(r.s);
      expect(row.succeeded).toBeGreaterThan(0);
      expect(rel(row.metrics.outage_ms.p50!, Number(r.o))).toBeLessThan(1e-12);
      expect(rel(row.metrics.total_ms.p50!, Number(r.t))).toBeLessThan(1e-12);
      expect(rel(row.metrics.downtime_ms.p50!, Number(r.d))).toBeLessThan(1e-12);
      expect(rel(row.parts.before_ms.p50!, Number(p.b))).toBeLessThan(1e-12);
      expect(rel(row.parts.outage_ms.p50!, Number(p.o))).toBeLessThan(1e-12);
      expect(rel(row.parts.after_ms.p50!, Number(p.a))).toBeLessThan(1e-12);
      expect(row.metrics.outage_ms.p50_lo!).toBeLessThanOrEqual(row.metrics.outage_ms.p50!);
      expect(row.metrics.outage_ms.p50_hi!).toBeGreaterThanOrEqual(row.metrics.outage_ms.p50!);
      const refRow = c.rows.find((x) => x.mode === row.mode && x.is_reference)!;
      expect(row.metric_ratios.total_ms).toBeCloseTo(row.metrics.total_ms.p50! / refRow.metrics.total_ms.p50!, 12);
      expect(row.part_ratios.before_ms).toBeCloseTo(row.parts.before_ms.p50! / refRow.parts.before_ms.p50!, 12);
      if (row.is_reference) expect(row.metric_ratios.outage_ms).toBe(1);
    }
    // 1.5 s more orchestration before the VM stops: campaign b spends longer before the outage.
    const liveB = c.rows.find((r) => r.mode === 'live' && r.name === 'compare-b')!;
    expect(liveB.part_ratios.before_ms!).toBeGreaterThan(1);
    // 1 s of orchestrator work after the VM runs at its destination: b's after part, none in a (ratio to 0: none).
    const liveA = c.rows.find((r) => r.mode === 'live' && r.name === 'compare-a')!;
    expect(liveA.parts.after_ms.p50).toBe(0);
    expect(liveB.parts.after_ms.p50!).toBeGreaterThan(900);
    expect(liveB.parts.after_ms.p50!).toBeLessThan(1100);
    expect(liveB.part_ratios.after_ms).toBeNull();

    // The notebook's SQL gives the same medians and ratios.
    const nb = await sqlRows(db, CAMPAIGN_MEDIANS_SQL);
    expect(nb).toHaveLength(c.rows.length);
    for (const row of c.rows) {
      const n = nb.find((x) => x.mode === row.mode && x.campaign === row.label)!;
      expect(n.reference).toBe(row.is_reference);
      expect(rel(Number(n.outage_ms_median), row.metrics.outage_ms.p50!)).toBeLessThan(1e-12);
      expect(rel(Number(n.total_ms_ratio), row.metric_ratios.total_ms!)).toBeLessThan(1e-12);
      if (row.part_ratios.after_ms === null) expect(n.part_after_ms_ratio).toBeNull();
      else expect(rel(Number(n.part_after_ms_ratio), row.part_ratios.after_ms)).toBeLessThan(1e-9);
      expect(rel(Number(n.part_before_ms_ratio), row.part_ratios.before_ms!)).toBeLessThan(1e-9);
    }
  });

  it('lists exactly the settings that differ', async () => {
    const c = (await compared(db))!;
    expect(c.settings.map((s) => s.mode)).toEqual(['live', 'cold']);
    for (const s of c.settings) {
      expect(s.campaigns.map((x) => x.label)).toEqual(['compare-a (simulator)', 'compare-b (simulator)']);
      expect(s.differences.map((d) => d.parameter).sort()).toEqual(['memory_mib', 'orchestrator_after_ms', 'orchestrator_overhead_ms']);
      expect(s.differences.find((d) => d.parameter === 'orchestrator_after_ms')!.values).toEqual([[0], [1000]]);
      expect(s.differences.find((d) => d.parameter === 'memory_mib')!.values).toEqual([[256], [512]]);
      expect(s.differences.find((d) => d.parameter === 'orchestrator_overhead_ms')!.values).toEqual([[500], [2000]]);
    }
    // The report reads the per-point table for speed; the notebook's cell reads trials: same answer.
    const fromPoints = await sqlRows(db, settingsSql(undefined, 'points'));
    expect(fromPoints).toHaveLength(4);
    expect(fromPoints).toEqual(await sqlRows(db, settingsSql(undefined, 'trials')));
  });

  it('splits every succeeded trial into parts that add up to its total', async () => {
    const [r] = await sqlRows(
      db,
      `SELECT count(*)::DOUBLE n,
         count(*) FILTER (WHERE total_ms - before_ms - outage_ms >= 0
                          AND abs(before_ms + outage_ms + after_ms - total_ms) > 1e-9 * total_ms)::DOUBLE bad,
         count(*) FILTER (WHERE before_ms < 0 OR after_ms < 0)::DOUBLE negative,
         (SELECT count(*) FROM trials WHERE status = 'succeeded')::DOUBLE succeeded
       FROM (${TRIAL_TIMELINE_SQL})`,
    );
    expect(r.n).toBe(r.succeeded);
    expect(r.bad).toBe(0);
    expect(r.negative).toBe(0);
  });

  it('is absent with a single campaign', async () => {
    expect(await compared(single)).toBeNull();
    const out = join(dir, 'one.html');
    await writeHtmlReport({ db: single, out });
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('Campaigns compared');
    expect(html).not.toContain('timeline-parts');
    // A report restricted to one campaign of the shared file: absent too.
    const restricted = join(dir, 'restricted.html');
    const [a] = await sqlRows(db, `SELECT campaign_id FROM campaigns WHERE name = 'compare-a'`);
    await writeHtmlReport({ db, out: restricted, campaignId: String(a.campaign_id) });
    expect(readFileSync(restricted, 'utf8')).not.toContain('Campaigns compared');
  });

  it('prefers a real backend as the reference, whatever the names', async () => {
    const path = join(dir, 'synthetic.duckdb');
    await createSyntheticDb(path, { trials: 600, withQemu: true, seed: 3 });
    // Name the qemu campaign so that it sorts last: the backend rule must still pick it.
    const instance = await DuckDBInstance.create(path);
    const con = await instance.connect();
    await con.run(`UPDATE campaigns SET name = 'zz-real' WHERE campaign_id = 'synthetic-qemu'`);
    con.closeSync();
    instance.closeSync();
    const c = (await compared(path))!;
    const refs = c.rows.filter((r) => r.is_reference);
    expect(new Set(refs.map((r) => r.backend))).toEqual(new Set(['qemu']));
    expect(refs.map((r) => r.mode)).toEqual(['live', 'postcopy', 'hybrid', 'suspend', 'cold']);
    expect(c.rows.find((r) => r.backend === 'simulator' && r.mode === 'live')!.label).toBe('synthetic-sim (simulator)');
  });

  it('renders the section and its figure in Chromium, cells equal to the analysis', async () => {
    const out = join(dir, 'both.html');
    await writeHtmlReport({ db, out });
    const c = (await compared(db))!;
    const errors = await checkRenderedReport(chrome, out, async (page, rendered) => {
      expect(rendered).toContain('timeline-parts');
      const facts = await page.evaluate(() => {
        const bars = document.querySelectorAll('#fig-timeline-parts svg g.mark-rect path').length;
        const cells = [...document.querySelectorAll('table[data-table="campaigns-compared"] td[data-col]')].map((td) => ({
          key: td.closest('tr')!.getAttribute('data-key')!, col: td.getAttribute('data-col')!, value: td.getAttribute('data-value'),
        }));
        const inSection = !!document.querySelector('#campaigns-compared ~ figure#figure-timeline-parts');
        const settings = [...document.querySelectorAll('table[data-table="settings-live"] tr[data-key]')].map((tr) => tr.getAttribute('data-key'));
        return { bars, cells, inSection, settings };
      });
      // 2 modes × 2 campaigns × 3 parts.
      expect(facts.bars).toBe(12);
      expect(facts.inSection).toBe(true);
      expect(facts.settings.sort()).toEqual(['live/memory_mib', 'live/orchestrator_after_ms', 'live/orchestrator_overhead_ms']);
      for (const row of c.rows) {
        const cell = (col: string) => facts.cells.find((x) => x.key === `${row.mode}/${row.campaign_id}` && x.col === col)?.value;
        expect(Number(cell('outage_ms.p50'))).toBe(row.metrics.outage_ms.p50);
        expect(Number(cell('part.after_ms.p50'))).toBe(row.parts.after_ms.p50);
        expect(Number(cell('total_ms.ratio'))).toBe(row.metric_ratios.total_ms);
        expect(cell('part.after_ms.ratio')).toBe(row.part_ratios.after_ms === null ? null : String(row.part_ratios.after_ms));
        expect(cell('reference')).toBe(row.is_reference ? '1' : '0');
      }
      await page.locator('table[data-table="campaigns-compared"]').first().screenshot({ path: join(ARTIFACTS, 'compare-table.png') });
      await page.locator('table[data-table="settings-live"]').screenshot({ path: join(ARTIFACTS, 'compare-settings.png') });
      await page.locator('#figure-timeline-parts').screenshot({ path: join(ARTIFACTS, 'compare-timeline-parts.png') });
    });
    expect(errors).toEqual([]);
  });

  it('the figure spec compiles without warnings; the notebook carries the section', async () => {
    const src = await openReportSource(db);
    try {
      const figures = await buildFigures(src.con, []);
      const f = figures.find((x) => x.id === 'timeline-parts')!;
      expect(f.rows).toHaveLength(12);
      const warnings: string[] = [];
      const logger = {
        level: () => logger, error: (...m: unknown[]) => { warnings.push(`error ${m.join(' ')}`); return logger; },
        warn: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; }, info: () => logger, debug: () => logger,
      };
      compile(f.spec as unknown as TopLevelSpec, { logger: logger as never });
      expect(warnings).toEqual([]);
    } finally {
      src.close();
    }
    const out = join(dir, 'nb', 'both.ipynb');
    await writeNotebook({ db, out });
    execFileSync('/usr/bin/python3', ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', out], { timeout: 60_000 });
    const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { cell_type: string; source: string[]; metadata: { themis?: { role?: string; figure?: string } } }[] };
    const text = nb.cells.map((x) => x.source.join('')).join('\n');
    expect(text).toContain('## Campaigns compared: where the time goes');
    expect(nb.cells.some((x) => x.metadata.themis?.role === 'medians')).toBe(true);
    expect(nb.cells.some((x) => x.metadata.themis?.role === 'settings')).toBe(true);
    expect(nb.cells.filter((x) => x.metadata.themis?.figure === 'timeline-parts').map((x) => x.metadata.themis!.role)).toEqual(['data', 'chart']);
    // The medians cell's SQL, run over the notebook's Parquet, gives the same rows as over the database.
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      for (const t of ['campaigns', 'trials', 'rounds', 'probe_gaps', 'events']) {
        await con.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet('${join(dir, 'nb', 'both_data', `${t}.parquet`)}')`);
      }
      const fromParquet = (await con.runAndReadAll(CAMPAIGN_MEDIANS_SQL)).getRowObjectsJson();
      const fromDb = await withReadOnly(db, async (c) => (await c.runAndReadAll(CAMPAIGN_MEDIANS_SQL)).getRowObjectsJson());
      expect(fromParquet).toEqual(fromDb);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });

  it('a campaign whose trials all failed: its medians and ratios are empty, the reference keeps its own', async () => {
    const path = join(dir, 'failing.duckdb');
    writeFileSync(join(dir, 'f.yaml'), `name: compare-failing
backend: simulator
seed: 5
repetitions: 5
parameters: { memory_mib: 256, working_set_mib: 256, dirty_rate_pages_s: 200000, max_bandwidth_mib_s: 8, timeout_s: 3 }
axes:
  - grid:
      mode: [live]
`);
    expect(await themis('run', join(dir, 'a.yaml'), '--db', path, '--no-report')).toBe(0);
    expect(await themis('run', join(dir, 'f.yaml'), '--db', path, '--no-report')).toBe(0);
    const c = (await compared(path))!;
    expect(c.rows.map((r) => `${r.mode}/${r.name}`)).toEqual(['live/compare-a', 'live/compare-failing']);
    const failing = c.rows[1];
    expect(failing.succeeded).toBe(0);
    expect(failing.success_hi).toBeLessThan(0.5);
    expect(failing.metrics.outage_ms.p50).toBeNull();
    expect(failing.metric_ratios.outage_ms).toBeNull();
    expect(failing.part_ratios.before_ms).toBeNull();
    expect(c.rows[0].metric_ratios.outage_ms).toBe(1);
    const out = join(dir, 'failing.html');
    await writeHtmlReport({ db: path, out });
    const html = readFileSync(out, 'utf8');
    const row = html.slice(html.indexOf(`data-key="live/${failing.campaign_id}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/data-col="outage_ms.p50"[^>]*>—<\/td><td data-col="outage_ms.ratio" class="num">—<\/td>/);
  });
});
