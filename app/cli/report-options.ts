/** Options of `themis run/report/export/sql` that need more than a line: --by, formats from extensions, SQL to Parquet. */
import { extname } from 'node:path';
import { UsageError } from '../../core/errors.js';

/** `--by a,b`; `--by none` (no breakdown) is kept as the word and handled by the report. */
export function parseBy(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

const BY_EXTENSION: Record<string, 'parquet' | 'arrow' | 'csv' | 'ipynb'> = {
  '.parquet': 'parquet', '.arrow': 'arrow', '.feather': 'arrow', '.csv': 'csv', '.ipynb': 'ipynb',
};

/** `themis export --out x.parquet` without `--format`: the format is the extension's. */
export function formatFromExtension(out: string): 'parquet' | 'arrow' | 'csv' | 'ipynb' {
  const f = BY_EXTENSION[extname(out).toLowerCase()];
  if (!f) {
    throw new UsageError(
      `--format: not given and '${extname(out) || out}' names none; use --format parquet|arrow|csv|ipynb|dataset or an --out ending in ${Object.keys(BY_EXTENSION).join(', ')}`,
    );
  }
  return f;
}

/** `themis sql … --format parquet --out FILE`: DuckDB's COPY of the query, written atomically (reports/export.ts). */
export async function sqlToParquet(db: string, query: string, out: string | undefined): Promise<void> {
  if (out === undefined) throw new UsageError('--format parquet: needs --out FILE (Parquet is binary; it does not go to a terminal)');
  const { exportData } = await import('../../reports/export.js');
  await exportData({ db, format: 'parquet', out, query });
  process.stdout.write(`${out}\n`);
}
