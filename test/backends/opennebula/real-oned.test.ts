/**
 * The opennebula backend against the real oned (dummy hypervisor), with probe agents over a real sshd.
 * Everything that uses the dummy driver's shared action files lives in this one file, so it runs serially.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Backend, CampaignContext } from '../../../core/backend.js';
import { BackendSetupError, BackendUnavailableError } from '../../../core/errors.js';
import { loadSweepFile } from '../../../core/spec/load.js';
import { runCampaign } from '../../../core/engine/engine.js';
import { buildPlan, trialAt } from '../../../core/plan/plan.js';
import { writeHtmlReport } from '../../../reports/html.js';
import { createBackend } from '../../../backends/opennebula/backend.js';
import type { OpenNebulaMode } from '../../../backends/opennebula/modes.js';
import { EXPECTED_STATES, statesFollow } from '../../support/opennebula-states.js';
import { clearDummyActions, dummyActionsForTrial, freePort, onedBuilt, setDummyActions, startOned, type OnedInstance } from '../../support/oned.js';
import { startSshd, type SshdInstance } from '../../support/sshd.js';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const VM_IP = '127.0.0.2';
const SUP_IP = '127.0.0.3';
let one: OnedInstance;
let sshd: SshdInstance;
let work: string;
let probePort: number;

beforeAll(async () => {
  if (!onedBuilt()) {
    throw new Error("OpenNebula is not built: run 'bash scripts/opennebula/build.sh' (the npm test wrapper does)");
  }
  work = await mkdtemp(path.join(tmpdir(), 'themis-one-test-'));
  probePort = await freePort();
  // The project's prober and responder, built from source, on the agents' PATH (for the themis-prober trial).
  const bin = path.join(work, 'bin');
  await mkdir(bin);
  const gcc = promisify(execFile);
  await gcc('gcc', ['-O2', '-o', path.join(bin, 'themis-prober'), path.join(repoRoot, 'backends/shared/prober/prober.c')]);
  await gcc('gcc', ['-O2', '-o', path.join(bin, 'themis-responder'), path.join(repoRoot, 'backends/shared/guest/responder.c')]);
  sshd = await startSshd([VM_IP, SUP_IP], { path_prepend: [bin] });
  // Three hosts: round-robin must visit every one (it once settled into a two-host cycle).
  one = await startOned({ themis_user: 'ci', vm_ip: VM_IP, supervisor_ip: SUP_IP, hosts: 3 });
}, 180_000);

afterAll(async () => {
  await one?.stop();
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

interface SweepBits {
  name: string;
  modes?: OpenNebulaMode[];
  repetitions?: number;
  themis_user?: string;
  known_hosts?: string;
  trial_timeout_s?: number;
  extra_params?: string;
  probe?: 'iperf3' | 'themis-prober';
  ssh_extra?: string;
}

/** Writes a sweep file for the test rig and loads it as the CLI would. */
async function sweep(b: SweepBits) {
  const file = path.join(work, `${b.name}.yaml`);
  const text = `name: ${b.name}
backend: opennebula
repetitions: ${b.repetitions ?? 1}
parameters:
  memory_mib: 256
  shutdown_s: 1
  boot_s: 1
  probe_interval_ms: 5
${b.extra_params ?? ''}
axes:
  - grid:
      mode: [${(b.modes ?? ['live']).join(', ')}]
opennebula:
  themis_user: ${b.themis_user ?? 'ci'}
  poll_interval_ms: 50
  trial_timeout_s: ${b.trial_timeout_s ?? 40}
  probe: ${b.probe ?? 'iperf3'}
  probe_port: ${probePort}
  ssh:
    user: ${sshd.user}
    port: ${sshd.port}
    key_file: ${sshd.user_key_file}
    known_hosts: ${b.known_hosts ?? sshd.known_hosts_file}
${b.ssh_extra ?? ''}`;
  await writeFile(file, text);
  return loadSweepFile(file);
}

const contextOf = async (b: SweepBits): Promise<CampaignContext> => {
  const spec = await sweep(b);
  return { campaign_id: b.name, spec, spec_dir: work };
};

/** Wraps the backend so each trial's dummy-driver timing follows the simulator's prediction (or a fault). */
function withDummyTiming(inner: Backend, fault: (index: number) => Record<string, string> | null = () => null): Backend {
  return {
    name: inner.name,
    maxConcurrency: inner.maxConcurrency,
    prepare: (c, s) => inner.prepare(c, s),
    runTrial: async (t, s) => {
      await clearDummyActions(one.actions_dir);
      await setDummyActions(fault(t.index) ?? dummyActionsForTrial(t.params, t.seed), one.actions_dir);
      return inner.runTrial(t, s);
    },
    dispose: () => inner.dispose(),
  };
}

async function historyLength(): Promise<number> {
  return (await one.client.vmInfo(one.vm_id)).history.length;
}

async function expectSetupError(ctx: CampaignContext, env: NodeJS.ProcessEnv, pattern: RegExp): Promise<void> {
  const before = await historyLength();
  const b = createBackend(env);
  try {
    await expect(b.prepare(ctx, new AbortController().signal)).rejects.toSatisfy(
      (e: unknown) => e instanceof BackendSetupError && pattern.test(e.message),
    );
  } finally {
    await b.dispose();
  }
  expect(await historyLength()).toBe(before); // refused before any migration
}

describe('refusals before any migration', () => {
  test('missing credentials file', async () => {
    await expectSetupError(await contextOf({ name: 'no-creds' }), { ...one.env, ONE_AUTH: path.join(work, 'nope') }, /no OpenNebula credentials: cannot read .*nope/);
  });

  test('wrong password: OpenNebula\'s own authentication error', async () => {
    const bad = path.join(work, 'bad_auth');
    await writeFile(bad, 'oneadmin:wrong-password\n');
    await expectSetupError(await contextOf({ name: 'bad-pass' }), { ...one.env, ONE_AUTH: bad }, /refused user 'oneadmin'.*User couldn't be authenticated/);
  });

  test('oned not reachable', async () => {
    const port = await freePort(); // nothing listens there
    await expectSetupError(await contextOf({ name: 'no-oned' }), { ...one.env, ONE_XMLRPC: `http://127.0.0.1:${port}/RPC2` }, /cannot reach OpenNebula at http:\/\/127\.0\.0\.1:\d+\/RPC2 \(ONE_XMLRPC\)/);
  });

  test('VM not found', async () => {
    await expectSetupError(await contextOf({ name: 'no-vm', themis_user: 'somebody-else' }), one.env, /no VM under test found: .*THEMIS_USER="somebody-else"/);
  });

  test('unknown host key', async () => {
    const empty = await sshd.writeKnownHosts('empty_known_hosts', []);
    await expectSetupError(await contextOf({ name: 'unknown-key', known_hosts: empty }), one.env, /host key of \[127\.0\.0\.3\]:\d+ is not in .*empty_known_hosts/);
  });

  test('a mode OpenNebula cannot run', async () => {
    const ctx = await contextOf({ name: 'postcopy' });
    const spec = { ...ctx.spec, sweep: { ...ctx.spec.sweep, parameters: { ...ctx.spec.sweep.parameters }, axes: [{ grid: { mode: ['postcopy'] } }] } };
    await expectSetupError({ ...ctx, spec }, one.env, /mode 'postcopy' cannot run on OpenNebula/);
  });
});

describe('campaign on the real oned', () => {
  test('live, suspend, cold and cold-hard, two repetitions each: rows in DuckDB, state sequences, a report', async () => {
    const spec = await sweep({ name: 'one-campaign', modes: ['live', 'suspend', 'cold', 'cold-hard'], repetitions: 2 });
    const db = path.join(work, 'campaign.duckdb');
    const outcome = await runCampaign({ spec, dbPath: db, backend: withDummyTiming(createBackend(one.env)) });
    expect(outcome.ran).toBe(8);
    const inst = await DuckDBInstance.create(db);
    const con = await inst.connect();
    try {
      const trials = (await con.runAndReadAll(`SELECT trial_id, mode, status, failure_reason, total_ms, outage_ms, loss_pct, downtime_ms, detail FROM trials ORDER BY trial_index`)).getRowObjectsJson();
      expect(trials).toHaveLength(8);
      for (const t of trials) {
        expect(t.status, JSON.stringify(t)).toBe('succeeded');
        expect(Number(t.total_ms)).toBeGreaterThan(500);
        expect(Number(t.loss_pct)).toBeGreaterThanOrEqual(0); // probes parsed (nothing moves under the dummy driver)
        expect(t.outage_ms).not.toBeNull();
      }
      // The VM moved every trial, visiting all three dummy hosts in turn.
      const dests = trials.map((t) => JSON.parse(String(t.detail)).dest_host_id as number);
      for (let i = 1; i < dests.length; i++) expect(dests[i]).not.toBe(dests[i - 1]);
      expect(new Set(dests), dests.join(' → ')).toEqual(new Set(one.host_ids));
      const events = (await con.runAndReadAll(`SELECT e.trial_id, t.mode, e.t_ms, json_extract_string(e.detail, '$.state') AS state FROM events e JOIN trials t USING (campaign_id, trial_id) WHERE e.kind = 'lcm_state' ORDER BY e.trial_id, e.t_ms`)).getRowObjectsJson();
      const byTrial = new Map<string, { mode: string; states: string[] }>();
      for (const e of events) {
        const k = String(e.trial_id);
        if (!byTrial.has(k)) byTrial.set(k, { mode: String(e.mode), states: [] });
        byTrial.get(k)?.states.push(String(e.state));
      }
      expect(byTrial.size).toBe(8);
      for (const { mode, states } of byTrial.values()) {
        const expected = EXPECTED_STATES[mode as OpenNebulaMode];
        expect(statesFollow(states, expected), `${mode}: ${states.join(' → ')}`).toBe(true);
        // The states the dummy delays make last ≥ 1 s are always seen.
        const timed = { live: ['MIGRATE'], suspend: ['SAVE_MIGRATE', 'BOOT_MIGRATE'], cold: ['SAVE_MIGRATE', 'BOOT'], 'cold-hard': ['BOOT'] }[mode as 'live'];
        for (const s of timed) expect(states, `${mode}: ${states.join(' → ')}`).toContain(s);
      }
      const phases = (await con.runAndReadAll(`SELECT DISTINCT phase FROM rounds ORDER BY phase`)).getRowObjectsJson().map((r) => r.phase);
      expect(phases).toEqual(expect.arrayContaining(['precopy', 'save', 'restore', 'shutdown', 'boot']));
    } finally {
      con.closeSync();
      inst.closeSync();
    }
    const html = path.join(work, 'report.html');
    await writeHtmlReport({ db, out: html });
    expect(await readFile(html, 'utf8')).toContain('opennebula');
  }, 240_000);
});

describe('the themis command against the real oned', () => {
  const themis = (args: string[], env: NodeJS.ProcessEnv) => {
    const cli = path.join(repoRoot, 'bin/themis.js');
    if (!existsSync(path.join(repoRoot, 'dist/backends/opennebula/backend.js'))) {
      throw new Error('dist/ is not built: run `npm run build` (npm test does it first)');
    }
    return spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  };

  test('a wrong password: exit code 2 with OpenNebula\'s message, nothing migrated', async () => {
    const bad = path.join(work, 'bad_auth_cli');
    await writeFile(bad, 'oneadmin:not-it\n');
    await sweep({ name: 'cli-bad' });
    const before = await historyLength();
    const r = themis(['run', 'cli-bad.yaml', '--db', 'cli-bad.duckdb', '--no-report'], { ...one.env, ONE_AUTH: bad });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/User couldn't be authenticated/);
    expect(await historyLength()).toBe(before);
  });

  test('`themis run` of an opennebula sweep stores its trials', async () => {
    await clearDummyActions(one.actions_dir);
    await sweep({ name: 'cli-run', modes: ['live', 'cold'] });
    const r = themis(['run', 'cli-run.yaml', '--db', 'cli-run.duckdb', '--no-report'], one.env);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const inst = await DuckDBInstance.create(path.join(work, 'cli-run.duckdb'));
    const con = await inst.connect();
    try {
      const rows = (await con.runAndReadAll(`SELECT mode, status FROM trials ORDER BY mode`)).getRowObjectsJson();
      expect(rows).toEqual([{ mode: 'cold', status: 'succeeded' }, { mode: 'live', status: 'succeeded' }]);
    } finally {
      con.closeSync();
      inst.closeSync();
    }
  }, 90_000);
});

describe('the project\'s prober on the agents', () => {
  test('themis-prober measures when installed: RTTs in the row', async () => {
    const ctx = await contextOf({ name: 'one-prober', probe: 'themis-prober' });
    const b = withDummyTiming(createBackend(one.env));
    await b.prepare(ctx, new AbortController().signal);
    try {
      const r = await b.runTrial(trialAt(buildPlan(ctx.spec.sweep), 0), new AbortController().signal);
      expect(r.status, JSON.stringify(r.detail)).toBe('succeeded');
      expect(r.detail.probe).toBe('themis-prober');
      expect(r.detail.probe_requested).toBeUndefined();
      expect(r.rtt_p50_ms).toBeGreaterThan(0);
      expect(r.loss_pct).toBe(0);
    } finally {
      await b.dispose();
    }
  }, 60_000);
});

describe('routes and interruptions', () => {
  test('agents reached through a jump host (the front-end)', async () => {
    const ctx = await contextOf({ name: 'one-jump', ssh_extra: `    jump_host: ${sshd.user}@${SUP_IP}:${sshd.port}\n` });
    expect(ctx.spec.sweep.opennebula?.ssh.jump_host).toContain(SUP_IP);
    const b = withDummyTiming(createBackend(one.env));
    await b.prepare(ctx, new AbortController().signal);
    try {
      const r = await b.runTrial(trialAt(buildPlan(ctx.spec.sweep), 0), new AbortController().signal);
      expect(r.status, JSON.stringify(r.detail)).toBe('succeeded');
    } finally {
      await b.dispose();
    }
  }, 60_000);

  test('the supervisor\'s SSH connection drops between trials: the next trial reconnects', async () => {
    const ctx = await contextOf({ name: 'one-drop' });
    const b = withDummyTiming(createBackend(one.env));
    await b.prepare(ctx, new AbortController().signal);
    try {
      // End every session of the test sshd (its per-connection children), as a network blip would.
      const master = (await readFile(path.join(sshd.dir, 'sshd.pid'), 'utf8')).trim();
      const children = spawnSync('pgrep', ['-P', master], { encoding: 'utf8' }).stdout.trim().split(/\s+/).filter(Boolean).map(Number);
      expect(children.length).toBeGreaterThan(0);
      for (const pid of children) process.kill(pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      const r = await b.runTrial(trialAt(buildPlan(ctx.spec.sweep), 0), new AbortController().signal);
      expect(r.status, JSON.stringify(r.detail)).toBe('succeeded');
    } finally {
      await b.dispose();
    }
  }, 60_000);

  test('an abort during the migration ends the trial as aborted, without waiting for it', async () => {
    const ctx = await contextOf({ name: 'one-abort' });
    const b = withDummyTiming(createBackend(one.env), () => ({ migrate: 'success 8' }));
    await b.prepare(ctx, new AbortController().signal);
    try {
      const ac = new AbortController();
      // Abort once oned shows the migration under way.
      const watcher = (async () => {
        for (let i = 0; i < 200 && !ac.signal.aborted; i++) {
          if ((await one.client.vmInfo(one.vm_id)).lcm_state === 4) return ac.abort();
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const r = await b.runTrial(trialAt(buildPlan(ctx.spec.sweep), 0), ac.signal);
      await watcher;
      const aborted_at = Date.now();
      expect(r.failure_reason).toBe('aborted');
      expect(r.status).toBe('failed');
      // it returned well before the 8 s migration ended
      expect((await one.client.vmInfo(one.vm_id)).lcm_state, `returned ${Date.now() - aborted_at} ms ago`).toBe(4);
    } finally {
      await b.dispose();
    }
    // let oned finish that migration before the next test
    for (let i = 0; i < 200; i++) {
      const vm = await one.client.vmInfo(one.vm_id);
      if (vm.lcm_state === 3 && (vm.history.at(-1)?.rstime_s ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);
});

describe('faults through the dummy driver', () => {
  test('an injected migrate failure is a failed trial, the VM stays on its source, the next trial runs', async () => {
    const spec = await sweep({ name: 'one-fault', modes: ['live'], repetitions: 2 });
    const b = withDummyTiming(createBackend(one.env), (i) => (i === 0 ? { migrate: 'failure 1' } : null));
    const ctx: CampaignContext = { campaign_id: 'one-fault', spec, spec_dir: work };
    await b.prepare(ctx, new AbortController().signal);
    try {
      const plan = buildPlan(spec.sweep);
      const source = await one.vmHost();
      const failed = await b.runTrial(trialAt(plan, 0), new AbortController().signal);
      expect(failed.status).toBe('failed');
      expect(failed.failure_reason).toBe('orchestrator_error');
      expect(String(failed.detail.failure_message)).toMatch(/VM back on host/);
      expect(await one.vmHost()).toBe(source);
      const next = await b.runTrial(trialAt(plan, 1), new AbortController().signal);
      expect(next.status, JSON.stringify(next.detail)).toBe('succeeded');
      expect(await one.vmHost()).not.toBe(source);
    } finally {
      await b.dispose();
    }
  }, 120_000);

  test('a restore that fails on the destination is boot_failed; a retry that fails too stops the campaign for the operator', async () => {
    const ctx = await contextOf({ name: 'one-restore-fail', modes: ['suspend'] });
    const b = withDummyTiming(createBackend(one.env), () => ({ save: 'success 1', restore: 'failure 1' }));
    await b.prepare(ctx, new AbortController().signal);
    try {
      const r = await b.runTrial(trialAt(buildPlan(ctx.spec.sweep), 0), new AbortController().signal);
      expect(r.failure_reason, JSON.stringify(r.detail)).toBe('boot_failed');
      expect(String(r.detail.failure_message)).toMatch(/BOOT_MIGRATE_FAILURE/);
      // The next trial first retries the restore (recover: retry, the default); it fails again (the dummy
      // restore still answers failure), so the campaign stops — no trial "fails" against a broken VM.
      await expect(b.runTrial(trialAt(buildPlan(ctx.spec.sweep), 0), new AbortController().signal)).rejects.toSatisfy(
        (e: unknown) => e instanceof BackendUnavailableError && /BOOT_MIGRATE_FAILURE: not RUNNING 30 s after one.vm.recover retry/.test(e.message),
      );
    } finally {
      await b.dispose();
    }
    // What an operator does (onevm recover --retry): the restore runs again, now successfully.
    await clearDummyActions(one.actions_dir);
    await one.client.call('one.vm.recover', [one.vm_id, 2]);
    for (let i = 0; i < 100; i++) {
      const vm = await one.client.vmInfo(one.vm_id);
      if (vm.lcm_state === 3 && (vm.history.at(-1)?.rstime_s ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await one.client.vmInfo(one.vm_id)).lcm_state).toBe(3);
  }, 90_000);

  test('a migration that never answers is a timeout, and the campaign goes on', async () => {
    const spec = await sweep({ name: 'one-hang', modes: ['live'], repetitions: 2, trial_timeout_s: 4 });
    const db = path.join(work, 'hang.duckdb');
    const outcome = await runCampaign({ spec, dbPath: db, backend: withDummyTiming(createBackend(one.env), (i) => (i === 0 ? { migrate: '-' } : { migrate: 'success 1' })) });
    expect(outcome.ran).toBe(2);
    const inst = await DuckDBInstance.create(db);
    const con = await inst.connect();
    try {
      const kinds = (await con.runAndReadAll(`SELECT kind FROM events e JOIN trials t USING (campaign_id, trial_id) WHERE t.trial_index = 0 AND source IN ('themis', 'oned') AND (kind LIKE 'recover%' OR kind LIKE 'not_rec%') ORDER BY t_ms`)).getRowObjectsJson();
      expect(kinds.map((k) => k.kind)).toEqual(['recover_failure', 'recovered']);
      const rows = (await con.runAndReadAll(`SELECT status, failure_reason, detail FROM trials ORDER BY trial_index`)).getRowObjectsJson();
      expect(rows.map(({ status, failure_reason }) => ({ status, failure_reason })), JSON.stringify(rows)).toEqual([
        { status: 'failed', failure_reason: 'timeout' },
        { status: 'succeeded', failure_reason: null },
      ]);
    } finally {
      con.closeSync();
      inst.closeSync();
    }
  }, 120_000);
});
