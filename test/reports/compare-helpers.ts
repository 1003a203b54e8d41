/** Shared by the report tests: the CLI as a user calls it, the "Campaigns compared" section's data, a relative difference. */
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { main } from '../../app/cli/main.js';
import type { HeadlessChromium } from '../../reports/chromium.js';
import { gatherCampaignsCompared } from '../../reports/analysis/campaigns-compared.js';
import { openReportSource } from '../../reports/source.js';

/** `themis …` through main(), its stdout kept out of the test log; returns the exit code. */
export async function themis(...argv: string[]): Promise<number> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await main(argv);
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
}

/** The section's data for a database, as the report gathers it. */
export async function compared(path: string) {
  const src = await openReportSource(path);
  try {
    return await gatherCampaignsCompared(src.con);
  } finally {
    src.close();
  }
}

export const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/**
 * Opens a report in Chromium, waits (30 s at most) until its figures have rendered, runs `check` on the page
 * with the ids of the rendered figures, and returns what the page logged as errors.
 */
export async function checkRenderedReport(
  chrome: HeadlessChromium,
  file: string,
  check: (page: Page, rendered: string[]) => Promise<void>,
): Promise<string[]> {
  const page = await chrome.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 30_000 });
    const rendered = await page.evaluate(() =>
      Promise.race([
        (window as unknown as { themisRendered: Promise<string[]> }).themisRendered,
        new Promise<string[]>((_, reject) => setTimeout(() => reject(new Error('figures did not render in 30 s')), 30_000)),
      ]),
    );
    await check(page, rendered);
  } finally {
    await page.close();
  }
  return errors;
}
