/**
 * Report generation time on a large database: the HTML report (and, optionally, the notebook with its
 * Parquet export) on a given DuckDB file. Run directly, it builds a synthetic 1,000,000-trial database with
 * SQL (reports/synthetic.ts) and times everything:
 *   npm run build && node dist/bench/report.js [trials] [--notebook]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeHtmlReport } from '../reports/html.js';
import { writeNotebook } from '../reports/notebook.js';
import { exportData } from '../reports/export.js';
import { createSyntheticDb } from '../reports/synthetic.js';

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2));

export async function benchReport(
  dbPath: string,
  opts: { notebook?: boolean; by?: string[]; exports?: boolean } = {},
): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-bench-report-'));
  try {
    const out: Record<string, number> = {};
    let t0 = performance.now();
    await writeHtmlReport({ db: dbPath, out: join(dir, 'report.html') });
    out.report_html_s = seconds(t0);
    out.report_html_kib = Math.round(statSync(join(dir, 'report.html')).size / 1024);
    if (opts.by && opts.by.length > 0) {
      t0 = performance.now();
      await writeHtmlReport({ db: dbPath, out: join(dir, 'report-by.html'), by: opts.by });
      out.report_html_by_axes_s = seconds(t0);
    }
    if (opts.exports) {
      t0 = performance.now();
      await exportData({ db: dbPath, format: 'parquet', out: join(dir, 'trials.parquet'), table: 'trials' });
      out.export_parquet_trials_s = seconds(t0);
      t0 = performance.now();
      await exportData({
        db: dbPath, format: 'arrow', out: join(dir, 'outcomes.arrow'),
        query: 'SELECT trial_id, mode, status, downtime_ms, outage_ms, total_ms, started_at FROM trials',
      });
      out.export_arrow_outcomes_s = seconds(t0);
    }
    if (opts.notebook) {
      t0 = performance.now();
      await writeNotebook({ db: dbPath, out: join(dir, 'analysis.ipynb') });
      out.report_notebook_with_parquet_s = seconds(t0);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds the synthetic database, then times the report on it. */
export async function benchReportSynthetic(trials = 1_000_000, notebook = true): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-bench-report-db-'));
  try {
    const db = join(dir, 'synthetic.duckdb');
    const t0 = performance.now();
    await createSyntheticDb(db, { trials, withQemu: true, detailedTrials: 500 });
    const generated = seconds(t0);
    const figures = await benchReport(db, { notebook, exports: true, by: ['network', 'max_bandwidth_mib_s'] });
    return { report_trials: trials, report_synthetic_db_s: generated, ...figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const trials = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const figures = await benchReportSynthetic(trials, !process.argv.includes('--no-notebook'));
  for (const [k, v] of Object.entries(figures)) process.stderr.write(`  ${k.padEnd(44)} ${v}\n`);
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}
