/**
 * Runs from the workbench: a sweep started over the API runs in-process through the engine and the real
 * simulator, its progress arrives over SSE until the stream ends, and the stored trials are the plan. One
 * run at a time; while it writes, reads answer from cache or "run in progress", never a DuckDB lock error.
 * Cancel and server close stop a run with what it stored kept and the campaign marked interrupted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson, readSse, sqlRows, startEnv, type Env, type SseEvent } from './helpers.js';

interface RunInfo {
  run_id: number;
  state: string;
  campaign_id: string;
  total_trials: number | null;
  /** stored trials */
  done_trials: number;
  computed_trials: number;
  phase: 'running' | 'storing';
  storing_trials: number;
  cancel_requested: boolean;
  error: string | null;
  outcome: { ran: number; planned: number; skipped: number; status: string } | null;
}

const info = (e: SseEvent) => e.data as unknown as RunInfo;

function expectMonotone(events: SseEvent[]): void {
  const done = events.map((e) => info(e).done_trials);
  for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1]);
}

/**
 * True once progress has gone on for longer than the engine holds results uncommitted (2 s): a cancel after
 * that keeps at least one commit (uncommitted results of the simulator are dropped on cancel, for --resume).
 */
function afterFirstCommit(): (i: RunInfo) => boolean {
  let first = 0;
  return (i) => {
    if (i.done_trials === 0) return false;
    first ||= performance.now();
    return performance.now() - first > 2600;
  };
}

describe('runs from the workbench', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('starts a sweep, streams its progress to the end, and stores every trial of the plan', async () => {
    const start = await postJson<RunInfo>(env.url, '/api/runs', { sweep: 'small.yaml' });
    expect(start.status).toBe(202);
    expect(['starting', 'running']).toContain(start.body.state);
    const again = await postJson<{ code: string }>(env.url, '/api/runs', { sweep: 'tiny.yaml', mode: 'fresh' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('run_in_progress');

    const events = await readSse(new URL(`/api/runs/${start.body.run_id}/events`, env.url).href, 120_000);
    expect(events[0].event).toBe('snapshot');
    expect(events.at(-1)!.event).toBe('end');
    expect(events.filter((e) => e.event === 'end')).toHaveLength(1);
    expectMonotone(events);
    // The count is of trials stored: the commit shows as a storing phase before the stored count arrives.
    const infos = events.map(info);
    expect(infos.some((i) => i.phase === 'storing' && i.storing_trials > 0 && i.done_trials < 30), JSON.stringify(infos)).toBe(true);
    for (const i of infos) expect(i.computed_trials).toBeGreaterThanOrEqual(i.done_trials);
    const end = info(events.at(-1)!);
    expect(end).toMatchObject({ state: 'finished', total_trials: 30, done_trials: 30, computed_trials: 30, phase: 'running', error: null });
    expect(end.outcome).toMatchObject({ ran: 30, planned: 30, skipped: 0, status: 'finished' });

    const list = await getJson<{ campaigns: { campaign_id: string; stored_trials: number; status: string }[]; stale: boolean }>(
      env.url,
      '/api/campaigns',
    );
    expect(list.body.stale).toBe(false);
    expect(list.body.campaigns.find((c) => c.campaign_id === end.campaign_id)).toMatchObject({ stored_trials: 30, status: 'finished' });

    const rows = await sqlRows(
      env.db,
      `SELECT count(*)::INTEGER AS n, count(DISTINCT trial_index)::INTEGER AS distinct_trials, min(trial_index)::INTEGER AS lo,
         max(trial_index)::INTEGER AS hi, count(DISTINCT mode)::INTEGER AS modes
       FROM trials WHERE campaign_id = '${end.campaign_id}'`,
    );
    expect(rows[0]).toEqual({ n: 30, distinct_trials: 30, lo: 0, hi: 29, modes: 3 });

    // A stream opened after the end replays the final state and closes.
    const late = await readSse(new URL(`/api/runs/${start.body.run_id}/events`, env.url).href, 10_000);
    expect(late.map((e) => e.event)).toEqual(['snapshot', 'end']);
    expect(info(late[1]).state).toBe('finished');
  });

  it('while a run writes, reads answer from cache or "run in progress"; cancel keeps what was stored', async () => {
    const before = await getJson<{ campaigns: unknown[] }>(env.url, '/api/campaigns');
    const start = await postJson<RunInfo>(env.url, '/api/runs', { sweep: 'big.yaml' });
    expect(start.status).toBe(202);
    const seen: { sql?: { status: number; body: { code: string; error: string } }; list?: { stale: boolean; campaigns: unknown[]; run: RunInfo | null } } = {};
    let cancelled: RunInfo | null = null;
    let cancelledAt = 0;
    const firstCommit = afterFirstCommit();
    const events = await readSse(new URL(`/api/runs/${start.body.run_id}/events`, env.url).href, 240_000, async (e) => {
      if (cancelled || e.event !== 'progress' || !firstCommit(info(e))) return;
      cancelledAt = performance.now();
      seen.sql = await postJson(env.url, '/api/sql', { sql: 'SELECT count(*) FROM trials' });
      seen.list = (await getJson<{ stale: boolean; campaigns: unknown[]; run: RunInfo | null }>(env.url, '/api/campaigns')).body;
      cancelled = (await postJson<RunInfo>(env.url, `/api/runs/${start.body.run_id}/cancel`, {})).body;
    });
    expect(cancelled).not.toBeNull();
    expect(cancelled!.cancel_requested).toBe(true);
    expect(performance.now() - cancelledAt).toBeLessThan(1500); // the run stopped within ~1 s of Cancel
    expect(seen.sql!.status).toBe(409);
    expect(seen.sql!.body.code).toBe('run_in_progress');
    expect(seen.list!.stale).toBe(true);
    expect(seen.list!.campaigns).toEqual(before.body.campaigns);
    expect(seen.list!.run?.run_id).toBe(start.body.run_id);
    expect(JSON.stringify(seen)).not.toMatch(/lock/i);

    expectMonotone(events);
    const end = info(events.at(-1)!);
    expect(events.at(-1)!.event).toBe('end');
    expect(end.state).toBe('interrupted');
    expect(end.total_trials).toBe(400_000);
    expect(end.outcome!.ran).toBeGreaterThan(0);
    expect(end.outcome!.ran).toBeLessThan(400_000);
    const [stored] = await sqlRows(
      env.db,
      `SELECT (SELECT count(*) FROM trials WHERE campaign_id = '${end.campaign_id}')::INTEGER AS n,
         (SELECT status FROM campaigns WHERE campaign_id = '${end.campaign_id}') AS status`,
    );
    expect(stored).toEqual({ n: end.outcome!.ran, status: 'interrupted' });
    expect(end.done_trials).toBe(stored.n); // the stream's count is what DuckDB holds

    // Starting it again as new is refused by the engine (resume or fresh is needed): a failed run, not a crash.
    const again = await postJson<RunInfo>(env.url, '/api/runs', { sweep: 'big.yaml', mode: 'new' });
    expect(again.status).toBe(202);
    const againEvents = await readSse(new URL(`/api/runs/${again.body.run_id}/events`, env.url).href, 60_000);
    const failed = info(againEvents.at(-1)!);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/--resume/);
    const after = await getJson<{ campaigns: { campaign_id: string; stored_trials: number }[] }>(env.url, '/api/campaigns');
    expect(after.body.campaigns.find((c) => c.campaign_id === end.campaign_id)!.stored_trials).toBe(end.outcome!.ran);

    // resume: only the trials not stored yet are planned; cancel it again and the stored count only grows.
    const resume = await postJson<RunInfo>(env.url, '/api/runs', { sweep: 'big.yaml', mode: 'resume' });
    expect(resume.status).toBe(202);
    let firstTotal: number | null = null;
    const resumeEvents = await readSse(new URL(`/api/runs/${resume.body.run_id}/events`, env.url).href, 240_000, async (e) => {
      if (firstTotal !== null || e.event !== 'progress' || info(e).total_trials === null) return;
      firstTotal = info(e).total_trials;
      await postJson(env.url, `/api/runs/${resume.body.run_id}/cancel`, {});
    });
    const resumed = info(resumeEvents.at(-1)!);
    expect(firstTotal).toBe(400_000 - end.outcome!.ran);
    expect(resumed.outcome).toMatchObject({ skipped: end.outcome!.ran, planned: 400_000 });
    expect(['interrupted', 'finished']).toContain(resumed.state);
    const [resumedRows] = await sqlRows(
      env.db,
      `SELECT count(*)::INTEGER AS n, count(DISTINCT trial_index)::INTEGER AS d FROM trials WHERE campaign_id = '${end.campaign_id}'`,
    );
    expect(resumedRows.n).toBe(end.outcome!.ran + resumed.outcome!.ran);
    expect(resumedRows.d).toBe(resumedRows.n);
  }, 180_000);

  it('fresh replaces a stored campaign with the same rows', async () => {
    const list = await getJson<{ campaigns: { campaign_id: string; name: string }[] }>(env.url, '/api/campaigns');
    const tiny = list.body.campaigns.find((c) => c.name === 'wb-tiny')!;
    const sql = `SELECT trial_id, status, outage_ms FROM trials WHERE campaign_id = '${tiny.campaign_id}' ORDER BY trial_index`;
    const before = await sqlRows(env.db, sql);
    const start = await postJson<RunInfo>(env.url, '/api/runs', { sweep: 'tiny.yaml', mode: 'fresh' });
    const events = await readSse(new URL(`/api/runs/${start.body.run_id}/events`, env.url).href, 60_000);
    expect(info(events.at(-1)!)).toMatchObject({ state: 'finished', campaign_id: tiny.campaign_id, done_trials: 24 });
    expect(await sqlRows(env.db, sql)).toEqual(before);
  });

  it('rejects unknown run ids and modes', async () => {
    expect((await getJson(env.url, '/api/runs/999')).status).toBe(404);
    expect((await getJson(env.url, '/api/runs/abc')).status).toBe(400);
    expect((await postJson(env.url, '/api/runs/999/cancel', {})).status).toBe(404);
    expect((await postJson(env.url, '/api/runs', { sweep: 'tiny.yaml', mode: 'sometimes' })).status).toBe(400);
  });
});

describe('closing the workbench during a run', () => {
  let env: Env | undefined;
  // In a hook, not a finally: the hook still runs when the test times out.
  afterEach(async () => {
    await env?.cleanup();
  });

  it('cancels the run, keeps its stored trials and marks the campaign interrupted', async () => {
    const e0 = await startEnv({ seedCampaign: false });
    env = e0;
    const list = await getJson<{ campaigns: unknown[] }>(e0.url, '/api/campaigns');
    expect(list.body.campaigns).toEqual([]);
    const start = await postJson<RunInfo>(e0.url, '/api/runs', { sweep: 'big.yaml' });
    expect(start.status).toBe(202);
    const controller = new AbortController();
    const firstCommit = afterFirstCommit();
    await readSse(new URL(`/api/runs/${start.body.run_id}/events`, e0.url).href, 120_000, (e) => {
      if (e.event === 'progress' && firstCommit(info(e))) controller.abort();
    }, controller.signal).catch(() => undefined);
    expect(controller.signal.aborted).toBe(true);
    const t0 = performance.now();
    await e0.wb.close();
    // close cancels the run: its chunks stop within ~1 s, not after the 400k trials
    expect(performance.now() - t0).toBeLessThan(1500);
    const [row] = await sqlRows(
      e0.db,
      `SELECT status, (SELECT count(*) FROM trials)::INTEGER AS n FROM campaigns WHERE campaign_id = '${start.body.campaign_id}'`,
    );
    expect(row.status).toBe('interrupted');
    expect(Number(row.n)).toBeGreaterThan(0);
    expect(Number(row.n)).toBeLessThan(400_000);
  }, 180_000);
});
