/**
 * The opennebula backend when oned itself fails (a real oned with dummy drivers, its own action files, probe
 * agents over a real sshd): an outage is waited out within opennebula.outage_wait_s or stops the campaign
 * (BackendUnavailableError, nothing stored for the trial in flight); a VM left migrating by an oned restart is
 * recovered before the next trial; a failed boot is retried or stops the campaign, per opennebula.recover.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBackend } from '../../../backends/opennebula/backend.js';
import { LCM_STATE } from '../../../backends/opennebula/states.js';
import type { Backend, CampaignContext } from '../../../core/backend.js';
import { runCampaign } from '../../../core/engine/engine.js';
import { BackendUnavailableError } from '../../../core/errors.js';
import { buildPlan, trialAt } from '../../../core/plan/plan.js';
import { loadSweepFile } from '../../../core/spec/load.js';
import { Store } from '../../../core/store/store.js';
import { clearDummyActions, freePort, onedBuilt, setDummyActions, startOned, type OnedInstance } from '../../support/oned.js';
import { startSshd, type SshdInstance } from '../../support/sshd.js';

const VM_IP = '127.0.0.6';
const SUP_IP = '127.0.0.7';
let one: OnedInstance;
let sshd: SshdInstance;
let work: string;
let probePort: number;

beforeAll(async () => {
  if (!onedBuilt()) throw new Error("OpenNebula is not built: run 'bash scripts/opennebula/build.sh'");
  work = await mkdtemp(path.join(tmpdir(), 'themis-one-faults-'));
  probePort = await freePort();
  [sshd, one] = await Promise.all([startSshd([VM_IP, SUP_IP]), startOned({ themis_user: 'f', vm_ip: VM_IP, supervisor_ip: SUP_IP })]);
}, 180_000);

afterAll(async () => {
  one?.freeze(false);
  await one?.stop();
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

async function context(name: string, opts: string, mode = 'live', repetitions = 1): Promise<CampaignContext> {
  const file = path.join(work, `${name}.yaml`);
  await writeFile(file, `name: ${name}
backend: opennebula
repetitions: ${repetitions}
parameters: { probe_interval_ms: 10 }
axes:
  - grid: { mode: [${mode}] }
opennebula:
  themis_user: f
  poll_interval_ms: 50
  probe: iperf3
  probe_port: ${probePort}
${opts.split('\n').map((l) => `  ${l}`).join('\n')}
  ssh: { user: ${sshd.user}, port: ${sshd.port}, key_file: ${sshd.user_key_file}, known_hosts: ${sshd.known_hosts_file} }
`);
  return { campaign_id: name, spec: loadSweepFile(file), spec_dir: work };
}

const lcm = async () => (await one.client.vmInfo(one.vm_id)).lcm_state;
async function untilLcm(state: number, timeout_ms = 20_000): Promise<void> {
  const end = Date.now() + timeout_ms;
  while ((await lcm()) !== state) {
    if (Date.now() > end) throw new Error(`VM not in LCM state ${state} within ${timeout_ms} ms (is ${await lcm()})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function prepared(ctx: CampaignContext): Promise<Backend> {
  const b = createBackend(one.env);
  await b.prepare(ctx, new AbortController().signal);
  return b;
}
const firstTrial = (ctx: CampaignContext) => trialAt(buildPlan(ctx.spec.sweep), 0);

describe('oned unreachable', () => {
  test('for 15 s in the middle of a live migration: waited out, the trial succeeds (the outage is not its time-out)', async () => {
    const ctx = await context('freeze-short', 'trial_timeout_s: 10\noutage_wait_s: 60');
    const b = await prepared(ctx);
    try {
      await setDummyActions({ migrate: 'success 3' }, one.actions_dir);
      const running = b.runTrial(firstTrial(ctx), new AbortController().signal);
      await untilLcm(LCM_STATE.MIGRATE);
      one.freeze(true);
      await new Promise((r) => setTimeout(r, 15_000));
      one.freeze(false);
      const r = await running;
      expect(r.status, JSON.stringify(r.detail)).toBe('succeeded');
      expect(r.total_ms).toBeGreaterThan(14_000);
    } finally {
      one.freeze(false);
      await b.dispose();
      await clearDummyActions(one.actions_dir);
    }
  }, 90_000);

  test('past outage_wait_s: the campaign stops as interrupted, the trial in flight is not stored, none after it runs', async () => {
    const ctx = await context('freeze-long', 'trial_timeout_s: 10\noutage_wait_s: 5', 'live', 3);
    const db = path.join(work, 'freeze-long.duckdb');
    const inner = createBackend(one.env);
    const ran: number[] = [];
    const backend: Backend = { ...inner, name: inner.name, maxConcurrency: 1, prepare: (c, s) => inner.prepare(c, s), dispose: () => inner.dispose(),
      runTrial: (t, s) => {
        ran.push(t.index);
        if (t.index === 1) one.freeze(true);
        return inner.runTrial(t, s);
      } };
    const t0 = Date.now();
    try {
      await expect(runCampaign({ spec: ctx.spec, dbPath: db, backend })).rejects.toSatisfy(
        (e: unknown) => e instanceof BackendUnavailableError && /did not answer for \d+ s .*outage_wait_s = 5/.test(e.message),
      );
    } finally {
      one.freeze(false);
    }
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(ran).toEqual([0, 1]);
    const store = await Store.open(db, { readOnly: true });
    try {
      const rows = (await store.connection.runAndReadAll(`SELECT (SELECT status FROM campaigns) AS campaign, count(*)::INT AS n, count(*) FILTER (WHERE status = 'succeeded')::INT AS ok FROM trials`)).getRowObjectsJson();
      expect(rows).toEqual([{ campaign: 'interrupted', n: 1, ok: 1 }]);
    } finally {
      store.close();
    }
  }, 120_000);
});

describe('a VM left where trials cannot start', () => {
  test('oned restarted mid-migration: the VM left in MIGRATE is recovered, prepare and the next trial go on', async () => {
    await setDummyActions({ migrate: 'success 30' }, one.actions_dir);
    const ctx = await context('restart', 'trial_timeout_s: 60\nidle_wait_s: 3');
    const b = await prepared(ctx);
    // The campaign is gone too (it stopped, exit 3): its trial aborted, then oned crashes and comes back.
    const ac = new AbortController();
    const running = b.runTrial(firstTrial(ctx), ac.signal);
    await untilLcm(LCM_STATE.MIGRATE);
    ac.abort();
    expect((await running).failure_reason).toBe('aborted');
    await b.dispose();
    await one.restart(1000);
    await clearDummyActions(one.actions_dir);
    expect(await lcm()).toBe(LCM_STATE.MIGRATE); // what oned shows after its restart: the migration never ends
    const again = await prepared(ctx); // refused before: "must be RUNNING"
    try {
      expect(await lcm()).toBe(LCM_STATE.RUNNING);
      const r = await again.runTrial(firstTrial(ctx), new AbortController().signal);
      expect(r.status, JSON.stringify(r.detail)).toBe('succeeded');
    } finally {
      await again.dispose();
    }
  }, 180_000);

  test('BOOT_MIGRATE_FAILURE with recover: retry — the next trial recovers the VM (events) and runs', async () => {
    const ctx = await context('boot-retry', 'trial_timeout_s: 20\nrecover: retry', 'suspend');
    const b = await prepared(ctx);
    try {
      await setDummyActions({ save: 'success 1', restore: 'failure 1' }, one.actions_dir);
      const failed = await b.runTrial(firstTrial(ctx), new AbortController().signal);
      expect(failed.failure_reason, JSON.stringify(failed.detail)).toBe('boot_failed');
      expect(failed.events.filter((e) => e.kind === 'lcm_state').map((e) => e.detail?.state)).toContain('BOOT_MIGRATE_FAILURE');
      await clearDummyActions(one.actions_dir);
      const next = await b.runTrial(firstTrial(ctx), new AbortController().signal);
      expect(next.status, JSON.stringify(next.detail)).toBe('succeeded');
      expect(next.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['recover_retry', 'recovered']));
    } finally {
      await b.dispose();
    }
  }, 120_000);

  test('BOOT_MIGRATE_FAILURE with recover: stop — the next trial stops the campaign with what to do', async () => {
    const ctx = await context('boot-stop', 'trial_timeout_s: 20\nrecover: stop', 'suspend');
    const b = await prepared(ctx);
    try {
      await setDummyActions({ save: 'success 1', restore: 'failure 1' }, one.actions_dir);
      expect((await b.runTrial(firstTrial(ctx), new AbortController().signal)).failure_reason).toBe('boot_failed');
      await clearDummyActions(one.actions_dir);
      await expect(b.runTrial(firstTrial(ctx), new AbortController().signal)).rejects.toSatisfy(
        (e: unknown) => e instanceof BackendUnavailableError && /BOOT_MIGRATE_FAILURE: opennebula.recover is stop.*onevm recover --retry/.test(e.message),
      );
    } finally {
      await b.dispose();
    }
    await one.client.call('one.vm.recover', [one.vm_id, 2]);
    await untilLcm(LCM_STATE.RUNNING);
  }, 120_000);
});
