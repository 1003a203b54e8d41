/**
 * The one place a DuckDB file is opened. Every reader and writer of Themis's databases (the store, reports,
 * calibration, `themis sql`, the workbench) opens its file here, so the access modes are decided in one file.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DatabaseUnavailableError } from '../errors.js';

export interface OpenOptions {
  /** DuckDB's READ_ONLY access mode: a write fails inside DuckDB, whatever the SQL says. */
  readOnly?: boolean;
  /**
   * For SQL typed by a user (the workbench): READ_ONLY alone still lets SQL read any file (read_csv), write one
   * (COPY … TO) or ATTACH another database read-write; this turns file access off and locks the settings
   * against SET.
   */
  sandbox?: boolean;
  /**
   * Resources one instance may use (the workbench's queries). DuckDB's defaults are 80 % of RAM, spilling up
   * to 90 % of free disk, one thread per core. Set at open, before `lock_configuration`, so SQL cannot raise them.
   */
  limits?: ResourceLimits;
}

export interface ResourceLimits {
  /** DuckDB's `memory_limit`, e.g. '512MiB' */
  memory: string;
  /** DuckDB's `max_temp_directory_size`: how much may be spilled to `<db>.tmp`, e.g. '1GiB' ('0B': no spilling) */
  tempDirectory: string;
  threads: number;
  /**
   * DuckDB's `streaming_buffer_size` (a per-connection setting, so SET after open and before the lock): how far a
   * streaming result may run ahead of its reader. The default (~1 MB) still lets it buffer several 2,048-row
   * chunks: `SELECT repeat('x', 100000) FROM range(10000)` held ~1 GB before the first fetch (outside
   * memory_limit); '1KB' keeps it to the chunk being read (~0.3 GB there).
   */
  streamingBuffer?: string;
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
    ...(options.limits
      ? { memory_limit: options.limits.memory, max_temp_directory_size: options.limits.tempDirectory, threads: String(options.limits.threads) }
      : {}),
    ...(options.sandbox ? { enable_external_access: 'false' } : {}),
    // With a connection setting to apply first, openDatabase locks after it (SET lock_configuration = true).
    ...(options.sandbox && options.limits?.streamingBuffer === undefined ? { lock_configuration: 'true' } : {}),
  };
}

/** Opens `path` (':memory:' for an in-memory database) and one connection to it. */
/** DuckDB's refusals to open a file, as what they mean for the user and what to do; other errors as they are. */
export function explainOpenError(path: string, err: unknown): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (/could not set lock|conflicting lock/i.test(message)) {
    const pid = /\(PID (\d+)\)/.exec(message)?.[1];
    return new DatabaseUnavailableError(
      `database ${path} is in use by another Themis process${pid ? ` (pid ${pid})` : ''}: wait for it to end or stop it ` +
        `(Ctrl-C keeps what a run stored; --resume continues), or use another --db`,
      'locked',
    );
  }
  if (/not a valid DuckDB database file|unable to open database|database file.*(corrupt|invalid)/i.test(message)) {
    return new DatabaseUnavailableError(`${path} is not a DuckDB database (${message.replace(/^IO Error: /, '')}): name another file`, 'not_a_database');
  }
  return err;
}

export async function openDatabase(path: string, options: OpenOptions = {}): Promise<Database> {
  const instance = await DuckDBInstance.create(path, duckdbConfig(options)).catch((err: unknown) => {
    throw explainOpenError(path, err);
  });
  const connection = await instance.connect();
  const buffer = options.limits?.streamingBuffer;
  if (buffer !== undefined) {
    // Applied by Themis before any user SQL can run on this connection, then locked.
    await connection.run(`SET streaming_buffer_size = '${buffer.replace(/'/g, '')}'`);
    if (options.sandbox) await connection.run('SET lock_configuration = true');
  }
  return {
    instance,
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
