/**
 * The workbench token: none on loopback, required on any other bind. The real server with the token forced on
 * 127.0.0.1 (the path a non-loopback bind takes, without leaving loopback), then `themis serve --host 0.0.0.0`
 * itself — the CLI prints the token once on stderr, and requests sent to 127.0.0.1 without it get 401.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../app/workbench/host-check.js';
import { offeredTokens, tokenMatches } from '../../../app/workbench/token.js';
import { rawRequest, startEnv, type Env } from './helpers.js';

describe('token rules', () => {
  it('treats localhost, ::1 and 127.0.0.0/8 as loopback, nothing else', () => {
    for (const h of ['localhost', 'LOCALHOST', '::1', '127.0.0.1', '127.0.0.2', '127.255.255.254']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '198.18.0.5', '10.0.0.1', '127.example.com', '127.0.0.1.evil', '::ffff:192.0.2.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('matches only the exact token, whatever its length', () => {
    const token = 'k3Jd9_aZ-0123456789abcdefghijklmnopqrstuvw';
    expect(tokenMatches(token, token)).toBe(true);
    for (const bad of [undefined, '', token.slice(0, -1), `${token}x`, token.replace(/.$/, 'X'), token.toUpperCase()]) {
      expect(tokenMatches(bad, token), String(bad)).toBe(false);
    }
  });

  it('reads the token from the header, a bearer authorization and the cookie', () => {
    expect(offeredTokens({ header: 'a', authorization: 'Bearer b', cookie: 'x=1; themis_token=c; y=2' })).toEqual(['a', 'b', 'c']);
    expect(offeredTokens({ authorization: 'Basic Zm9vOmJhcg==', cookie: 'themis_tokenx=d' })).toEqual([]);
  });
});

describe('a workbench that requires its token', () => {
  let env: Env;
  let token: string;
  beforeAll(async () => {
    env = await startEnv({ workbench: { token: true } });
    token = env.wb.token!;
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('refuses every route without it, with 401 and what to do', async () => {
    for (const path of ['/', '/app.js', '/api/status', '/api/campaigns', '/api/sweeps']) {
      const r = await rawRequest(env.url, { path });
      expect(r.status, path).toBe(401);
      expect(r.text, path).toMatch(/needs its token/);
      expect(r.text, path).not.toMatch(/wb-tiny/);
    }
    const sql = await rawRequest(env.url, { method: 'POST', path: '/api/sql', headers: { 'content-type': 'application/json' }, body: '{"sql":"SELECT 1"}' });
    expect(sql.status).toBe(401);
    const wrong = await rawRequest(env.url, { path: '/api/campaigns', headers: { authorization: `Bearer ${token.replace(/.$/, token.endsWith('A') ? 'B' : 'A')}` } });
    expect(wrong.status).toBe(401);
    expect((await rawRequest(env.url, { path: '/?token=nope' })).status).toBe(401);
  });

  it('accepts it as a bearer or header; ?token= once sets an HttpOnly SameSite=Strict cookie and leaves the URL', async () => {
    expect((await fetch(new URL('/api/campaigns', env.url), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(new URL('/api/status', env.url), { headers: { 'x-themis-token': token } })).status).toBe(200);

    const first = await fetch(new URL(`/?token=${token}`, env.url), { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^themis_token=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
    const jar = cookie.split(';')[0];
    const page = await fetch(env.url, { headers: { cookie: jar } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const events = await fetch(new URL('/api/campaigns', env.url), { headers: { cookie: jar } });
    expect(events.status).toBe(200);
    // the Host check still comes first
    const port = new URL(env.url).port;
    expect((await rawRequest(env.url, { path: '/api/status', headers: { host: `evil.example:${port}`, cookie: jar } })).status).toBe(403);
  });
});

describe('themis serve --host 0.0.0.0', () => {
  it('prints a token URL once on stderr and refuses requests without the token', async () => {
    // Its database and sweeps (its own server on 127.0.0.1 reads the file only per request).
    const env = await startEnv();
    const child = spawn(process.execPath, ['bin/themis.js', 'serve', env.db, '--host', '0.0.0.0', '--port', '0', '--sweeps', env.sweeps], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += String(c)));
    child.stderr.on('data', (c: Buffer) => (err += String(c)));
    try {
      for (let i = 0; i < 600 && !/token=/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
      const m = /open http:\/\/0\.0\.0\.0:(\d+)\/\?token=([A-Za-z0-9_-]+)/.exec(err);
      expect(m, err).not.toBeNull();
      const [, port, token] = m!;
      expect(out).not.toContain(token);
      const base = `http://127.0.0.1:${port}/`;
      expect((await fetch(new URL('/api/campaigns', base))).status).toBe(401);
      const ok = await fetch(new URL('/api/campaigns', base), { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(JSON.stringify(await ok.json())).toMatch(/wb-tiny/);
      expect(err.split(token).length - 1).toBe(1);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await env.cleanup();
    }
  });
});
