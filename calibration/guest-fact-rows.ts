/**
 * The per-trial QEMU migration facts of one real campaign, as the qemu backend stored them in
 * `detail.qemu_migration` (backends/qemu/migration-facts.ts names them; the names here are checked against it).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { QEMU_FACTS_KEY, type QemuMigrationFacts } from '../backends/qemu/migration-facts.js';
import { isMode, type Mode } from '../core/modes.js';

/** The facts calibration reads. */
export const FACTS_READ = [
  'ram_pages',
  'first_pass_normal_pages',
  'first_pass_zero_pages',
  'downtime_bytes',
  'downtime_ms',
  'precopy_rate_mib_s',
  'precopy_ms',
  'cap_mib_s',
] as const satisfies readonly (keyof QemuMigrationFacts)[];

type FactRead = (typeof FACTS_READ)[number];

export interface FactRow extends Record<FactRead, number | null> {
  trial_id: string;
  mode: Mode;
  succeeded: boolean;
  auto_converge: boolean;
  memory_mib: number;
}

const factSql = (name: FactRead): string => `TRY_CAST(json_extract(detail, '$.${QEMU_FACTS_KEY}.${name}') AS DOUBLE) AS ${name}`;

/** Trials of the campaign that recorded QEMU migration facts (older qemu datasets did not: none). */
export async function readFactRows(con: DuckDBConnection, campaignId: string): Promise<FactRow[]> {
  const reader = await con.runAndReadAll(
    `SELECT trial_id, mode, status = 'succeeded' AS succeeded, auto_converge, memory_mib, ${FACTS_READ.map(factSql).join(', ')}
     FROM trials WHERE campaign_id = $campaign AND json_exists(detail, '$.${QEMU_FACTS_KEY}')
     ORDER BY trial_index`,
    { campaign: campaignId },
  );
  return reader.getRowObjectsJS().map((r) => {
    const mode = String(r.mode);
    if (!isMode(mode)) throw new Error(`trial ${String(r.trial_id)}: unknown mode ${mode}`);
    const row = {
      trial_id: String(r.trial_id),
      mode,
      succeeded: r.succeeded === true,
      auto_converge: r.auto_converge === true,
      memory_mib: Number(r.memory_mib),
    } as FactRow;
    for (const name of FACTS_READ) row[name] = r[name] === null || r[name] === undefined ? null : Number(r[name]);
    return row;
  });
}
