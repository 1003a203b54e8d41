/**
 * The workbench page in real Chromium (headless, fresh profile, background services off): it loads without
 * console errors and without any request outside the server, lists the campaign with its per-mode summary,
 * shows a sweep's diagnostics, runs a sweep to the end with live progress, and shows the rows of a SQL query
 * typed into it. Screenshots are kept under test-artifacts/workbench/ for a human to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type HeadlessChromium } from '../../../reports/chromium.js';
import { postJson, startEnv, type Env } from './helpers.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'workbench');
let env: Env;
let chrome: HeadlessChromium;
let page: Page;
const consoleErrors: string[] = [];
/** Chromium logs every HTTP error response as a console error; the one the read-only check provokes is expected. */
const expectedErrors: string[] = [];
let provoking = false;
const requests: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  env = await startEnv();
  chrome = await launchChromium();
  page = await chrome.context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (provoking && /status of 400/.test(m.text()) && m.location().url.endsWith('/api/sql')) expectedErrors.push(m.text());
    else consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  chrome.context.on('request', (r) => requests.push(r.url()));
  await page.goto(env.url, { waitUntil: 'load', timeout: 30_000 });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
});
afterAll(async () => {
  await chrome?.close();
  await env?.cleanup();
});

const cellTexts = (selector: string) =>
  page.$$eval(selector, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

describe('workbench page in Chromium', () => {
  it('lists the campaign and its per-mode summary', async () => {
    const rows = await cellTexts('#campaigns tbody tr');
    expect(rows).toHaveLength(1);
    expect(rows[0][0]).toBe('wb-tiny');
    expect(rows[0][4]).toBe('finished');
    expect(rows[0][5]).toBe('24 / 24');
    const summary = await cellTexts('#summary tbody tr');
    expect(summary.map((r) => r[1])).toEqual(['cold', 'live', 'postcopy']);
    expect(summary.every((r) => r[2] === '8')).toBe(true);
    expect(await page.textContent('#db-path')).toBe(env.db);
  });

  it('shows the rows of a SQL query typed into the page', async () => {
    await page.fill('#sql-text', "SELECT mode, count(*)::INTEGER AS trials FROM trials WHERE dirty_rate_pages_s = 0 GROUP BY mode ORDER BY mode");
    await page.click('#run-sql');
    await page.waitForSelector('#sql-result tbody tr', { timeout: 30_000 });
    expect(await page.$$eval('#sql-result thead th', (ths) => ths.map((th) => th.textContent))).toEqual(['mode', 'trials']);
    expect(await cellTexts('#sql-result tbody tr')).toEqual([['cold', '4'], ['live', '4'], ['postcopy', '4']]);
    expect(await page.textContent('#sql-info')).toMatch(/^3 rows/);

    provoking = true;
    try {
      await page.fill('#sql-text', 'DELETE FROM campaigns');
      await page.press('#sql-text', 'Control+Enter');
      await page.waitForSelector('#sql-error:not([hidden])', { timeout: 30_000 });
      expect(await page.textContent('#sql-error')).toMatch(/read-only/);
    } finally {
      provoking = false;
    }
    expect(expectedErrors).toHaveLength(1);
    // Leave the page showing a useful query for the screenshot.
    await page.fill('#sql-text', 'SELECT * FROM live_vs_cold ORDER BY backend, mode');
    await page.click('#run-sql');
    await page.waitForFunction(() => document.querySelector('#sql-info')?.textContent?.startsWith('3 rows'), undefined, { timeout: 30_000 });
  });

  it("shows a broken sweep's diagnostics and keeps Start disabled", async () => {
    await page.selectOption('#sweep-select', 'bad.yaml');
    await page.waitForSelector('#sweep-check.bad li', { timeout: 30_000 });
    const items = await page.$$eval('#sweep-check li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/^bad\.yaml:2:\d+: seed: /);
    expect(await page.isDisabled('#start-run')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'workbench-diagnostics.png') });
  });

  it('runs a sweep from the page with live progress and lists the new campaign', async () => {
    await page.selectOption('#sweep-select', 'small.yaml');
    await page.waitForSelector('#sweep-check.ok', { timeout: 30_000 });
    expect(await page.textContent('#sweep-check')).toMatch(/= 30 trials/);
    await page.click('#start-run');
    await page.waitForSelector('#run-status[data-state="finished"]', { timeout: 120_000 });
    expect(await page.textContent('#run-status')).toMatch(/30 \/ 30 trials/);
    expect(await page.$eval('#run-progress', (p) => (p as HTMLProgressElement).value)).toBe(30);
    await page.waitForFunction(() => document.querySelectorAll('#campaigns tbody tr').length === 2, undefined, { timeout: 30_000 });
    const rows = await cellTexts('#campaigns tbody tr');
    expect(rows.map((r) => r[0]).sort()).toEqual(['wb-small', 'wb-tiny']);
    expect(rows.find((r) => r[0] === 'wb-small')![5]).toBe('30 / 30');
    // The page is idle again, and the server agrees.
    expect(await page.textContent('#run-pill')).toBe('idle');
    expect((await postJson(env.url, '/api/sql', { sql: 'SELECT 1' })).status).toBe(200);
  }, 180_000);

  it('cancels a long run from the page; the campaign list stays readable meanwhile', async () => {
    await page.selectOption('#sweep-select', 'big.yaml');
    await page.waitForSelector('#sweep-check.ok', { timeout: 30_000 });
    const previousRun = Number(await page.getAttribute('#run-status', 'data-run-id'));
    await page.click('#start-run');
    // The bar still shows the previous run until this one reports: wait for this run's own progress.
    await page.waitForFunction(
      (previous) => {
        const s = document.querySelector<HTMLElement>('#run-status');
        return !!s && Number(s.dataset.runId) > previous && s.dataset.state === 'running' && Number(s.dataset.done) > 0;
      },
      previousRun,
      { timeout: 60_000 },
    );
    expect(await page.$eval('#run-progress', (p) => (p as HTMLProgressElement).max)).toBe(400_000);
    expect(await page.textContent('#run-pill')).toMatch(/^running wb-big/);
    await page.click('#refresh-campaigns');
    await page.waitForSelector('#campaigns-note:not([hidden])', { timeout: 30_000 });
    expect(await page.textContent('#campaigns-note')).toMatch(/A run is writing the database/);
    expect(await page.$$eval('#campaigns tbody tr', (trs) => trs.length)).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'workbench-running.png') });
    await page.click('#cancel-run');
    await page.waitForSelector('#run-status[data-state="interrupted"]', { timeout: 120_000 });
    await page.waitForFunction(() => document.querySelectorAll('#campaigns tbody tr').length === 3, undefined, { timeout: 30_000 });
    const big = (await cellTexts('#campaigns tbody tr')).find((r) => r[0] === 'wb-big')!;
    expect(big[4]).toBe('interrupted');
    expect(big[5]).toMatch(/ \/ 400,000$/);
    expect(await page.isHidden('#campaigns-note')).toBe(true);
  }, 180_000);

  it('opens the HTML report of a campaign from its row', async () => {
    const [report] = await Promise.all([
      chrome.context.waitForEvent('page', { timeout: 30_000 }),
      page.click('#campaigns tbody tr:last-child a'),
    ]);
    await report.waitForLoadState('load', { timeout: 60_000 });
    expect(await report.title()).toMatch(/^Themis report — /);
    await report.close();
  });

  it('made no request outside the server and logged no console error', async () => {
    await page.screenshot({ path: join(ARTIFACTS, 'workbench.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    const outside = requests.filter((u) => !u.startsWith(env.url) && !u.startsWith('data:'));
    expect(outside).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
  });
});
