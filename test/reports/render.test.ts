/** Figures as files: every spec compiles cleanly with vega-lite, SVGs are well-formed with marks, PNGs are real images. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { compile, type TopLevelSpec } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFigures } from '../../reports/charts/index.js';
import { renderFigures } from '../../reports/render.js';
import { openReportSource } from '../../reports/source.js';
import { syntheticFixture, type Fixture } from './helpers.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await syntheticFixture({ trials: 3000, withQemu: true, seed: 4 });
});
afterAll(() => fx?.cleanup());

describe('figures', () => {
  it('every Vega-Lite spec compiles without warnings and carries aggregated data only', async () => {
    const src = await openReportSource(fx.db);
    try {
      const figures = await buildFigures(src.con, ['network']);
      expect(figures.map((f) => f.id)).toEqual(['distributions', 'by-axis', 'success', 'dirty-rate', 'convergence', 'timeline', 'backends', 'timeline-parts']);
      for (const f of figures) {
        const warnings: string[] = [];
        const logger = {
          level: () => logger, error: (...m: unknown[]) => { warnings.push(`error ${m.join(' ')}`); return logger; },
          warn: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; },
          info: () => logger, debug: () => logger,
        };
        compile(f.spec as unknown as TopLevelSpec, { logger: logger as never });
        expect(warnings, f.id).toEqual([]);
        expect(f.spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
        // Aggregated: far fewer rows than the 3,300 trials (dirty-rate: one row of cells per network, --by network).
        expect(f.rows.length, f.id).toBeLessThan(f.id === 'dirty-rate' ? 1200 : 400);
      }
    } finally {
      src.close();
    }
  });

  it('renders SVG files server-side', async () => {
    const outDir = join(fx.dir, 'svg');
    const files = await renderFigures({ db: fx.db, outDir, format: 'svg' });
    expect(files).toHaveLength(8);
    for (const f of files) {
      const svg = readFileSync(f, 'utf8');
      expect(XMLValidator.validate(svg), f).toBe(true);
      expect(svg).toMatch(/class="mark-/);
    }
  });

  it('renders PNG files through Chromium', async () => {
    // Kept as artifacts: a human should look at what papers would get.
    const outDir = join(process.cwd(), 'test-artifacts', 'reports', 'figures');
    const files = await renderFigures({ db: fx.db, outDir, format: 'png', by: ['network'] });
    expect(files).toHaveLength(8);
    for (const f of files) {
      const png = readFileSync(f);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      expect(width).toBeGreaterThan(300);
      expect(height).toBeGreaterThan(150);
      expect(png.length).toBeGreaterThan(5000);
    }
  });
});
