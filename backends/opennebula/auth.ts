/**
 * Where the XML-RPC endpoint and the credentials come from, as OpenNebula's own CLI does it: ONE_XMLRPC for the
 * endpoint, the file named by ONE_AUTH (default ~/.one/one_auth) holding `user:password`. Credentials never come
 * from a sweep file, so sweeps can be shared and stored with their results.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { BackendSetupError } from '../../core/errors.js';

export const DEFAULT_ENDPOINT = 'http://localhost:2633/RPC2';

export interface OneCredentials {
  endpoint: string;
  user: string;
  /** The session string OpenNebula expects as the first argument of every call: `user:password`. */
  session: string;
  /** Where the credentials were read, for messages. */
  auth_file: string;
}

export function authFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ONE_AUTH && env.ONE_AUTH.length > 0 ? env.ONE_AUTH : path.join(homedir(), '.one', 'one_auth');
}

/** Parses the one_auth text: the first non-empty line, `user:password` (the password may contain ':'). */
export function parseAuthText(text: string, file: string): { user: string; password: string } {
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0);
  const colon = line === undefined ? -1 : line.indexOf(':');
  if (line === undefined || colon <= 0 || colon === line.length - 1) {
    throw new BackendSetupError(`OpenNebula credentials file ${file} must hold one line 'user:password'`);
  }
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}

export async function loadCredentials(env: NodeJS.ProcessEnv = process.env): Promise<OneCredentials> {
  const endpoint = env.ONE_XMLRPC && env.ONE_XMLRPC.length > 0 ? env.ONE_XMLRPC : DEFAULT_ENDPOINT;
  const file = authFilePath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BackendSetupError(
      `no OpenNebula credentials: cannot read ${file} (${code ?? (e as Error).message}); ` +
        `write 'user:password' there or point ONE_AUTH at such a file`,
    );
  }
  const { user, password } = parseAuthText(text, file);
  return { endpoint, user, session: `${user}:${password}`, auth_file: file };
}
