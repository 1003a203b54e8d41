/**
 * DNS-rebinding defence: a browser tricked into sending requests to 127.0.0.1 still sends the attacker's
 * name in the Host header, so only requests naming the address we listen on (or `localhost` when that
 * address is loopback) are served. Cross-site writes are refused by Origin as well.
 */
import { networkInterfaces } from 'node:os';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Addresses only this machine can reach: `localhost`, `::1` and 127.0.0.0/8 (Linux routes all of it to `lo`).
 * Any other bind (0.0.0.0, ::, a LAN address) is reachable by others and needs the token (token.ts).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Host header values (lower case, with port) the server accepts when bound to host:port. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>([host]);
  if (LOOPBACK.has(host) || host.startsWith('127.')) names.add('localhost');
  if (host === '0.0.0.0' || host === '::') {
    // Listening everywhere: any of this machine's own addresses, never a name a stranger controls.
    names.add('localhost');
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  }
  return new Set([...names].map((n) => `${hostPart(n).toLowerCase()}:${port}`));
}

export function isAllowedHost(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  return header !== undefined && allowed.has(header.toLowerCase());
}

/** A request from a page of another origin carries that Origin; ours carries our own, or none. */
export function isAllowedOrigin(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' && allowed.has(u.host.toLowerCase());
  } catch {
    return false;
  }
}
