/**
 * "Campaigns compared" on the committed real datasets merged with a simulator campaign, as docs/reports.md tells a
 * user to do: `themis merge out.duckdb datasets/opennebula-lab sim.duckdb`, then the report. The real campaign is
 * the reference, medians equal SQL, the settings that differ equal a plain per-trial check, the figure renders.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparedParameters } from '../../reports/analysis/settings.js';
import { launchChromium, type HeadlessChromium } from '../../reports/chromium.js';
import { writeHtmlReport } from '../../reports/html.js';
import { checkRenderedReport, compared, rel, themis } from './compare-helpers.js';
import { sqlRows } from './helpers.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'reports');
let dir: string;
let chrome: HeadlessChromium;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'themis-compare-datasets-'));
  chrome = await launchChromium();
}, 120_000);
afterAll(async () => {
  await chrome?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The simulator on the lab's settings (sweeps/opennebula-lab-simulated.yaml), run once per file. */
let labSimDb: Promise<string> | undefined;
function labSim(): Promise<string> {
  labSimDb ??= (async () => {
    const sim = join(dir, 'lab-sim.duckdb');
    expect(await themis('run', 'sweeps/opennebula-lab-simulated.yaml', '--db', sim, '--no-report')).toBe(0);
    return sim;
  })();
  return labSimDb;
}

describe('campaigns compared on the committed datasets', () => {
  it('the real lab dataset merged with a simulator campaign: OpenNebula is the reference', async () => {
    const merged = join(dir, 'lab-merged.duckdb');
    // The simulator on the lab's settings, as docs/reports.md tells a user to do, then merged with the dataset folder.
    const sim = await labSim();
    expect(await themis('merge', merged, 'datasets/opennebula-lab', sim)).toBe(0);
    const c = (await compared(merged))!;
    expect(c).not.toBeNull();
    const modes = [...new Set(c.rows.map((r) => r.mode))];
    expect(modes).toEqual(['live', 'suspend', 'cold', 'cold-hard']);
    for (const mode of modes) {
      const mine = c.rows.filter((r) => r.mode === mode);
      expect(mine.map((r) => r.backend)).toEqual(['opennebula', 'simulator']);
      expect(mine[0].is_reference).toBe(true);
      expect(mine[0].metric_ratios.outage_ms).toBe(1);
    }
    const ref = await sqlRows(
      merged,
      `SELECT campaign_id, mode, median(outage_ms) FILTER (WHERE status = 'succeeded') o,
         median(total_ms) FILTER (WHERE status = 'succeeded') t, median(downtime_ms) FILTER (WHERE status = 'succeeded') d
       FROM trials GROUP BY ALL`,
    );
    for (const row of c.rows) {
      const r = ref.find((x) => x.campaign_id === row.campaign_id && x.mode === row.mode)!;
      expect(rel(row.metrics.outage_ms.p50!, Number(r.o))).toBeLessThan(1e-12);
      expect(rel(row.metrics.total_ms.p50!, Number(r.t))).toBeLessThan(1e-12);
      if (r.d === null) expect(row.metrics.downtime_ms.p50).toBeNull();
      else expect(rel(row.metrics.downtime_ms.p50!, Number(r.d))).toBeLessThan(1e-12);
    }
    // The lab's live migration: seconds of orchestration around a sub-second outage.
    const lab = c.rows.find((r) => r.mode === 'live' && r.backend === 'opennebula')!;
    expect(lab.timeline_trials).toBe(lab.succeeded);
    expect(lab.parts.before_ms.p50!).toBeGreaterThan(1000);
    expect(lab.parts.outage_ms.p50!).toBeLessThan(1000);

    // Settings that differ, checked against every trial's values read plainly and compared here.
    const columns = comparedParameters();
    const all = await sqlRows(merged, `SELECT campaign_id, mode, ${columns.map((x) => `"${x}"`).join(', ')} FROM trials`);
    for (const s of c.settings) {
      const sets = s.campaigns.map((camp) => {
        const rows = all.filter((r) => r.mode === s.mode && r.campaign_id === camp.campaign_id);
        return Object.fromEntries(columns.map((col) => [col, JSON.stringify([...new Set(rows.map((r) => String(r[col])))].sort())]));
      });
      const expected = columns.filter((col) => sets.some((x) => x[col] !== sets[0][col]));
      expect(s.differences.map((d) => d.parameter)).toEqual(expected);
      expect(expected).toContain('orchestrator_overhead_ms');
    }

    const out = join(dir, 'lab.html');
    await writeHtmlReport({ db: merged, out });
    const errors = await checkRenderedReport(chrome, out, async (page, rendered) => {
      expect(rendered).toContain('timeline-parts');
      const bars = await page.evaluate(() => document.querySelectorAll('#fig-timeline-parts svg g.mark-rect path').length);
      expect(bars).toBe(4 * 2 * 3);
      await page.locator('#figure-timeline-parts').screenshot({ path: join(ARTIFACTS, 'compare-lab-timeline-parts.png') });
      await page.locator('table[data-table="campaigns-compared"]').first().screenshot({ path: join(ARTIFACTS, 'compare-lab-table.png') });
    });
    expect(errors).toEqual([]);
  }, 120_000);

  it('three backends from the committed datasets: opennebula first, then qemu campaigns by name, then the simulator', async () => {
    const sim = await labSim();
    const merged = join(dir, 'three.duckdb');
    expect(await themis('merge', merged, 'datasets/opennebula-lab', 'datasets/qemu-tcg', 'datasets/qemu-tcg/cold-rerun', sim)).toBe(0);
    const c = (await compared(merged))!;
    const order = (mode: string) => c.rows.filter((r) => r.mode === mode).map((r) => `${r.backend}:${r.name}`);
    expect(order('live')).toEqual(['opennebula:opennebula-lab-dataset', 'qemu:qemu-matrix', 'simulator:opennebula-lab-simulated']);
    expect(order('cold')).toEqual([
      'opennebula:opennebula-lab-dataset', 'qemu:qemu-matrix', 'qemu:qemu-matrix-cold', 'simulator:opennebula-lab-simulated',
    ]);
    // postcopy and hybrid: only the qemu dataset ran them — not compared.
    expect(c.rows.some((r) => r.mode === 'postcopy' || r.mode === 'hybrid')).toBe(false);
    const live = c.settings.find((s) => s.mode === 'live')!;
    const memory = live.differences.find((d) => d.parameter === 'memory_mib')!;
    expect(memory.values).toEqual([[256], [512], [256]]);
    expect(live.differences.find((d) => d.parameter === 'probe_interval_ms')!.values).toEqual([[5], [1], [5]]);
  }, 120_000);
});
