/**
 * Host key checking against an OpenSSH known_hosts file, as `ssh` does with StrictHostKeyChecking=yes
 * (or =accept-new when the user explicitly allows new keys). Hashed entries (|1|salt|hash), wildcard patterns,
 * negations, `[host]:port` for non-22 ports and @revoked are understood; @cert-authority lines are ignored
 * (ssh2 does not verify host certificates), so such hosts count as unknown.
 */
import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  patterns: string[];
  key_type: string;
  /** The public key blob (SSH wire format), as a host presents it. */
  key: Buffer;
}

export type HostKeyVerdict = 'match' | 'unknown' | 'changed' | 'revoked';

/** The name a host has in known_hosts: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    if (fields.length < 3) continue;
    const key = Buffer.from(fields[2], 'base64');
    if (key.length === 0) continue;
    out.push({ marker, patterns: fields[0].split(','), key_type: fields[1], key });
  }
  return out;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('|');
  // |1|salt|hash -> ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const mac = createHmac('sha1', Buffer.from(parts[2], 'base64')).update(name).digest('base64');
  return mac === parts[3];
}

/** Whether an entry's host patterns name this host (a matching negation excludes it). */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  let hit = false;
  for (const p of entry.patterns) {
    if (p.startsWith('|')) {
      if (hashedMatch(p, name)) hit = true;
    } else if (p.startsWith('!')) {
      if (wildcardMatch(p.slice(1), name)) return false;
    } else if (wildcardMatch(p, name)) hit = true;
  }
  return hit;
}

/** The key type written at the start of a key blob (uint32 length + name). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

export function verifyHostKey(entries: KnownHostEntry[], name: string, presented: Buffer): HostKeyVerdict {
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && entryMatches(e, name));
  if (forHost.some((e) => e.marker === 'revoked' && e.key.equals(presented))) return 'revoked';
  const plain = forHost.filter((e) => e.marker === null);
  if (plain.some((e) => e.key.equals(presented))) return 'match';
  // Like ssh: a different key of the same type is a changed key; only other types mean "not known yet".
  const type = keyTypeOf(presented);
  return plain.some((e) => e.key_type === type) ? 'changed' : 'unknown';
}

/** Host key algorithms to offer for a host: those of its known keys, so the server presents a key we can check. */
export function hostKeyAlgorithmsFor(entries: KnownHostEntry[], name: string): string[] {
  const types = new Set(
    entries.filter((e) => e.marker === null && entryMatches(e, name)).map((e) => e.key_type),
  );
  const algos: string[] = [];
  for (const t of types) {
    if (t === 'ssh-rsa') algos.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa');
    else algos.push(t);
  }
  return algos;
}

export async function loadKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Records a newly accepted key, as ssh's accept-new does. */
export async function appendKnownHost(file: string, name: string, key: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
