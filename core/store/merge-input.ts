/**
 * What `themis merge` accepts as an input, decided before anything is opened for writing: a DuckDB database
 * file (recognised by its header, not its name), a dataset folder holding the five Parquet files, or a
 * dataset root whose `shard=N` subfolders are dataset folders (the shards of an array job).
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

/** The files of a dataset folder: the `trials` view and the four tables, one Parquet file each. */
export const DATASET_TABLES = ['campaigns', 'trials', 'rounds', 'probe_gaps', 'events'] as const;
export type DatasetTable = (typeof DATASET_TABLES)[number];

export const datasetFile = (dir: string, table: DatasetTable): string => join(dir, `${table}.parquet`);

/** A root is a folder of `shard=N` dataset folders (dataset-root.ts); merging it merges each of them. */
export type MergeInput = { kind: 'duckdb'; path: string } | { kind: 'dataset'; path: string } | { kind: 'root'; path: string; shards: string[] };

const EXPECTED = 'expected a DuckDB database file, a dataset folder or a dataset root of shard=N folders';

const isShardFolder = (root: string, name: string): boolean => /^shard=\d+$/.test(name) && statSync(join(root, name)).isDirectory();

function fileHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** DuckDB's storage format puts the magic bytes "DUCK" at offset 8 of the main header. */
export function isDuckDbFile(path: string): boolean {
  return fileHead(path, 12).subarray(8, 12).toString('latin1') === 'DUCK';
}

export function classifyMergeInput(path: string): MergeInput {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or folder (${EXPECTED})`);
  if (statSync(path).isDirectory()) {
    const shards = readdirSync(path).filter((n) => isShardFolder(path, n)).sort();
    const files = DATASET_TABLES.filter((t) => existsSync(datasetFile(path, t)));
    if (shards.length > 0 && files.length === 0) {
      for (const s of shards) classifyMergeInput(join(path, s));
      return { kind: 'root', path, shards: shards.map((s) => join(path, s)) };
    }
    const missing = DATASET_TABLES.filter((t) => !existsSync(datasetFile(path, t))).map((t) => `${t}.parquet`);
    if (missing.length > 0) {
      throw new UsageError(
        `${path}: not a complete dataset folder: missing ${missing.join(', ')} ` +
          `(expected ${DATASET_TABLES.map((t) => `${t}.parquet`).join(', ')}, or shard=N folders holding them)`,
      );
    }
    return { kind: 'dataset', path };
  }
  if (isDuckDbFile(path)) return { kind: 'duckdb', path };
  const found = fileHead(path, 4).toString('latin1') === 'PAR1' ? 'a single Parquet file (give the folder holding all five)' : 'a file that is neither';
  throw new UsageError(`${path}: ${EXPECTED}; found ${found}`);
}
