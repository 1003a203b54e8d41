/**
 * `themis serve <db>` as one call for the CLI: start the workbench, print where it is, and stay up until
 * SIGINT/SIGTERM, then stop the run (if any, keeping what it stored) and close.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isLoopbackHost } from './host-check.js';
import { startWorkbench } from './server.js';

export const DEFAULT_PORT = 8737;

export interface ServeOptions {
  db: string;
  host?: string;
  port?: number;
  sweepsDir?: string;
  /** require a token even on a loopback bind (other users of this machine can reach loopback too) */
  token?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** Resolves when the server has closed after a signal. */
export async function serve(opts: ServeOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const host = opts.host ?? '127.0.0.1';
  const sweepsDir = resolve(opts.sweepsDir ?? 'sweeps');
  const db = resolve(opts.db);
  const wb = await startWorkbench({ db, host, port: opts.port ?? DEFAULT_PORT, sweepsDir, token: opts.token || !isLoopbackHost(host) });
  stdout.write(
    `themis workbench: ${wb.url}\n` +
      `  database: ${db}${existsSync(db) ? '' : ' (does not exist yet; the first run creates it)'}\n` +
      `  sweeps:   ${sweepsDir}${existsSync(sweepsDir) ? '' : ' (no such directory: no sweep can be started)'}\n` +
      `Ctrl-C stops it.\n`,
  );
  if (wb.token !== null) {
    // Printed once, on stderr (stdout may be logged): the only place the token is ever shown.
    const why = isLoopbackHost(host) ? '--token' : `listening on ${host}, reachable beyond this machine`;
    stderr.write(`token required (${why}): open ${wb.url}?token=${wb.token}\n  (or send it as Authorization: Bearer <token>; requests without it get 401)\n`);
  }
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stderr.write(`\n${signal}: stopping (a running campaign is interrupted; its stored trials are kept)\n`);
      wb.close().then(done, (err: unknown) => {
        stderr.write(`error while closing: ${err instanceof Error ? err.message : String(err)}\n`);
        done();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
