/**
 * A report opened in Chromium at 1400 px as a reader sees it: the elements wider than the page, overlapping axis
 * titles and timeline event names, the page's text and its figures' data (the stratified and lab-compare tests).
 */
import { pathToFileURL } from 'node:url';
import type { HeadlessChromium } from '../../reports/chromium.js';

export interface ReportPage { wide: string[]; overlaps: string[]; labels: string[]; text: string; figures: Record<string, unknown[]> }

export async function inspectReport(chrome: HeadlessChromium, html: string): Promise<ReportPage> {
  const page = await chrome.context.newPage();
  await page.setViewportSize({ width: 1400, height: 900 });
  try {
    await page.goto(pathToFileURL(html).href);
    await page.evaluate(() => (window as unknown as { themisRendered: Promise<unknown> }).themisRendered);
    return await page.evaluate(() => {
      const vw = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > vw + 1)
        .map((e) => `${e.tagName} ${e.id} ${e.getAttribute('data-table') ?? ''}`);
      const overlaps: string[] = [];
      const labels: string[] = [];
      document.querySelectorAll('div.fig svg').forEach((svg) => {
        const titles = [...svg.querySelectorAll('g.role-axis-title text')].map((t) => t.getBoundingClientRect()).filter((r) => r.width > 0);
        for (let i = 0; i < titles.length; i++) for (let j = i + 1; j < titles.length; j++) {
          const a = titles[i], b = titles[j];
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps.push(svg.closest('div.fig')!.id);
        }
      });
      // The timeline's event names (timeline-labels.ts): none overlaps another, each inside its panel.
      document.querySelectorAll('div.fig svg').forEach((svg) => {
        const names = [...svg.querySelectorAll('g[class*="event_labels"] text')].map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
        if (names.length > 0) labels.push(...names.map((n) => n.text ?? ''));
        for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) {
          const a = names[i].r, b = names[j].r;
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps.push(`event names ${names[i].text}/${names[j].text}`);
        }
      });
      const figures = JSON.parse(document.getElementById('themis-figures')!.textContent!) as { id: string; spec: { data?: { values: unknown[] } } }[];
      return { wide, overlaps, labels, text: document.body.innerText, figures: Object.fromEntries(figures.map((f) => [f.id, f.spec.data?.values ?? []])) };
    });
  } finally {
    await page.close();
  }
}

