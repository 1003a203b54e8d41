/**
 * Opens a campaign database for reading. The file is opened READ_ONLY (a report never changes results and
 * may run while a campaign still writes elsewhere). When one campaign is asked for, temp views named like
 * the tables shadow them, so every query of the report — and the SQL shown in the notebook — reads the
 * plain table names.
 */
import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../core/errors.js';
import { openDatabase } from '../core/store/open.js';
import { parameterColumns } from '../core/store/schema.js';

export const RESULT_TABLES = ['campaigns', 'trials', 'rounds', 'probe_gaps', 'events'] as const;

export interface ReportSource {
  con: DuckDBConnection;
  close: () => void;
}

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export async function openReportSource(db: string, campaignId?: string): Promise<ReportSource> {
  // DuckDB would create a missing file in write mode and say something obscure in read-only mode.
  if (!existsSync(db)) throw new UsageError(`no database at ${db}`);
  const { connection: con, close } = await openDatabase(db, { readOnly: true });
  try {
    if (campaignId !== undefined) {
      const catalog = String((await con.runAndReadAll('SELECT current_database() AS d')).getRowsJS()[0][0]);
      const known = (await con.runAndReadAll('SELECT count(*)::INTEGER FROM campaigns WHERE campaign_id = $c', { c: campaignId }))
        .getRowsJS()[0][0];
      if (known === 0) throw new UsageError(`campaign '${campaignId}' is not in ${db}`);
      for (const t of RESULT_TABLES) {
        await con.run(
          `CREATE TEMP VIEW ${t} AS SELECT * FROM ${sqlIdent(catalog)}.main.${t} WHERE campaign_id = ${sqlString(campaignId)}`,
        );
      }
    }
    return { con, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** Columns a report may group by: every typed parameter column except mode (always grouped), plus network facts. */
export function groupableAxes(): string[] {
  return ['campaign', ...parameterColumns().map((c) => c.name).filter((n) => n !== 'mode')];
}

/**
 * Validates `--by` at the edge: unknown names are a user error with the list of valid ones. Not given:
 * undefined (the report breaks down by what the campaigns vary); `none`: no breakdown.
 */
export function validateAxes(by: readonly string[] | undefined): string[] | undefined {
  if (by === undefined) return undefined;
  const axes = by.map((a) => a.trim()).filter((a) => a.length > 0 && a !== 'none');
  const valid = new Set(groupableAxes());
  const unknown = axes.filter((a) => !valid.has(a));
  if (unknown.length > 0) {
    throw new UsageError(`unknown axis ${unknown.map((u) => `'${u}'`).join(', ')} in --by; valid: ${[...valid].join(', ')}`);
  }
  return [...new Set(axes)];
}

export async function queryRows(con: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** JSON-safe plain values (bigint → number, Date → ISO string) for Vega-Lite data and HTML tables. */
export function plainRows(rows: Record<string, unknown>[]): Record<string, string | number | boolean | null>[] {
  return rows.map((r) => {
    const o: Record<string, string | number | boolean | null> = {};
    for (const [k, v] of Object.entries(r)) {
      if (v === null || v === undefined) o[k] = null;
      else if (typeof v === 'bigint') o[k] = Number(v);
      else if (v instanceof Date) o[k] = v.toISOString();
      else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') o[k] = v;
      else o[k] = String(v);
    }
    return o;
  });
}
