/**
 * `themis report <db> --format svg|png`: every figure as a file, for papers. Vega-Lite is compiled and the
 * Vega view rendered to SVG on the server (vega's headless renderer, no canvas needed). PNG is that SVG
 * rasterised by headless Chromium at 2× scale, since node-canvas is not available here.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { launchChromium } from './chromium.js';
import type { Figure, VegaLiteSpec } from './charts/figure.js';
import { buildFigures } from './charts/index.js';
import { writeFileAtomic } from './atomic.js';
import { openReportSource, validateAxes } from './source.js';

export interface RenderOptions {
  db: string;
  outDir: string;
  format: 'svg' | 'png';
  by?: string[];
  campaignId?: string;
}

export async function figureToSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // Papers want a white background, not a transparent one.
    return svg.replace('<svg ', '<svg style="background:white" ');
  } finally {
    view.finalize();
  }
}

async function svgsToPngs(svgs: { path: string; svg: string }[]): Promise<void> {
  const chrome = await launchChromium(60_000, 2);
  try {
    const page = await chrome.context.newPage();
    for (const { path, svg } of svgs) {
      await page.setContent(`<!doctype html><html><body style="margin:0;background:white">${svg}</body></html>`, { timeout: 30_000 });
      const png = await page.locator('svg').first().screenshot({ timeout: 30_000 });
      writeFileAtomic(path, png);
    }
  } finally {
    await chrome.close();
  }
}

export async function renderFigures(opts: RenderOptions): Promise<string[]> {
  const by = validateAxes(opts.by);
  const src = await openReportSource(opts.db, opts.campaignId);
  let figures: Figure[];
  try {
    figures = await buildFigures(src.con, by);
  } finally {
    src.close();
  }
  mkdirSync(opts.outDir, { recursive: true });
  const svgs: { id: string; svg: string }[] = [];
  for (const f of figures) svgs.push({ id: f.id, svg: await figureToSvg(f.spec) });
  if (opts.format === 'svg') {
    return svgs.map(({ id, svg }) => {
      const path = join(opts.outDir, `${id}.svg`);
      writeFileAtomic(path, svg);
      return path;
    });
  }
  const targets = svgs.map(({ id, svg }) => ({ path: join(opts.outDir, `${id}.png`), svg }));
  await svgsToPngs(targets);
  return targets.map((t) => t.path);
}
