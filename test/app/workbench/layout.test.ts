/**
 * The workbench at 1400 px in real Chromium: with campaigns of long names and ids, every campaign's report link
 * is on screen (not scrolled away at the end of a wide table, as it was), nothing is wider than the viewport,
 * and modes and backends wear the reports' colours (reports/palette.ts, served as /palette.css).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type HeadlessChromium } from '../../../reports/chromium.js';
import { BACKEND_COLOURS, MODE_COLOURS } from '../../../reports/palette.js';
import { postJson, readSse, startEnv, SMALL_SWEEP, type Env } from './helpers.js';

const WIDTH = 1400;
let env: Env;
let chrome: HeadlessChromium;
let page: Page;

/** '#4c78a8' → 'rgb(76, 120, 168)', as getComputedStyle reports it. */
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

beforeAll(async () => {
  env = await startEnv();
  // A campaign with the longest name a sweep may have (100 characters): its id is longer still.
  const long = `wb-${'long-campaign-name-'.repeat(5)}`.slice(0, 100);
  writeFileSync(join(env.sweeps, 'long.yaml'), SMALL_SWEEP.replace('name: wb-small', `name: ${long}`));
  const run = await postJson<{ run_id: number }>(env.url, '/api/runs', { sweep: 'long.yaml' });
  expect(run.status).toBe(202);
  await readSse(new URL(`/api/runs/${run.body.run_id}/events`, env.url).href, 120_000);
  chrome = await launchChromium();
  page = await chrome.context.newPage();
  await page.setViewportSize({ width: WIDTH, height: 900 });
  await page.goto(env.url, { waitUntil: 'load', timeout: 30_000 });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelectorAll('#campaigns tbody tr').length === 2, undefined, { timeout: 30_000 });
}, 240_000);
afterAll(async () => {
  await chrome?.close();
  await env?.cleanup();
});

describe('workbench at 1400 px', () => {
  it('shows every report link on screen, and nothing is wider than the viewport', async () => {
    await page.screenshot({ path: '/tmp/themis-workbench-1400.png', fullPage: true }).catch(() => undefined);
    const links = await page.$$eval('#campaigns tbody a.report-link', (as) =>
      as.map((a) => {
        const r = a.getBoundingClientRect();
        const box = a.closest('.scroll')!.getBoundingClientRect();
        return { left: r.left, right: r.right, width: r.width, boxLeft: box.left, boxRight: box.right };
      }),
    );
    expect(links).toHaveLength(2);
    for (const l of links) {
      expect(l.width).toBeGreaterThan(0);
      expect(l.right).toBeLessThanOrEqual(Math.min(WIDTH, l.boxRight));
      expect(l.left).toBeGreaterThanOrEqual(l.boxLeft);
    }
    const wide = await page.evaluate((w) => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w + 0.5)
      .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`), WIDTH);
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
  });

  it('colours modes and backends as the reports do', async () => {
    const vars = await page.evaluate(() => {
      const s = getComputedStyle(document.documentElement);
      return { live: s.getPropertyValue('--mode-live').trim(), cold: s.getPropertyValue('--mode-cold').trim(), simulator: s.getPropertyValue('--backend-simulator').trim() };
    });
    expect(vars).toEqual({ live: MODE_COLOURS.live, cold: MODE_COLOURS.cold, simulator: BACKEND_COLOURS.simulator });
    const swatches = await page.$$eval('#summary tbody td.swatch', (tds) =>
      tds.map((td) => ({ text: td.textContent, colour: getComputedStyle(td, '::before').backgroundColor })));
    const modes = swatches.filter((s) => s.text && s.text in { live: 1, cold: 1, suspend: 1, postcopy: 1 });
    expect(modes.length).toBeGreaterThanOrEqual(3);
    for (const s of modes) expect(s.colour, s.text!).toBe(rgb(MODE_COLOURS[s.text!]));
    const backend = swatches.find((s) => s.text === 'simulator')!;
    expect(backend.colour).toBe(rgb(BACKEND_COLOURS.simulator));
  });
});
