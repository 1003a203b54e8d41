/**
 * The reports on the simulator's real output, produced by the real CLI (`themis run`), not on synthetic rows:
 * report, figures, notebook and export all go through `main()` as a user would call them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { themis } from './compare-helpers.js';
import { launchChromium, type HeadlessChromium } from '../../reports/chromium.js';
import { sqlRows } from './helpers.js';

const SWEEP = `name: reports-sim
backend: simulator
seed: 7
repetitions: 12
parameters: { memory_mib: 1024, working_set_mib: 256, boot_s: 5, timeout_s: 30 }
axes:
  - grid:
      mode: [live, postcopy, cold]
      dirty_rate_pages_s: [0, 20000, 200000]
      max_bandwidth_mib_s: [64, unlimited]
      network: [l2-announce, routed-ospf]
`;

let dir: string;
let db: string;
let chrome: HeadlessChromium;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'themis-reports-sim-'));
  db = join(dir, 'sim.duckdb');
  writeFileSync(join(dir, 'sweep.yaml'), SWEEP);
  expect(await themis('run', join(dir, 'sweep.yaml'), '--db', db, '--no-report')).toBe(0);
  chrome = await launchChromium();
});
afterAll(async () => {
  await chrome?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reports on simulator output through the CLI', () => {
  it('themis report: HTML renders in Chromium and its numbers match SQL', async () => {
    const out = join(dir, 'sim.html');
    expect(await themis('report', db, '--out', out, '--by', 'network,max_bandwidth_mib_s')).toBe(0);
    const page = await chrome.context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    try {
      await page.goto(pathToFileURL(out).href, { timeout: 30_000 });
      const rendered = await page.evaluate(() => (window as unknown as { themisRendered: Promise<string[]> }).themisRendered);
      expect(rendered).toEqual(expect.arrayContaining(['distributions', 'success', 'dirty-rate', 'convergence', 'timeline']));
      const live = await page.evaluate(() => {
        const row = document.querySelector('table[data-table="modes"] tr[data-key="simulator/live"]')!;
        const v = (c: string) => Number(row.querySelector(`td[data-col="${c}"]`)!.getAttribute('data-value'));
        return { trials: v('trials'), succeeded: v('succeeded'), outage: v('outage_ms.p50'), tcp: v('tcp_stall_ms.p50') };
      });
      const [ref] = await sqlRows(
        db,
        `SELECT count(*)::DOUBLE n, count(*) FILTER (WHERE status = 'succeeded')::DOUBLE s,
           quantile_cont(outage_ms, 0.5) FILTER (WHERE status = 'succeeded') o,
           quantile_cont(tcp_stall_ms, 0.5) FILTER (WHERE status = 'succeeded') t FROM trials WHERE mode = 'live'`,
      );
      expect(live.trials).toBe(ref.n);
      expect(live.succeeded).toBe(ref.s);
      expect(Math.abs(live.outage - Number(ref.o)) / Number(ref.o)).toBeLessThan(1e-12);
      // the simulator's TCP stall sits beside the outage
      expect(Math.abs(live.tcp - Number(ref.t)) / Number(ref.t)).toBeLessThan(1e-12);
      expect(live.tcp).toBeGreaterThanOrEqual(live.outage);
      await page.screenshot({ path: join(process.cwd(), 'test-artifacts', 'reports', 'simulator-report-top.png') });
    } finally {
      await page.close();
    }
    expect(errors).toEqual([]);
    expect(requests.filter((u) => u !== pathToFileURL(out).href && !u.startsWith('data:'))).toEqual([]);
  });

  it('themis report --by with an unknown axis exits 2', async () => {
    expect(await themis('report', db, '--by', 'nonsense')).toBe(2);
  });

  it('themis export: ipynb validates, Arrow reads back equal to SQL', async () => {
    const nb = join(dir, 'nb', 'sim.ipynb');
    expect(await themis('export', db, '--format', 'ipynb', '--out', nb)).toBe(0);
    execFileSync('/usr/bin/python3', ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', nb], { timeout: 60_000 });
    const arrow = join(dir, 'live.arrow');
    expect(await themis('export', db, '--format', 'arrow', '--out', arrow, '--query', "SELECT trial_id, downtime_ms, rounds FROM trials WHERE mode = 'live' ORDER BY trial_id")).toBe(0);
    const table = tableFromIPC(readFileSync(arrow));
    const ref = await sqlRows(db, "SELECT trial_id, downtime_ms, rounds FROM trials WHERE mode = 'live' ORDER BY trial_id");
    expect(table.numRows).toBe(ref.length);
    expect(table.toArray().map((r) => ({ trial_id: r.trial_id, downtime_ms: r.downtime_ms, rounds: r.rounds }))).toEqual(ref);
  });
});
