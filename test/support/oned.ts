/**
 * The real OpenNebula `oned` for tests: built once per machine by scripts/opennebula/build.sh, started here on
 * a free 127.0.0.1 port with a fresh sqlite database in a temp ONE_LOCATION, with dummy hosts, a virtual network
 * whose addresses point at the test sshd (127.0.0.x), a supervisor VM and a VM under test carrying the context
 * variables THEMIS_TYPE / THEMIS_USER. stop() ends oned and every process of this instance (monitord-client.rb
 * survivors too) by PID and removes the temp dir.
 * Each instance's dummy VMM reads its own action files (`actions_dir`; the shipped driver's
 * /tmp/opennebula_dummy_actions is patched in a per-instance copy), so test files with oneds run in parallel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { OneClient } from '../../backends/opennebula/client.js';
import { lastHistory } from '../../backends/opennebula/xml.js';
import { sleep } from '../../core/async.js';
import type { TrialParameters } from '../../core/spec/parameters.js';
import { simulateTrial } from '../../simulator/simulate.js';
import { until as pollUntil } from '../../core/until.js';

export const ONE_COMMIT_SHORT = 'f847cf2e';
export const DUMMY_ACTIONS_DIR = '/tmp/opennebula_dummy_actions';

export function onePrefix(): string {
  return process.env.THEMIS_ONE_PREFIX ?? path.join(homedir(), '.cache', 'themis', `opennebula-${ONE_COMMIT_SHORT}`);
}

/** Whether the cached build exists; tests throw (never skip) in CI when it does not. */
export function onedBuilt(): boolean {
  return existsSync(path.join(onePrefix(), '.themis-built')) && existsSync(path.join(onePrefix(), 'bin', 'oned'));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}


/** oned's own waits poll every 200 ms. */
const until = <T>(what: string, timeout_ms: number, step: () => Promise<T | null>) => pollUntil(what, timeout_ms, step, 200);

export interface OnedOptions {
  /** THEMIS_USER of the VMs */
  themis_user: string;
  /** NIC address of the VM under test and of the supervisor (where the test sshd listens) */
  vm_ip: string;
  supervisor_ip: string;
  /** Dummy hosts to create (default 2) */
  hosts?: number;
}

export interface OnedInstance {
  dir: string;
  /** This instance's dummy-driver action files (setDummyActions(…, actions_dir)) */
  actions_dir: string;
  endpoint: string;
  auth_file: string;
  password: string;
  /** env for the backend: ONE_XMLRPC and ONE_AUTH of this instance */
  env: NodeJS.ProcessEnv;
  client: OneClient;
  host_ids: number[];
  vm_id: number;
  supervisor_id: number;
  /** Host the VM under test runs on now */
  vmHost(): Promise<number>;
  /** Any other VM creatable by tests (e.g. a second VM under test) */
  allocateVm(name: string, context: Record<string, string>, ip: string, host_id: number): Promise<number>;
  stop(): Promise<void>;
  /** oned crashes (SIGKILL, drivers too), stays down `down_ms`, and starts again on the same database */
  restart(down_ms: number): Promise<void>;
  /** SIGSTOP (true) / SIGCONT (false) to oned: its port accepts, nothing answers — an outage */
  freeze(on: boolean): void;
}

function uncommentBlock(conf: string, firstLine: RegExp): string {
  const lines = conf.split('\n');
  const i = lines.findIndex((l) => firstLine.test(l));
  if (i < 0) throw new Error(`oned config: no line matching ${firstLine}`);
  for (let j = i; j < lines.length && lines[j].startsWith('#'); j++) {
    lines[j] = lines[j].replace(/^#\s?/, '');
    if (lines[j].trim().endsWith(']')) break;
  }
  return lines.join('\n');
}

/**
 * Every port an oned opens: XML-RPC, gRPC (not built, but set anyway) and the hook manager's two ZeroMQ
 * sockets (`one_hm -p <publisher> -l <logger>`, 2101/2102 in the shipped oned.conf). All free ones, so test
 * oneds run side by side and next to a user's own oned.
 */
export interface OnedPorts {
  xmlrpc: number;
  grpc: number;
  hook_publisher: number;
  hook_logger: number;
}

export async function freeOnedPorts(): Promise<OnedPorts> {
  return { xmlrpc: await freePort(), grpc: await freePort(), hook_publisher: await freePort(), hook_logger: await freePort() };
}

export function configureOned(conf: string, ports: OnedPorts): string {
  let c = conf.replace(/^PORT = \d+/m, `PORT = ${ports.xmlrpc}`);
  c = c.replace(/^GRPC_PORT = \d+/m, `GRPC_PORT = ${ports.grpc}`);
  const hm = /(HM_MAD = \[\s*EXECUTABLE = "one_hm",\s*ARGUMENTS = ")-p \d+ -l \d+ -b 127\.0\.0\.1"/;
  if (!hm.test(c)) throw new Error('oned config: no HM_MAD with "-p <port> -l <port> -b 127.0.0.1" to give free ports');
  c = c.replace(hm, `$1-p ${ports.hook_publisher} -l ${ports.hook_logger} -b 127.0.0.1"`);
  c = c.replace(/^LISTEN_ADDRESS = ".*"/m, 'LISTEN_ADDRESS = "127.0.0.1"');
  c = c.replace(/^GRPC_LISTEN_ADDRESS = ".*"/m, 'GRPC_LISTEN_ADDRESS = "127.0.0.1"');
  c = c.replace(/^DRS_INTERVAL = .*/m, 'DRS_INTERVAL = -1');
  // Without HOSTNAME oned resolves the machine's name at start and exits when it does not resolve (containers).
  c = c.replace(/^# HOSTNAME = .*/m, 'HOSTNAME = "127.0.0.1"');
  c = uncommentBlock(c, /^#VM_MAD = \[ NAME="dummy"/);
  return c;
}

export function configureMonitord(conf: string, port: number): string {
  let c = conf.replace(/ADDRESS(\s+)= "::"/, 'ADDRESS$1= "127.0.0.1"').replace(/PORT(\s+)= 4124/, `PORT$1= ${port}`);
  c = uncommentBlock(c, /^# IM_MAD = \[/);
  // the block above starts with "# IM_MAD = [" / "#     NAME ..." lines
  return c;
}

/** PIDs of processes started for this instance (their command line or environment names its dir). */
async function instancePids(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = await readFile(`/proc/${name}/cmdline`, 'utf8');
      const env = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
      if (cmd.includes(dir) || env.includes(`ONE_LOCATION=${dir}\0`)) pids.push(Number(name));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

function killPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * var/remotes as links to the cached build, but for the dummy IM's files that keep per-machine state, copied
 * with that state moved into this instance's dir: monitord-client.rb's DB_PATH (/var/tmp/one_db: config,
 * monitord.conf, pid file) and the client PID file /tmp/one-monitord-<host id>.pid of its control script and
 * its shepherd probe. Two oneds' dummy hosts share this machine and both have host id 0: the shepherd of one
 * read the other's PID file and ended its own client, so that oned's host went to ERROR.
 */
function dummyRemotesPatches(state: string): Record<string, [string, string][]> {
  const pid = ['CLIENT_PID_FILE=/tmp/one-monitord-$HID.pid', `CLIENT_PID_FILE=${state}/one-monitord-$HID.pid`] as [string, string];
  return {
    'im/dummy.d/monitord-client.rb': [["DB_PATH   = '/var/tmp/one_db'", `DB_PATH   = '${state}/one_db'`]],
    'im/dummy.d/monitord-client_control.sh': [pid],
    'im/dummy-probes.d/host/beacon/monitord-client-shepherd_local.sh': [pid],
  };
}

/** Links `to` → `from` entry by entry, but for the files of `patches`: copies with their strings replaced. */
async function linkPatched(from: string, to: string, patches: Record<string, [string, string][]>): Promise<void> {
  const own = new Set(Object.keys(patches).flatMap((f) => f.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const mirror = async (rel: string): Promise<void> => {
    await mkdir(path.join(to, rel), { recursive: true });
    for (const e of await readdir(path.join(from, rel))) {
      const r = rel ? `${rel}/${e}` : e;
      if (patches[r]) {
        let text = await readFile(path.join(from, r), 'utf8');
        for (const [a, b] of patches[r]) {
          if (!text.includes(a)) throw new Error(`${r}: no "${a}" to make per-instance`);
          text = text.replaceAll(a, b);
        }
        // The same mode: run_monitord_client runs every executable file of dummy.d (the .rb is not one).
        await writeFile(path.join(to, r), text, { mode: (await stat(path.join(from, r))).mode & 0o777 });
      } else if (own.has(r)) await mirror(r);
      else await symlink(path.join(from, r), path.join(to, r));
    }
  };
  await mirror('');
}

export async function startOned(opts: OnedOptions): Promise<OnedInstance> {
  const prefix = onePrefix();
  if (!onedBuilt()) {
    throw new Error(`OpenNebula is not built at ${prefix}: run 'bash scripts/opennebula/build.sh' first`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'themis-oned-'));
  let oned: ChildProcess | null = null;
  const stop = async () => {
    if (oned && oned.exitCode === null) {
      oned.kill('SIGTERM');
      const exited = await Promise.race([
        new Promise<boolean>((r) => oned?.once('exit', () => r(true))),
        sleep(15_000).then(() => false),
      ]);
      if (!exited) oned.kill('SIGKILL');
    }
    // Drivers and the dummy hosts' monitord-client.rb (re-parented to PID 1) outlive oned.
    for (let round = 0; round < 3; round++) {
      const pids = await instancePids(dir);
      if (pids.length === 0) break;
      for (const pid of pids) killPid(pid, round === 0 ? 'SIGTERM' : 'SIGKILL');
      await sleep(500);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const d of ['bin', 'sbin', 'share']) await symlink(path.join(prefix, d), path.join(dir, d));
    // The dummy VMM reads its answers from this instance's own action files (actions_dir), not /tmp's shared ones.
    const actions_dir = path.join(dir, 'dummy_actions');
    await mkdir(actions_dir);
    await linkPatched(path.join(prefix, 'lib'), path.join(dir, 'lib'), {
      'mads/one_vmm_dummy.rb': [[`DUMMY_ACTIONS_DIR = "${DUMMY_ACTIONS_DIR}"`, `DUMMY_ACTIONS_DIR = "${actions_dir}"`]],
    });
    await cp(path.join(prefix, 'etc'), path.join(dir, 'etc'), { recursive: true });
    await mkdir(path.join(dir, 'var', 'datastores'), { recursive: true });
    for (const d of ['lock', 'run', 'vms']) await mkdir(path.join(dir, 'var', d), { recursive: true });
    await linkPatched(path.join(prefix, 'var', 'remotes'), path.join(dir, 'var', 'remotes'), dummyRemotesPatches(path.join(dir, 'var')));
    const ports = await freeOnedPorts();
    const port = ports.xmlrpc;
    const monitordPort = await freePort();
    const onedConf = path.join(dir, 'etc', 'oned.conf');
    await writeFile(onedConf, configureOned(await readFile(onedConf, 'utf8'), ports));
    const monConf = path.join(dir, 'etc', 'monitord.conf');
    await writeFile(monConf, configureMonitord(await readFile(monConf, 'utf8'), monitordPort));
    const password = randomBytes(12).toString('hex');
    const authFile = path.join(dir, 'one_auth');
    await writeFile(authFile, `oneadmin:${password}\n`, { mode: 0o600 });
    const env = {
      ...process.env,
      ONE_LOCATION: dir,
      ONE_AUTH: authFile,
      ONE_XMLRPC: `http://127.0.0.1:${port}/RPC2`,
      RUBYLIB: path.join(prefix, 'lib', 'ruby'),
    };
    const endpoint = env.ONE_XMLRPC;
    const client = new OneClient({ endpoint, session: `oneadmin:${password}`, call_timeout_ms: 10_000 });
    const onedLog = async () => (await readFile(path.join(dir, 'var', 'oned.log'), 'utf8').catch(() => '')).slice(-2000);
    const launch = async () => {
      const log = openSync(path.join(dir, 'oned.out'), 'a');
      const child = spawn(path.join(dir, 'bin', 'oned'), ['-f'], { env, stdio: ['ignore', log, log] });
      oned = child;
      // An oned that exited ends the wait at once (a port taken, a driver missing), with the tail of its log.
      const up = await until('oned answering XML-RPC', 90_000, async () => (child.exitCode !== null ? 'exited' : client.version()));
      if (up === 'exited') throw new Error(`oned exited (${child.exitCode}): ${await onedLog()}`);
    };
    await launch();
    /** oned killed (SIGKILL, as a crash) with its drivers, down for `down_ms`, then started again on the same database. */
    const restart = async (down_ms: number) => {
      const child = oned as ChildProcess;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      for (const pid of await instancePids(dir)) killPid(pid, 'SIGKILL');
      // A crashed oned leaves its lock file and refuses to start over it; an operator removes it, as here.
      await rm(path.join(dir, 'var', 'lock', '.lock'), { force: true });
      await sleep(down_ms);
      await launch();
    };
    await client.call('one.datastore.update', [0, 'TM_MAD="dummy"', 1]);
    await client.call('one.datastore.update', [1, 'TM_MAD="dummy"\nDS_MAD="dummy"', 1]);
    const host_ids: number[] = [];
    // Host names unique per instance: the dummy IM's shepherd probe ends every client whose command line has
    // "monitord-client.rb <hv> <host id> <host name>" (whatever its path), so two oneds' "dummy-0" would end each other's.
    for (let i = 0; i < (opts.hosts ?? 2); i++) {
      host_ids.push(Number(await client.call('one.host.allocate', [`dummy-${path.basename(dir).slice(-6)}-${i}`, 'dummy', 'dummy', -1])));
    }
    await until('dummy hosts ON', 60_000, async () => {
      const { hosts } = await client.hostPoolInfo();
      return host_ids.every((id) => hosts.find((h) => h.id === id)?.state === 2) ? true : null;
    });
    const vnet = Number(
      await client.call('one.vn.allocate', [
        `NAME="themis-test"\nVN_MAD="dummy"\nBRIDGE="br0"\nAR=[TYPE="IP4", IP="127.0.0.2", SIZE="250"]`,
        -1,
      ]),
    );
    // The network is usable once its (dummy) driver has answered: STATE 1 = READY.
    await until('virtual network READY', 30_000, async () => {
      const xml = String(await client.call('one.vn.info', [vnet, false]));
      const state = /<STATE>(?:<!\[CDATA\[)?(\d+)/.exec(xml)?.[1];
      if (state === '1') return true;
      throw new Error(`network STATE ${state}: ${xml.slice(0, 600)}`);
    });
    const allocateVm = async (name: string, context: Record<string, string>, ip: string, host_id: number) => {
      const ctx = Object.entries(context).map(([k, v]) => `${k}="${v}"`).join(', ');
      const tmpl = `NAME="${name}"\nCPU="0.1"\nMEMORY="64"\nCONTEXT=[${ctx}]\nNIC=[NETWORK_ID="${vnet}", IP="${ip}"]`;
      const id = Number(await client.call('one.vm.allocate', [tmpl, false]));
      // Placing it ourselves takes 0.06 s; the scheduler would take 12–14 s.
      await client.call('one.vm.deploy', [id, host_id, false, -1]);
      await until(`VM ${id} RUNNING`, 60_000, async () => {
        const vm = await client.vmInfo(id);
        return vm.state === 3 && vm.lcm_state === 3 && (lastHistory(vm)?.rstime_s ?? 0) > 0 ? true : null;
      });
      return id;
    };
    const supervisor_id = await allocateVm('supervisor', { THEMIS_TYPE: 'supervisor', THEMIS_USER: opts.themis_user }, opts.supervisor_ip, host_ids[0]);
    const vm_id = await allocateVm('vm-under-test', { THEMIS_TYPE: 'vm', THEMIS_USER: opts.themis_user }, opts.vm_ip, host_ids[0]);
    return {
      dir,
      actions_dir,
      endpoint,
      auth_file: authFile,
      password,
      env: { ...process.env, ONE_XMLRPC: endpoint, ONE_AUTH: authFile },
      client,
      host_ids,
      vm_id,
      supervisor_id,
      vmHost: async () => lastHistory(await client.vmInfo(vm_id))?.hid ?? -1,
      allocateVm,
      stop,
      restart,
      freeze: (on: boolean) => killPid(oned?.pid ?? -1, on ? 'SIGSTOP' : 'SIGCONT'),
    };
  } catch (e) {
    const logText = await readFile(path.join(dir, 'var', 'oned.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`${(e as Error).message}\n--- oned.log (tail) ---\n${logText.slice(-3000)}`);
  }
}

/**
 * Sets the dummy driver's answers: per action one line `success [s]`, `failure [s]` or `-` (never answers).
 * One line per file, so the driver's per-action call counter does not matter. Delays are whole seconds.
 */
export async function setDummyActions(actions: Record<string, string>, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [action, line] of Object.entries(actions)) await writeFile(path.join(dir, action), `${line}\n`);
}

/** Removes the action files (every action then succeeds at once). */
export async function clearDummyActions(dir: string, actions: string[] = ['deploy', 'migrate', 'save', 'restore', 'shutdown', 'cancel', 'reboot', 'reset']): Promise<void> {
  for (const a of actions) await rm(path.join(dir, a), { force: true });
}

/**
 * Dummy-driver answers that make the real oned take about as long as the simulator predicts for a trial:
 * live → `migrate` ≈ total; suspend → `save`/`restore` ≈ the save phase split in two; cold → `shutdown` and
 * `deploy` ≈ shutdown and boot (+ agent start). Whole seconds (the driver sleeps `to_i`), at least 1 so that
 * every timed state is long enough to be seen by a poll.
 */
export function dummyActionsForTrial(params: TrialParameters, seed: number): Record<string, string> {
  const sim = simulateTrial(params, seed);
  const phase_ms = (name: string) => sim.rounds_detail.filter((r) => r.phase === name).reduce((a, r) => a + r.duration_ms, 0);
  const s = (ms: number) => `success ${Math.max(1, Math.round(ms / 1000))}`;
  switch (params.mode) {
    case 'live':
      return { migrate: s(sim.total_ms ?? 1000) };
    case 'suspend': {
      const save = phase_ms('save') || (sim.total_ms ?? 1000);
      return { save: s(save / 2), restore: s(save / 2) };
    }
    case 'cold':
      return { shutdown: s(phase_ms('shutdown')), deploy: s(phase_ms('boot') + phase_ms('agent')) };
    case 'cold-hard':
      return { cancel: 'success', deploy: s(phase_ms('boot') + phase_ms('agent')) };
    default:
      return {};
  }
}
