/**
 * The workbench's bounds, against the real server and real DuckDB: a byte cap on SQL responses (streamed,
 * cut with a marker), DuckDB's memory limit set at open and locked (a query over it is a 413 with the reason,
 * not a 500), a bounded number of queries running and waiting (then 429 with Retry-After) while the campaign
 * list still answers, and sweep files parsed in a worker thread so a huge one does not stall other requests.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson, startEnv, type Env } from './helpers.js';

interface SqlAnswer {
  rows: unknown[][];
  row_count: number;
  bytes: number;
  max_bytes: number;
  truncated: boolean;
  truncated_by: string | null;
  error?: string;
  code?: string;
}

describe('SQL response and memory limits (default limits)', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('cuts a 300 MB result at the byte cap, saying so, and the response is no larger', async () => {
    const res = await fetch(new URL('/api/sql', env.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: "SELECT repeat('x', 30000) AS s FROM range(10000)" }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    const body = JSON.parse(text) as SqlAnswer;
    expect(body.max_bytes).toBe(32 * 1024 * 1024);
    expect(body.truncated).toBe(true);
    expect(body.truncated_by).toBe('bytes');
    expect(body.bytes).toBeLessThanOrEqual(body.max_bytes);
    // every row returned is whole; one more would not have fitted
    expect(body.row_count).toBe(Math.floor((body.max_bytes - 2) / 30_005));
    expect((body.rows[0][0] as string).length).toBe(30_000);
    expect(Buffer.byteLength(text)).toBeLessThan(body.max_bytes + 4096);
  });

  it('answers 100,000-character values (was a 500) and a first row over the cap with 413', async () => {
    const wide = await postJson<SqlAnswer>(env.url, '/api/sql', { sql: "SELECT repeat('x', 100000) AS s FROM range(1000)" });
    expect(wide.status).toBe(200);
    expect(wide.body.truncated_by).toBe('bytes');
    expect(wide.body.row_count).toBeGreaterThan(100);

    const huge = await postJson<SqlAnswer>(env.url, '/api/sql', { sql: "SELECT repeat('x', 40 * 1024 * 1024) AS s" });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('too_large');
    expect(huge.body.error).toMatch(/first row alone is 40(\.0)? MiB .* over the 32 MiB response cap/);
  });

  it('gives each query a memory limit, a spill bound and two threads, set at open and locked', async () => {
    const r = await postJson<SqlAnswer>(env.url, '/api/sql', {
      sql: "SELECT current_setting('memory_limit') AS m, current_setting('max_temp_directory_size') AS t, current_setting('threads')::INTEGER AS n",
    });
    expect(r.status).toBe(200);
    expect(r.body.rows).toEqual([['512.0 MiB', '1.0 GiB', 2]]);
    const raise = await postJson<SqlAnswer>(env.url, '/api/sql', { sql: "SET memory_limit = '100GB'" });
    expect(raise.status).toBe(400);
    expect(raise.body.error).toMatch(/locked/);
  });
});

describe('a query over the memory limit', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv({ workbench: { queryLimits: { resources: { memory: '64MiB', tempDirectory: '0B', threads: 1 } } } });
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('is a 413 naming the limit, not a 500 or DuckDB’s advice to SET it', async () => {
    const r = await postJson<SqlAnswer>(env.url, '/api/sql', { sql: 'SELECT list(i) FROM range(20000000) t(i)' });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('too_large');
    expect(r.body.error).toMatch(/memory_limit 64MiB/);
    expect(r.body.error).toMatch(/themis sql/);
    // the server is fine afterwards
    expect((await postJson<SqlAnswer>(env.url, '/api/sql', { sql: 'SELECT 1' })).status).toBe(200);
  });
});

describe('concurrent queries', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv({
      workbench: { queryLimits: { timeoutMs: 4_000 }, queryConcurrency: { maxRunning: 2, maxQueued: 1, maxWaitMs: 60_000 } },
    });
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('run two at a time, queue one, refuse the next with 429 and Retry-After; the campaign list answers meanwhile', async () => {
    // Runs until the 4 s timeout interrupts it.
    const endless = 'SELECT max(hash(i)) FROM range(1000000000000) t(i)';
    const order: string[] = [];
    const slow = [0, 1, 2].map((i) =>
      postJson<SqlAnswer>(env.url, '/api/sql', { sql: endless }).then((r) => {
        order.push(`query${i}`);
        return r;
      }),
    );
    for (let i = 0; i < 200; i++) {
      const s = await getJson<{ queries: { running: number; queued: number } }>(env.url, '/api/status');
      if (s.body.queries.running === 2 && s.body.queries.queued === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const refused = await fetch(new URL('/api/sql', env.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT 1' }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as SqlAnswer).code).toBe('too_many_requests');

    const list = await getJson<{ campaigns: unknown[] }>(env.url, '/api/campaigns');
    order.push('campaigns');
    expect(list.status).toBe(200);
    expect(list.body.campaigns).toHaveLength(1);

    const answers = await Promise.all(slow);
    expect(order[0]).toBe('campaigns');
    for (const a of answers) {
      expect(a.status).toBe(400);
      expect(a.body.error).toMatch(/interrupted after 4000 ms/);
    }
    const idle = await getJson<{ queries: { running: number; queued: number } }>(env.url, '/api/status');
    expect(idle.body.queries).toEqual({ running: 0, queued: 0 });
  });
});

describe('a huge sweep file', () => {
  let env: Env;
  beforeAll(async () => {
    // The compiled worker (the sources under vitest have none): `npx tsc -p tsconfig.json` first.
    env = await startEnv({ workbench: { sweepWorkerUrl: new URL('../../../dist/app/workbench/sweep-worker.js', import.meta.url) } });
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('is parsed and sized in a worker thread: other requests answer before its check does', async () => {
    const entries = Array.from({ length: 40_000 }, (_, i) => `      - { dirty_rate_pages_s: ${i} }`).join('\n');
    writeFileSync(
      join(env.sweeps, 'huge.yaml'),
      `name: wb-huge\nseed: 1\nrepetitions: 2\nparameters: { memory_mib: 1024 }\naxes:\n  - list:\n${entries}\n`,
    );
    const order: string[] = [];
    const check = getJson<{ ok: boolean; points: number; trials: number }>(env.url, '/api/sweeps/huge.yaml').then((r) => {
      order.push('sweep');
      return r;
    });
    for (let i = 0; i < 200; i++) {
      const s = await getJson<{ sweep_checks: { running: number } }>(env.url, '/api/status');
      if (s.body.sweep_checks.running === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const list = await getJson<{ campaigns: unknown[] }>(env.url, '/api/campaigns');
    order.push('campaigns');
    const small = await getJson<{ ok: boolean; trials: number }>(env.url, '/api/sweeps/small.yaml');
    order.push('small sweep');
    expect(list.status).toBe(200);
    expect(small.body).toMatchObject({ ok: true, trials: 30 });
    const huge = await check;
    expect(huge.status).toBe(200);
    expect(huge.body).toMatchObject({ ok: true, points: 40_000, trials: 80_000 });
    expect(order).toEqual(['campaigns', 'small sweep', 'sweep']);
  });
});
