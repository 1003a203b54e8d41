/**
 * A partitioned dataset root: the shards of one sweep, each a dataset folder (five Parquet files) under a
 * hive-style partition, `<root>/shard=0007/trials.parquet`, so one query reads them all in place:
 * `SELECT … FROM read_parquet('<root>/*\/trials.parquet', hive_partitioning = true)` (the partition becomes a
 * `shard` column). A shard is exported into `<root>/.staging/` (same filesystem, one level deeper, so the
 * per-table glob never sees it) and renamed into place; a shard written again (a retried array task) moves
 * the old folder aside, renames the new one in and deletes the old: never two copies, never half a folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Shard } from '../plan/plan.js';
import { UsageError } from '../errors.js';
import { exportDataset, type DatasetExport } from './dataset-export.js';
import { sqlString } from './import-columns.js';
import { datasetFile } from './merge-input.js';

export const STAGING = '.staging';
const SHARD_FOLDER = /^shard=(\d+)$/;

/** `shard=0007`: four digits at least, so folders sort in shard order. */
export function shardFolderName(index: number): string {
  return `shard=${String(index).padStart(4, '0')}`;
}

/** The `shard=N` folders of a root, in shard order (other entries, `.staging` among them, are not shards). */
export function shardFolders(root: string): { index: number; path: string }[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  return readdirSync(root, { withFileTypes: true })
    .flatMap((e) => {
      const m = SHARD_FOLDER.exec(e.name);
      return m && e.isDirectory() ? [{ index: Number(m[1]), path: join(root, e.name) }] : [];
    })
    .sort((a, b) => a.index - b.index);
}

export interface PublishOptions {
  db: string;
  root: string;
  shard: Shard;
  campaignId: string;
}

/** Exports the shard's campaign from `db` and puts it at `<root>/shard=NNNN`, replacing an earlier copy. */
export async function publishShardDataset(opts: PublishOptions): Promise<{ folder: string; export: DatasetExport }> {
  if (existsSync(opts.root) && !statSync(opts.root).isDirectory()) {
    throw new UsageError(`--dataset-root ${opts.root}: expected a folder (or nothing yet); found a file`);
  }
  const name = shardFolderName(opts.shard.index);
  const staging = join(opts.root, STAGING);
  mkdirSync(staging, { recursive: true });
  // leftovers of this shard from a task that died while exporting
  for (const e of readdirSync(staging)) if (e.startsWith(`${name}-`)) rmSync(join(staging, e), { recursive: true, force: true });
  const tmp = mkdtempSync(join(staging, `${name}-`));
  const folder = join(opts.root, name);
  try {
    const exported = await exportDataset({ db: opts.db, outDir: tmp, campaignId: opts.campaignId });
    const old = `${tmp}.old`;
    if (existsSync(folder)) renameSync(folder, old);
    renameSync(tmp, folder);
    rmSync(old, { recursive: true, force: true });
    return { folder, export: { ...exported, files: exported.files.map((f) => join(folder, f.slice(tmp.length + 1))) } };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    try {
      if (readdirSync(staging).length === 0) rmSync(staging, { recursive: true, force: true });
    } catch {
      // another task's staging folder appeared or went: either way not ours to remove
    }
  }
}

/**
 * Before a root is merged: every `shard=i` folder holds shard i of one and the same N, and all N are there.
 * Reads the campaigns files only (their `shard` column says `i/N`).
 */
export async function checkRootComplete(c: DuckDBConnection, root: string): Promise<void> {
  const folders = shardFolders(root);
  const files = folders.map((f) => sqlString(datasetFile(f.path, 'campaigns')));
  const rows = (await c.runAndReadAll(
    `SELECT filename, list(DISTINCT shard) AS shards FROM read_parquet([${files.join(', ')}], filename = true, hive_partitioning = false) GROUP BY filename`,
  )).getRowObjectsJS();
  const byFile = new Map(rows.map((r) => [String(r.filename), (r.shards as (string | null)[]).map(String)]));
  const counts = new Set<number>();
  for (const f of folders) {
    const file = datasetFile(f.path, 'campaigns');
    const found = byFile.get(file) ?? [];
    const m = found.length === 1 ? /^(\d+)\/(\d+)$/.exec(found[0]) : null;
    if (!m || Number(m[1]) !== f.index) {
      throw new UsageError(`${file}: expected the campaign rows of shard ${f.index} (shard '${f.index}/N'); found shard ${found.map((s) => `'${s}'`).join(', ') || 'none'}`);
    }
    counts.add(Number(m[2]));
  }
  if (counts.size > 1) {
    throw new UsageError(`${root}: expected the shards of one split; found shards of ${[...counts].sort((a, b) => a - b).join(' and ')}`);
  }
  const [count] = [...counts];
  const have = new Set(folders.map((f) => f.index));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i));
  if (missing.length > 0) {
    const list = missing.slice(0, 10).map(shardFolderName).join(', ') + (missing.length > 10 ? `, … (${missing.length} in all)` : '');
    throw new UsageError(
      `${root}: expected all ${count} shards; missing ${list} (a task still running or failed? merge the folders one by one to union only some)`,
    );
  }
}
