/**
 * Real faults in the qemu lab, through the engine: one campaign of five live migrations on real QEMU 10 (TCG),
 * namespaces and the C prober, with a fault injected into three of them once the destination runs:
 *   0  the migration link set down mid-migration (`ip link set mig0 down` at the destination's end), up again after
 *   1  no fault
 *   2  the prober killed (SIGKILL) mid-migration
 *   3  the guest hung mid-pre-copy: its vCPUs stopped (QMP `stop` on the source), so neither its network
 *      responder nor its agent answers again — what a hung guest kernel looks like from outside; QEMU itself
 *      keeps working and finishes the migration
 *   4  no fault
 * Each fault is a trial row with its failure_reason, the campaign goes on and finishes, and nothing is left behind
 * (namespaces, QEMU and prober processes, taps, the run folder, the probe files). Needs root; in CI a missing
 * component is an error, never a skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { QemuBackend } from '../../../backends/qemu/backend.js';
import type { QemuLab } from '../../../backends/qemu/lab.js';
import type { TrialHooks } from '../../../backends/qemu/trial-migrate.js';
import { runCampaign } from '../../../core/engine/engine.js';
import { loadSweepFile } from '../../../core/spec/load.js';
import { labLeftovers } from '../../support/netns.js';
import { openDatabase } from '../../../core/store/open.js';

const isRoot = process.getuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('qemu fault tests need root in CI (network namespaces, taps, QEMU)');

/** The migration link of the L2 lab (backends/qemu/lab/l2-bridge.ts): a veth pair `mig0` between A and B. */
const MIGRATION_DEVICE = 'mig0';
/** Faults land this long after the destination QEMU started: the migration (64 MiB at 16 MiB/s, ~4 s) is under way. */
const FAULT_AFTER_MS = 1_000;

const dir = mkdtempSync(join(tmpdir(), 'themis-qemu-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sweepFile(): string {
  const point = (dirty: number, timeout_s: number) => ({ dirty_rate_pages_s: dirty, timeout_s });
  const sweep = {
    name: 'qemu-faults',
    backend: 'qemu',
    seed: 5,
    repetitions: 1,
    parameters: { mode: 'live', memory_mib: 256, working_set_mib: 64, dirty_pattern: 'uniform', max_bandwidth_mib_s: 16 },
    // distinct dirty rates keep the five entries five points, in this order
    axes: [{ list: [point(1000, 6), point(1001, 30), point(1002, 30), point(1003, 30), point(1004, 30)] }],
    qemu: { accelerator: 'tcg', verify_memory: true, trial_timeout_s: 120 },
  };
  const path = join(dir, 'faults.yaml');
  writeFileSync(path, stringify(sweep));
  return path;
}

async function sqlRows(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const d = await openDatabase(db, { readOnly: true });
  try {
    return (await d.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    d.close();
  }
}

const ipIn = (ns: string, args: string[]): string => execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', timeout: 10_000 });

describe.runIf(isRoot)('real faults in the qemu lab', () => {
  it('link down, prober killed, guest hung: each the right failure_reason, the campaign goes on, nothing left', async () => {
    let lab: QemuLab | null = null;
    const restore: (() => void)[] = [];
    const injected: Record<number, string> = {};
    const hooks: TrialHooks = {
      onDestinationStarted: (_dst, ctx) => {
        lab = ctx.lab;
        const at = ctx.trial.index;
        setTimeout(() => {
          if (at === 0) {
            const ns = ctx.lab.topology.namespaces[ctx.lab.otherHost()];
            ipIn(ns, ['link', 'set', MIGRATION_DEVICE, 'down']);
            restore.push(() => ipIn(ns, ['link', 'set', MIGRATION_DEVICE, 'up']));
            injected[at] = `link down in ${ns}`;
          } else if (at === 2 && ctx.prober.pid) {
            process.kill(ctx.prober.pid, 'SIGKILL');
            injected[at] = `prober ${ctx.prober.pid} killed`;
          } else if (at === 3) {
            void ctx.src.qmp?.execute('stop');
            injected[at] = 'guest stopped';
          }
        }, FAULT_AFTER_MS);
      },
    };
    // The link comes back before the next trial: an outage longer than the migration's timeout, not a dead lab.
    const backend = new QemuBackend({ hooks });
    const runTrial = backend.runTrial.bind(backend);
    backend.runTrial = async (trial, signal) => {
      const r = await runTrial(trial, signal);
      for (const undo of restore.splice(0)) undo();
      return r;
    };
    const db = join(dir, 'faults.duckdb');
    const outcome = await runCampaign({ spec: loadSweepFile(sweepFile()), dbPath: db, backend });
    expect(outcome.status).toBe('finished');
    expect(outcome.ran).toBe(5);
    expect(Object.keys(injected).sort()).toEqual(['0', '2', '3']);

    const rows = await sqlRows(
      db,
      `SELECT t.trial_index::INTEGER AS i, t.status, t.failure_reason AS reason, t.outage_ms, t.detail::VARCHAR AS detail
       FROM trials t ORDER BY t.trial_index`,
    );
    const byIndex = (i: number) => rows.find((r) => r.i === i)!;
    expect(rows.map((r) => [r.i, r.status, r.reason])).toEqual([
      [0, 'failed', 'timeout'],
      [1, 'succeeded', null],
      [2, 'failed', 'orchestrator_error'],
      [3, 'failed', 'agent_unreachable'],
      [4, 'succeeded', null],
    ]);
    // link down: not a guest outpacing the link; the VM still served at the source throughout
    const d0 = JSON.parse(String(byIndex(0).detail)) as Record<string, unknown>;
    expect(String(d0.qemu_error)).toMatch(/no byte of the migration stream moved for \d+ ms/);
    expect(d0.source_still_serving).toBe(true);
    // prober killed: no outage figure made up from no probes
    const d2 = JSON.parse(String(byIndex(2).detail)) as Record<string, unknown>;
    expect(d2.prober_exit).toBe('killed by SIGKILL');
    expect(byIndex(2).outage_ms).toBeNull();
    // guest hung: QEMU completed the move, but the guest never answered at the destination; the next trial booted a fresh VM
    const d4 = JSON.parse(String(byIndex(4).detail)) as Record<string, unknown>;
    expect(Number(d4.fresh_boot_ms)).toBeGreaterThan(0);

    const l = lab as QemuLab | null;
    expect(l).not.toBeNull();
    const left = labLeftovers(Object.values(l!.topology.namespaces), l!.runDir);
    expect(left.namespaces).toEqual([]);
    expect(left.processes).toEqual([]);
    expect(left.runDirExists).toBe(false);
    expect(left.rootTaps.filter((t) => t === 'tap0')).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['faults.duckdb', 'faults.yaml']);
  }, 900_000);
});
