/**
 * The access token of a workbench reachable beyond loopback (`--host 0.0.0.0`, or any bind with `--token`).
 * Generated at start (32 random bytes), printed once on stderr as a URL `…/?token=…`. The page opened with it
 * gets the token back as an HttpOnly SameSite=Strict cookie and is redirected to the bare URL, so the token
 * leaves the address bar and every later request of the page (fetch, EventSource) carries it without the
 * page's script ever seeing it; scripts and tools may send it as `Authorization: Bearer …` or `X-Themis-Token`.
 * Tokens are compared as SHA-256 digests with crypto.timingSafeEqual: equal lengths, and the time taken does
 * not depend on how many leading characters are right.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_COOKIE = 'themis_token';
export const TOKEN_HEADER = 'x-themis-token';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison of what a request sent with the server's token. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(token));
}

/** One cookie's value from a Cookie header (`a=1; themis_token=…`); no library needed for one name. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface TokenSources {
  authorization?: string;
  header?: string;
  cookie?: string;
}

/** Every token the request offers (header, bearer, cookie): any one that matches lets it in. */
export function offeredTokens(s: TokenSources): string[] {
  const out: string[] = [];
  if (s.header) out.push(s.header);
  const bearer = /^Bearer\s+(\S+)$/i.exec(s.authorization ?? '')?.[1];
  if (bearer) out.push(bearer);
  const cookie = cookieValue(s.cookie, TOKEN_COOKIE);
  if (cookie) out.push(cookie);
  return out;
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
