/** scripts/lab/compare.sh as a user runs it: the four campaigns of docs/lab.md in one report, from the committed datasets. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../core/store/store.js';
import { launchChromium } from '../../reports/chromium.js';
import { inspectReport } from '../support/report-page.js';

describe('scripts/lab/compare.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'themis-lab-compare-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('calibrates on the lab dataset and reports lab, qemu backend and simulator before/after side by side', async () => {
    const r = spawnSync('bash', [resolve('scripts/lab/compare.sh'), dir], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const store = await Store.open(join(dir, 'compare.duckdb'), { readOnly: true });
    try {
      const rows = (await store.connection.runAndReadAll(
        `SELECT t.backend, c.name, count(*)::INTEGER AS n FROM trials t JOIN campaigns c USING (campaign_id) GROUP BY ALL ORDER BY ALL`,
      )).getRowObjectsJS();
      expect(rows).toEqual([
        { backend: 'opennebula', name: 'opennebula-lab-dataset', n: 40 },
        { backend: 'qemu', name: 'qemu-lab-matched', n: 40 },
        { backend: 'simulator', name: 'opennebula-lab-model', n: 800 },
        { backend: 'simulator', name: 'opennebula-lab-simulated', n: 800 },
      ]);
      // the calibrated simulator lands on the lab's live outage; the uncalibrated one is two orders of magnitude off
      const live = (await store.connection.runAndReadAll(
        `SELECT name, median(outage_ms) AS outage FROM trial_timeline JOIN campaigns USING (campaign_id) WHERE mode = 'live' GROUP BY name`,
      )).getRowObjectsJS();
      const outage = Object.fromEntries(live.map((x) => [x.name, Number(x.outage)]));
      expect(Math.abs(outage['opennebula-lab-simulated'] / outage['opennebula-lab-dataset'] - 1)).toBeLessThan(0.05);
      expect(outage['opennebula-lab-model']).toBeLessThan(outage['opennebula-lab-dataset'] / 10);
    } finally {
      store.close();
    }
    const html = readFileSync(join(dir, 'compare.html'), 'utf8');
    expect(html).toContain('Campaigns compared: where the time goes');
    expect(html).toContain('qemu-lab-matched (qemu)');
    // as a reader sees it at 1400 px: nothing wider than the page, no overlapping titles, no empty "tested up to 0"
    const chrome = await launchChromium();
    try {
      const page = await inspectReport(chrome, join(dir, 'compare.html'));
      expect(page.wide).toEqual([]);
      expect(page.overlaps).toEqual([]);
      expect(page.text).not.toContain('tested up to 0 ');
    } finally {
      await chrome.close();
    }
  });
});
