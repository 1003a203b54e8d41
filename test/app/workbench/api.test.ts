/**
 * The workbench API against a real DuckDB file made by the engine and the real simulator: campaigns and
 * their summaries equal SQL, SQL is read-only, capped and sandboxed, sweeps are validated with located
 * diagnostics, the report is served, and hostile requests (foreign Host, cross-origin writes, path
 * traversal) are refused.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { modeSummary } from '../../../reports/summary.js';
import { getJson, postJson, rawRequest, readSse, sqlRows, startEnv, type Env } from './helpers.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

interface Campaign {
  campaign_id: string;
  name: string;
  status: string;
  planned_trials: number;
  stored_trials: number;
  succeeded_trials: number;
  failed_trials: number;
  summary: { mode: string; trials: number; succeeded: number; outage_ms_p50: number | null }[];
}

describe('workbench API', () => {
  it('binds 127.0.0.1 on a free port by default', () => {
    expect(env.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('lists the campaign with counts and per-mode summary equal to SQL', async () => {
    const { status, body } = await getJson<{ campaigns: Campaign[]; stale: boolean }>(env.url, '/api/campaigns');
    expect(status).toBe(200);
    expect(body.stale).toBe(false);
    expect(body.campaigns).toHaveLength(1);
    const c = body.campaigns[0];
    const [counts] = await sqlRows(
      env.db,
      `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE status = 'succeeded')::INTEGER AS ok FROM trials`,
    );
    expect(c.name).toBe('wb-tiny');
    expect(c.status).toBe('finished');
    expect(c.planned_trials).toBe(24);
    expect(c.stored_trials).toBe(counts.n);
    expect(c.succeeded_trials).toBe(counts.ok);
    expect(c.failed_trials).toBe(24 - Number(counts.ok));
    const instance = await DuckDBInstance.create(env.db, { access_mode: 'READ_ONLY' });
    const con = await instance.connect();
    const expected = await modeSummary(con, c.campaign_id);
    con.closeSync();
    instance.closeSync();
    expect(c.summary).toEqual(expected);
    expect(c.summary.map((r) => r.mode).sort()).toEqual(['cold', 'live', 'postcopy']);

    const one = await getJson<{ campaign: Campaign }>(env.url, `/api/campaigns/${encodeURIComponent(c.campaign_id)}`);
    expect(one.body.campaign).toEqual(c);
    expect((await getJson(env.url, '/api/campaigns/nope')).status).toBe(404);
  });

  it('answers SQL with columns and rows, and caps large results at 10,000 rows saying so', async () => {
    const r = await postJson<{ columns: string[]; rows: unknown[][]; truncated: boolean; row_count: number; max_rows: number }>(
      env.url,
      '/api/sql',
      { sql: 'SELECT mode, count(*)::INTEGER AS n FROM trials GROUP BY mode ORDER BY mode' },
    );
    expect(r.status).toBe(200);
    expect(r.body.columns).toEqual(['mode', 'n']);
    expect(r.body.rows).toEqual([['cold', 8], ['live', 8], ['postcopy', 8]]);
    expect(r.body.truncated).toBe(false);

    const big = await postJson<{ rows: unknown[][]; truncated: boolean; row_count: number; max_rows: number }>(env.url, '/api/sql', {
      sql: 'SELECT range AS i FROM range(25000)',
    });
    expect(big.status).toBe(200);
    expect(big.body.max_rows).toBe(10_000);
    expect(big.body.row_count).toBe(10_000);
    expect(big.body.rows).toHaveLength(10_000);
    expect(big.body.truncated).toBe(true);
    expect(big.body.rows[9_999]).toEqual(['9999']);

    const exact = await postJson<{ truncated: boolean; row_count: number }>(env.url, '/api/sql', { sql: 'SELECT * FROM range(10000)' });
    expect(exact.body).toMatchObject({ truncated: false, row_count: 10_000 });
  });

  it('refuses writes, file access and bad SQL with the reason, and the data stays', async () => {
    const attempts = [
      'DELETE FROM campaigns',
      'CREATE TABLE x AS SELECT 1',
      `COPY (SELECT 1) TO '${env.dir}/leak.csv'`,
      "SELECT * FROM read_csv('/etc/hostname')",
      `ATTACH '${env.dir}/other.duckdb' AS other`,
      'SET enable_external_access = true',
      'SELEC 1',
    ];
    for (const sql of attempts) {
      const r = await postJson<{ error: string; code: string }>(env.url, '/api/sql', { sql });
      expect(r.status, sql).toBe(400);
      expect(r.body.code, sql).toBe('bad_query');
      expect(r.body.error.length, sql).toBeGreaterThan(5);
    }
    const del = await postJson<{ error: string }>(env.url, '/api/sql', { sql: 'DELETE FROM campaigns' });
    expect(del.body.error).toMatch(/read-only/);
    const [n] = await sqlRows(env.db, 'SELECT (SELECT count(*) FROM trials)::INTEGER AS n, (SELECT count(*) FROM campaigns)::INTEGER AS c');
    expect(n).toEqual({ n: 24, c: 1 });
    expect((await postJson(env.url, '/api/sql', { sql: 42 })).status).toBe(400);
    expect((await postJson(env.url, '/api/sql', {})).status).toBe(400);
  });

  it('lists sweep files and validates them with located diagnostics', async () => {
    const list = await getJson<{ sweeps: { name: string }[] }>(env.url, '/api/sweeps');
    expect(list.body.sweeps.map((s) => s.name)).toEqual(['bad.yaml', 'big.yaml', 'small.yaml', 'tiny.yaml']);

    const ok = await getJson<{ ok: boolean; trials: number; points: number; campaign_name: string }>(env.url, '/api/sweeps/small.yaml');
    expect(ok.body).toMatchObject({ ok: true, trials: 30, points: 6, campaign_name: 'wb-small' });

    const bad = await getJson<{ ok: boolean; diagnostics: { file: string; line: number; path: string; message: string }[] }>(
      env.url,
      '/api/sweeps/bad.yaml',
    );
    expect(bad.status).toBe(200);
    expect(bad.body.ok).toBe(false);
    expect(bad.body.diagnostics).toHaveLength(3);
    expect(bad.body.diagnostics.every((d) => d.file === 'bad.yaml')).toBe(true);
    expect(bad.body.diagnostics.some((d) => d.line === 2 && d.path === 'seed')).toBe(true);
    expect(bad.body.diagnostics.some((d) => d.line === 3 && d.path === 'repetitions')).toBe(true);
    expect(bad.body.diagnostics.some((d) => d.line === 4 && /zigzag/.test(d.message))).toBe(true);

    const start = await postJson<{ code: string; diagnostics: unknown[] }>(env.url, '/api/runs', { sweep: 'bad.yaml' });
    expect(start.status).toBe(400);
    expect(start.body.code).toBe('bad_sweep');
    expect(start.body.diagnostics.length).toBe(bad.body.diagnostics.length);
  });

  it('refuses sweep names that leave the sweeps directory', async () => {
    for (const path of ['/api/sweeps/link.yaml', '/api/sweeps/..%2Fsecret.yaml', '/api/sweeps/%2Fetc%2Fpasswd', '/api/sweeps/.hidden.yaml', '/api/sweeps/missing.yaml']) {
      const r = await getJson<{ code: string }>(env.url, path);
      expect(r.status, path).toBe(400);
      expect(r.body.code, path).toBe('bad_sweep');
    }
    for (const sweep of ['../secret.yaml', 'link.yaml']) {
      const r = await postJson<{ code: string }>(env.url, '/api/runs', { sweep });
      expect(r.status, sweep).toBe(400);
      expect(r.body.code, sweep).toBe('bad_sweep');
    }
    const raw = await rawRequest(env.url, { path: '/api/sweeps/../../etc/passwd' });
    expect(raw.status).toBeGreaterThanOrEqual(400);
    expect(raw.text).not.toMatch(/root:/);
  });

  it('serves the HTML report of a campaign', async () => {
    const { body } = await getJson<{ campaigns: Campaign[] }>(env.url, '/api/campaigns');
    const res = await fetch(new URL(`/api/campaigns/${encodeURIComponent(body.campaigns[0].campaign_id)}/report`, env.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).toMatch(/<title>Themis report — wb-tiny/);
    expect((await fetch(new URL('/api/campaigns/nope/report', env.url))).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding) and cross-origin writes', async () => {
    const port = new URL(env.url).port;
    const evil = await rawRequest(env.url, { path: '/api/campaigns', headers: { host: `evil.example:${port}` } });
    expect(evil.status).toBe(403);
    expect(evil.text).not.toMatch(/wb-tiny/);
    const wrongPort = await rawRequest(env.url, { path: '/', headers: { host: '127.0.0.1:1' } });
    expect(wrongPort.status).toBe(403);
    const good = await rawRequest(env.url, { path: '/api/status', headers: { host: `127.0.0.1:${port}` } });
    expect(good.status).toBe(200);
    const localhost = await rawRequest(env.url, { path: '/api/status', headers: { host: `localhost:${port}` } });
    expect(localhost.status).toBe(200);

    const cross = await rawRequest(env.url, {
      method: 'POST',
      path: '/api/runs',
      headers: { host: `127.0.0.1:${port}`, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ sweep: 'tiny.yaml' }),
    });
    expect(cross.status).toBe(403);
    const form = await rawRequest(env.url, {
      method: 'POST',
      path: '/api/sql',
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'text/plain' },
      body: 'DELETE FROM trials',
    });
    expect(form.status).toBe(415);
    expect((await getJson<{ run: unknown }>(env.url, '/api/runs/current')).body.run).toBeNull();
  });

  it('serves the page and its script with a strict CSP', async () => {
    const res = await fetch(env.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['/app.js', '/style.css']) {
      const a = await fetch(new URL(asset, env.url));
      expect(a.status).toBe(200);
      expect(await a.text()).not.toMatch(/https?:\/\/(?!localhost)/);
    }
  });

  it('while another process writes the file (themis run), answers from cache and says so, never with a lock error', async () => {
    // Another process holding the file read-write, as `themis run --db same.duckdb` would.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const i = await DuckDBInstance.create(process.argv[1]); const c = await i.connect(); await c.run('SELECT 1');
         process.stdout.write('ready\\n');
         process.stdin.resume(); process.stdin.on('end', () => { c.closeSync(); i.closeSync(); process.exit(0); });`,
        env.db,
      ],
      { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      const [first] = (await Promise.race([
        once(holder.stdout!, 'data'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('the holder process did not open the database in 30 s')), 30_000)),
      ])) as [Buffer];
      expect(String(first)).toMatch(/ready/);

      const list = await getJson<{ stale: boolean; notice: string; campaigns: Campaign[] }>(env.url, '/api/campaigns');
      expect(list.status).toBe(200);
      expect(list.body.stale).toBe(true);
      expect(list.body.notice).toMatch(/in use by another process/);
      expect(list.body.campaigns.map((c) => c.name)).toEqual(['wb-tiny']);

      const sql = await postJson<{ code: string; error: string }>(env.url, '/api/sql', { sql: 'SELECT 1' });
      expect(sql.status).toBe(503);
      expect(sql.body.code).toBe('db_locked');

      const run = await postJson<{ run_id: number }>(env.url, '/api/runs', { sweep: 'tiny.yaml', mode: 'fresh' });
      expect(run.status).toBe(202);
      const events = await readSse(new URL(`/api/runs/${run.body.run_id}/events`, env.url).href, 60_000);
      const end = events.at(-1)!.data as { state: string; error: string };
      expect(end.state).toBe('failed');
      expect(end.error).toMatch(/in use by another process/);
      expect(JSON.stringify([list.body, sql.body, end])).not.toMatch(/conflicting lock/i);
    } finally {
      holder.stdin!.end();
      if (holder.exitCode === null) await Promise.race([once(holder, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
      if (holder.exitCode === null) holder.kill('SIGKILL');
    }
    const after = await getJson<{ stale: boolean; campaigns: Campaign[] }>(env.url, '/api/campaigns');
    expect(after.body.stale).toBe(false);
    expect(after.body.campaigns[0].stored_trials).toBe(24);
  });
});

describe('starting the workbench', () => {
  it('fails with the reason when the port is taken', async () => {
    const { startWorkbench } = await import('../../../app/workbench/server.js');
    const port = Number(new URL(env.url).port);
    await expect(startWorkbench({ db: env.db, port, sweepsDir: env.sweeps })).rejects.toThrow(/EADDRINUSE|address already in use/);
    // The first server is unaffected.
    expect((await getJson(env.url, '/api/status')).status).toBe(200);
  });
});
