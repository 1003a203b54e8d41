/**
 * The qemu lab's network designs on real components: iproute2 bridges and VXLAN in namespaces, FRR's zebra and
 * ospfd as user frr, QEMU 10 (TCG), the UDP prober and the TCP probe. One backend for the file; the lab rebuilds its
 * network when a trial asks for another design. Needs root; in CI (CI=true) a missing component is an error.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trial, TrialResult } from '../../../core/backend.js';
import type { TrialParametersInput } from '../../../core/spec/parameters.js';
import { buildPlan, trialAt } from '../../../core/plan/plan.js';
import { sweepSchema } from '../../../core/spec/sweep.js';
import { QemuBackend } from '../../../backends/qemu/backend.js';
import { RoutedOspfTopology } from '../../../backends/qemu/lab/routed-ospf.js';
import { labLeftovers, listNamespaces, processesMentioning } from '../../support/netns.js';

const isRoot = process.getuid?.() === 0;
const inCI = process.env.CI === 'true';
if (inCI && !isRoot) throw new Error('qemu network tests need root in CI (network namespaces, taps, QEMU, FRR)');

const sweep = sweepSchema.parse({
  name: 'qemu-network-test',
  backend: 'qemu',
  parameters: { memory_mib: 256, working_set_mib: 64, dirty_pattern: 'uniform', dirty_rate_pages_s: 1000, timeout_s: 30 },
  qemu: { accelerator: 'tcg', verify_memory: true, trial_timeout_s: 400 },
});

let n = 0;
function trial(params: TrialParametersInput): Trial {
  const plan = buildPlan(sweepSchema.parse({ ...sweep, parameters: { ...sweep.parameters, ...params } }));
  return { ...trialAt(plan, 0), index: n++ };
}

/** FRR daemons of this user whose command line names `marker` (another test run may have its own). */
function frrProcesses(marker: string): string[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-u', 'frr', '-a'], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return out.split('\n').filter((l) => l.includes(marker));
}

const ok = (r: TrialResult): void => {
  expect(r.failure_reason, JSON.stringify({ detail: r.detail, events: r.events.filter((e) => e.source === 'themis') })).toBeNull();
  expect(r.status).toBe('succeeded');
};

describe.runIf(isRoot)('qemu lab network designs on real bridges, VXLAN and FRR', () => {
  const backend = new QemuBackend();
  const signal = new AbortController().signal;
  let runDir = '';
  const frrRoots: string[] = [];
  const namespaces = (): string[] => [...(backend.currentLab?.namespacesUsed ?? [])];
  let used: string[] = [];

  beforeAll(async () => {
    await backend.prepare({ campaign_id: 'qemu-network-test', spec: { sweep, source_yaml: '', source_sha256: '', source_path: '' }, spec_dir: '.' }, signal);
    runDir = backend.currentLab!.runDir;
  }, 300_000);

  afterAll(async () => {
    await backend.dispose();
  }, 60_000);

  const remember = (): void => {
    const lab = backend.currentLab!;
    used = namespaces();
    if (lab.topology instanceof RoutedOspfTopology) frrRoots.push(lab.topology.frrRoot);
  };

  it('l2 without announce: a move recovers at once unless a bridge still holds the VM\'s MAC on its fabric port, and then takes seconds', async () => {
    // A→B: A's entry sat on the tap that went away and is flushed, so probes flood to B — fast, unless B's bridge
    // learned the MAC on its fabric port from one of the guest's broadcasts while it was on A (then B drops them).
    // B→A: A's bridge holds the MAC on its fabric port (a remote device for B) until the guest's next own frame
    // through A (a probe still in its receive ring at the pause repairs it at once) or a neighbour re-resolution.
    // Up to three round trips, until one move took seconds.
    const fdbOnFabric = async (host: 'a' | 'b'): Promise<boolean> => {
      const ns = backend.currentLab!.topology.namespaces[host];
      const out = execFileSync('bridge', ['-n', ns, 'fdb', 'show', 'dev', 'fab'], { encoding: 'utf8' });
      return out.includes('52:54:00:18:00:10');
    };
    const moves: { r: TrialResult; staleRemote: boolean }[] = [];
    for (let i = 0; i < 6 && !moves.some((m) => m.r.outage_ms! > 1_500); i++) {
      const to = i % 2 === 0 ? 'b' : 'a';
      const staleRemote = await fdbOnFabric(to);
      const r = await backend.runTrial(trial({ network: 'l2-announce', announce: false }), signal);
      ok(r);
      expect(r.detail.destination_host).toBe(to);
      moves.push({ r, staleRemote });
    }
    const summary = JSON.stringify(moves.map((m) => [m.r.detail.destination_host, m.staleRemote, m.r.outage_ms, m.r.tcp_stall_ms]));
    // Without a stale entry on a remote bridge the flush makes the move fast.
    for (const m of moves) if (!m.staleRemote) expect(m.r.outage_ms!, summary).toBeLessThan(1_500);
    const long = moves.find((m) => m.r.outage_ms! > 1_500);
    expect(long, summary).toBeDefined();
    expect(long!.staleRemote, summary).toBe(true);
    // The TCP probe felt it too: a lost segment waits for Linux's retransmission timer (≥ 200 ms, doubling).
    expect(long!.r.tcp_stall_ms!, summary).toBeGreaterThan(1_000);
    remember();
  }, 900_000);

  it.each([
    ['l2-announce', {}],
    ['vxlan-learn', {}],
    ['vxlan-fdb-push', { hosts: 3, controller_latency_ms: 150 }],
    ['routed-ospf', {}],
  ] as const)('%s: a live migration completes, the prober and the TCP probe both record the gap', async (network, extra) => {
    const r = await backend.runTrial(trial({ network, announce: true, ...extra }), signal);
    ok(r);
    remember();
    expect(r.detail.network_design).toBe(network);
    expect(r.outage_ms!).toBeGreaterThan(0);
    expect(r.outage_ms!).toBeLessThan(10_000);
    expect(r.tcp_stall_ms!).toBeGreaterThan(20);
    const themis = r.events.filter((e) => e.source === 'themis');
    if (network === 'vxlan-fdb-push') {
      // The controller waited its latency after the VM ran, then updated every VTEP (3 hypervisors + the supervisor's).
      const running = themis.find((e) => e.kind === 'running-at-destination')!;
      const push = themis.find((e) => e.kind === 'controller-push')!;
      expect(push.t_ms - running.t_ms).toBeGreaterThanOrEqual(149);
      expect(themis.filter((e) => e.kind === 'fdb-update').map((e) => e.detail?.what).sort()).toEqual(['deleted', 'replaced', 'replaced', 'replaced']);
      expect(r.outage_ms!).toBeGreaterThan(150);
    }
    if (network === 'routed-ospf') expect(themis.find((e) => e.kind === 'route-moved')?.detail?.error).toBeNull();
  }, 300_000);

  it('dispose leaves no namespace, FRR daemon, QEMU, prober, tap or run folder behind', async () => {
    expect(used.length).toBeGreaterThanOrEqual(4);
    expect(frrRoots.length).toBeGreaterThan(0);
    await backend.dispose();
    const left = labLeftovers(used, runDir);
    expect(left.namespaces).toEqual([]);
    expect(left.processes).toEqual([]);
    expect(left.runDirExists).toBe(false);
    expect(left.rootTaps.filter((t) => t === 'tap0')).toEqual([]);
    for (const root of frrRoots) expect(frrProcesses(root)).toEqual([]);
  }, 60_000);
});

describe.runIf(isRoot)('a routed lab in a process that is terminated', () => {
  it('SIGTERM kills its FRR daemons and removes its namespaces and folders', async () => {
    // The built lab (dist/, as the CLI runs it): a routed lab set up, then left waiting for the signal.
    const dist = (f: string): string => JSON.stringify(pathToFileURL(path.resolve('dist', f)).href);
    const script = [
      `const { QemuLab } = await import(${dist('backends/qemu/lab.js')});`,
      `const { ensureGuestImage } = await import(${dist('backends/shared/guest/image.js')});`,
      `const lab = new QemuLab(await ensureGuestImage(), 'tcg', 1, { network: 'routed-ospf', hosts: 2 });`,
      'await lab.setup();',
      'console.log(JSON.stringify({ namespaces: [...lab.namespacesUsed], frrRoot: lab.topology.frrRoot, runDir: lab.runDir }));',
      'setInterval(() => undefined, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const ready = await new Promise<{ namespaces: string[]; frrRoot: string; runDir: string } | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 120_000);
      child.stdout.on('data', (d: Buffer) => {
        out += String(d);
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as { namespaces: string[]; frrRoot: string; runDir: string });
        }
      });
      child.on('exit', () => resolve(null));
    });
    expect(ready, out).not.toBeNull();
    expect(frrProcesses(ready!.frrRoot).length).toBe(6); // zebra + ospfd on the core and both hypervisors
    expect(listNamespaces().filter((x) => ready!.namespaces.includes(x)).sort()).toEqual([...ready!.namespaces].sort());
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(frrProcesses(ready!.frrRoot)).toEqual([]);
    expect(processesMentioning(ready!.frrRoot)).toEqual([]);
    expect(listNamespaces().filter((x) => ready!.namespaces.includes(x))).toEqual([]);
    expect(labLeftovers(ready!.namespaces, ready!.runDir).runDirExists).toBe(false);
  }, 180_000);
});
