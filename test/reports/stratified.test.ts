/**
 * Reports answer the sweep's own question: the example sweeps run through `themis run` (small repetitions), each
 * report opened in one Chromium at 1400 px — nothing wider than the page, no overlapping axis titles, no
 * "tested up to 0", timeline events named without overlap — the convergence map split by auto_converge with cells equal to a plain SQL per stratum,
 * and the network designs' per-design outage medians equal to SQL.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { launchChromium, type HeadlessChromium } from '../../reports/chromium.js';
import { sqlRows } from './helpers.js';
import { inspectReport, type ReportPage } from '../support/report-page.js';

let dir: string;
let chrome: HeadlessChromium;

/** The sweep with fewer repetitions (the same axes), run into its own file with its report. */
async function run(name: string, repetitions: number): Promise<{ db: string; html: string }> {
  const text = readFileSync(join('sweeps', `${name}.yaml`), 'utf8').replace(/^repetitions: \d+/m, `repetitions: ${repetitions}`);
  const sweep = join(dir, `${name}.yaml`);
  writeFileSync(sweep, text);
  const db = join(dir, `${name}.duckdb`);
  const html = join(dir, `${name}.html`);
  // A child process: `themis run` installs SIGINT/SIGTERM handlers, which must not outlive it in the test worker.
  const r = spawnSync(process.execPath, ['bin/themis.js', 'run', sweep, '--db', db, '--report', html], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return { db, html };
}

const inspect = (html: string): Promise<ReportPage> => inspectReport(chrome, html);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'themis-stratified-'));
  chrome = await launchChromium();
});
afterAll(async () => {
  await chrome?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stratified reports at 1400 px', () => {
  it('convergence map: headline and map split by auto_converge, cells equal SQL per stratum', async () => {
    const { db, html } = await run('convergence-map', 4);
    const p = await inspect(html);
    expect(p.wide).toEqual([]);
    expect(p.overlaps).toEqual([]);
    expect(p.text).not.toContain('tested up to 0 ');
    expect(p.text).toContain('simulator · auto_converge=false: live migration stops converging');
    expect(p.text).toContain('simulator · auto_converge=true: live migration stops converging');
    const map = p.figures.convergence as { panel: string; dirty_rate_pages_s: number; max_bandwidth_mib_s: string; success_rate: number; n: number }[];
    const sql = await sqlRows(db, `SELECT auto_converge, dirty_rate_pages_s, CASE WHEN max_bandwidth_unlimited THEN 'unlimited' ELSE printf('%g', max_bandwidth_mib_s) END AS cap, count(*)::DOUBLE AS n,
      avg(CASE WHEN status = 'succeeded' THEN 1.0 ELSE 0.0 END) AS rate FROM trials GROUP BY ALL`);
    expect(map).toHaveLength(sql.length);
    for (const r of sql) {
      const cell = map.find((m) => m.panel === `simulator · auto_converge=${String(r.auto_converge)}` && m.dirty_rate_pages_s === r.dirty_rate_pages_s && m.max_bandwidth_mib_s === r.cap)!;
      expect(cell.n).toBe(r.n);
      expect(cell.success_rate).toBeCloseTo(Number(r.rate), 12);
    }
  }, 240_000);

  it('network designs: a per-design outage chart whose medians equal SQL', async () => {
    const { db, html } = await run('network-designs', 20);
    const p = await inspect(html);
    expect(p.wide).toEqual([]);
    expect(p.overlaps).toEqual([]);
    const rows = p.figures['by-axis'] as { axis: string; value: string; mode: string; metric: string; median_ms: number; lo_ms: number; hi_ms: number }[];
    const sql = await sqlRows(db, `SELECT network, mode, quantile_cont(outage_ms, 0.5) AS m FROM trials WHERE status = 'succeeded' GROUP BY ALL`);
    expect(sql.length).toBe(8);
    for (const r of sql) {
      const row = rows.find((x) => x.axis === 'network' && x.value === r.network && x.mode === r.mode && x.metric === 'outage_ms')!;
      expect(row.median_ms).toBeCloseTo(Number(r.m), 9);
      expect(row.lo_ms).toBeLessThanOrEqual(row.median_ms);
      expect(row.hi_ms).toBeGreaterThanOrEqual(row.median_ms);
    }
    expect(p.text).toContain('simulator, network=routed-ospf: success live');
  }, 240_000);

  it('every other simulator sweep: nothing wider than the page, no overlapping axis titles', async () => {
    for (const name of ['live-vs-cold', 'postcopy-vs-precopy', 'opennebula-lab-model', 'opennebula-lab-simulated']) {
      const { html } = await run(name, 5);
      const p = await inspect(html);
      expect({ name, wide: p.wide, overlaps: p.overlaps }).toEqual({ name, wide: [], overlaps: [] });
      expect(p.labels, name).toContain('paused'); // the timeline names its events
      expect(p.text).not.toContain('tested up to 0 ');
    }
  }, 300_000);
});
