/**
 * The one place a DuckDB file is opened. Every reader and writer of Themis's databases (the store, reports,
 * calibration, `themis sql`, the workbench) opens its file here, so the access modes are decided in one file.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface OpenOptions {
  /** DuckDB's READ_ONLY access mode: a write fails inside DuckDB, whatever the SQL says. */
  readOnly?: boolean;
  /**
   * For SQL typed by a user (the workbench): READ_ONLY alone still lets SQL read any file (read_csv), write one
   * (COPY … TO) or ATTACH another database read-write; this turns file access off and locks the settings
   * against SET.
   */
  sandbox?: boolean;
}

export interface Database {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  /** Closes the connection, then the instance. */
  close(): void;
}

/** DuckDB's configuration for the options, in the order DuckDB is given them. */
export function duckdbConfig(options: OpenOptions = {}): Record<string, string> {
  return {
    ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
    ...(options.sandbox ? { enable_external_access: 'false', lock_configuration: 'true' } : {}),
  };
}

/** Opens `path` (':memory:' for an in-memory database) and one connection to it. */
export async function openDatabase(path: string, options: OpenOptions = {}): Promise<Database> {
  const instance = await DuckDBInstance.create(path, duckdbConfig(options));
  const connection = await instance.connect();
  return {
    instance,
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
