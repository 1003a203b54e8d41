/**
 * Bringing stored rows to the current layout. Two levels:
 *  - the file: opening a database for writing reads the version in `themis_meta`, applies the DDL (schema.ts:
 *    tables, columns added since — parameters with their default, outcomes as NULL — and views), then brings
 *    every campaign up to date. The caller runs it in one transaction: a file is migrated whole or not at all.
 *    A file written by a newer Themis is refused: its columns would be silently misread.
 *  - the campaign: `campaigns.schema_version` says which layout a campaign's rows follow (NULL: before
 *    version 3, when the column came). `upgradeCampaigns` converts the rows of older campaigns, step by step;
 *    `themis merge` calls it too, so a dataset folder or database written by an older Themis is converted as
 *    it is loaded (the files themselves are never rewritten).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../errors.js';
import { MODES, MODE_PROPERTIES, type ModeProperties } from '../modes.js';
import { OUT } from '../results/outcomes.js';
import { PARAMETER_NAMES } from '../spec/parameters.js';
import { createSchemaSql, isUnlimitedParameter, parameterFromTextSql, SCHEMA_VERSION } from './schema.js';

interface DataStep {
  /** the version this step produces */
  to: number;
  why: string;
  /** Statements changing the file's columns, run once on a file older than `to`, before the DDL of schema.ts. */
  fileSql?: string[];
  /** Statements over campaigns whose rows are older than `to` (`$older`: a SQL predicate on `c`, the campaigns row). */
  sql: (older: string) => string[];
}

/** Version of a campaigns row `c` (written before the column existed: 2). */
const versionOf = (c: string) => `coalesce(${c}.schema_version, 2)`;

/**
 * Schema 3: `rounds` is QEMU's dirty-sync-count on every backend (outcomes.ts). The qemu and opennebula
 * backends always stored it so; the simulator stored completed pre-copy passes. QEMU syncs once at setup
 * (ram_init_bitmaps), once after each pass, and once more when it switches over (ram_save_complete) or
 * starts post-copy (ram_postcopy_send_discard_bitmap); a stopped VM's single pass (suspend) is followed by
 * both; modes without a migration stream keep 0. A VM whose whole memory fits the downtime limit at once
 * syncs once more before switching (ram_state_pending_exact), without a pass. A simulated trial reached the
 * switch when it paused (downtime > 0) or lost the VM in post-copy (downtime NULL).
 */
const ROUNDS_AS_DIRTY_SYNCS: DataStep = {
  to: 3,
  why: "simulator rounds become QEMU's dirty-sync-count",
  sql: (older) => [
    `UPDATE trial_results AS r SET ${OUT.rounds} = CASE
       WHEN p.mode IN (${sqlModeList((m) => !m.migration_stream)}) THEN r.${OUT.rounds}
       WHEN p.mode IN (${sqlModeList((m) => m.migration_stream && m.paused_throughout)}) THEN CASE WHEN r.status = 'succeeded' THEN 3 ELSE 1 END
       WHEN r.${OUT.rounds} = 0 AND (r.detail->>'converged_by') = 'downtime_limit' THEN 3
       WHEN r.${OUT.downtime_ms} IS NULL OR r.${OUT.downtime_ms} > 0 THEN r.${OUT.rounds} + 2
       ELSE r.${OUT.rounds} + 1 END
     FROM points AS p, campaigns AS c
     WHERE r.backend = 'simulator' AND r.${OUT.rounds} IS NOT NULL AND p.campaign_id = r.campaign_id
       AND p.point_index = r.point_index AND c.campaign_id = r.campaign_id AND ${older}`,
  ],
};

/**
 * Schema 4: a number-or-'unlimited' parameter (max_bandwidth_mib_s) was text ('64', 'unlimited'), so
 * `WHERE max_bandwidth_mib_s = 32` failed; it becomes DOUBLE with unlimited as +inf (schema.ts says why not NULL).
 */
const NUMERIC_UNLIMITED: DataStep = {
  to: 4,
  why: "max_bandwidth_mib_s becomes a DOUBLE (unlimited: +inf, and max_bandwidth_unlimited in trials)",
  fileSql: PARAMETER_NAMES.filter(isUnlimitedParameter).map(
    (name) => `ALTER TABLE points ALTER "${name}" SET DATA TYPE DOUBLE USING (${parameterFromTextSql(name, `"${name}"::VARCHAR`)})`,
  ),
  sql: () => [],
};

/** The modes with a property, as a SQL list of literals. */
function sqlModeList(has: (m: ModeProperties) => boolean): string {
  return MODES.filter((mode) => has(MODE_PROPERTIES[mode])).map((mode) => `'${mode}'`).join(', ');
}

const DATA_STEPS: readonly DataStep[] = [ROUNDS_AS_DIRTY_SYNCS, NUMERIC_UNLIMITED];

/** Converts the rows of every campaign older than SCHEMA_VERSION, then marks them current (run inside a transaction). */
export async function upgradeCampaigns(connection: DuckDBConnection): Promise<void> {
  for (const step of DATA_STEPS) {
    for (const sql of step.sql(`${versionOf('c')} < ${step.to}`)) await connection.run(sql);
  }
  await connection.run(`UPDATE campaigns AS c SET schema_version = ${SCHEMA_VERSION} WHERE ${versionOf('c')} < ${SCHEMA_VERSION}`);
}

/** The schema version stored in the file; null for a new file. */
export async function storedSchemaVersion(connection: DuckDBConnection): Promise<number | null> {
  const meta = await connection.runAndReadAll(
    `SELECT count(*)::INTEGER FROM information_schema.tables WHERE table_name = 'themis_meta' AND table_schema = 'main'`,
  );
  if (meta.getRowsJS()[0][0] === 0) return null;
  const r = await connection.runAndReadAll(`SELECT value FROM themis_meta WHERE key = 'schema_version'`);
  const row = r.getRowsJS()[0];
  return row === undefined ? null : Number(row[0]);
}

/** Brings the database to SCHEMA_VERSION (run inside a transaction). */
export async function migrateSchema(connection: DuckDBConnection, path: string): Promise<void> {
  const from = await storedSchemaVersion(connection);
  if (from !== null && from > SCHEMA_VERSION) {
    throw new UsageError(
      `${path}: written by a newer Themis (schema version ${from}; this one knows up to ${SCHEMA_VERSION}): upgrade Themis to write to it`,
    );
  }
  for (const step of DATA_STEPS) {
    if (from !== null && from < step.to) for (const sql of step.fileSql ?? []) await connection.run(sql);
  }
  for (const sql of createSchemaSql()) await connection.run(sql);
  await upgradeCampaigns(connection);
  await connection.run(`INSERT OR REPLACE INTO themis_meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
}

/** What each version step did (docs/design.md lists them). */
export const SCHEMA_STEPS: readonly { to: number; why: string }[] = DATA_STEPS.map(({ to, why }) => ({ to, why }));
