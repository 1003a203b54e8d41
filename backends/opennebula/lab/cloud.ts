/**
 * `themis lab cloud up|down|status`: a whole real OpenNebula cloud on this machine (docs/lab.md).
 * up: namespaces and L2, N hypervisor hosts (libvirtd + sshd each), the real oned with hosts ON, a virtual
 * network, templates and the two VMs (VM under test, supervisor) RUNNING. Idempotent: a healthy lab is reused;
 * a broken one is taken down and made again. down: every process in the lab's namespaces by PID, then the
 * namespaces and the root veth — by state file and by name prefix, so it also works after a crash.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import path from 'node:path';
import { OneClient } from '../client.js';
import { stateLabel } from '../states.js';
import { lastHistory } from '../xml.js';
import { labShape, namespacesOf, xmlrpcEndpoint, type LabOptions, type LabShape } from './config.js';
import { createNetwork, deleteNetwork, existingNamespaces, rootLinkExists } from './network.js';
import { endPids, netnsInode, pidsInNamespaces, alive } from './processes.js';
import { makeSshFiles } from './ssh-keys.js';
import { prepareHostFiles, startHost } from './host.js';
import { onePrefix, onedLogTail, prepareFrontend, startOned } from './frontend.js';
import { ensureLabPrerequisites } from './packages.js';
import { prepareGuest } from './guest.js';
import { addHosts, addNetwork, deployGuest, templateText, until } from './provision.js';
import { readState, writeState, type LabState } from './state.js';

export interface CloudUpOptions extends LabOptions {
  /** Deploy the VM under test and the supervisor (default true) */
  deploy_vms?: boolean;
  /** Progress lines (to stderr in the CLI) */
  log?: (line: string) => void;
}

export interface CloudStatus {
  up: boolean;
  state_dir: string;
  namespaces: string[];
  pids: number[];
  one_xmlrpc: string | null;
  one_auth: string | null;
  oned_answers: boolean;
  hosts: { id: number; name: string; state: number }[];
  vms: { id: number; name: string; state: string; host_id: number | null }[];
  problem: string | null;
}

const sessionOf = async (auth_file: string) => (await readFile(auth_file, 'utf8')).trim();

export async function labClient(state: Pick<LabState, 'one_xmlrpc' | 'one_auth'>): Promise<OneClient> {
  return new OneClient({ endpoint: state.one_xmlrpc, session: await sessionOf(state.one_auth), call_timeout_ms: 15_000 });
}

function tcpOpen(host: string, port: number, timeout_ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port, timeout: timeout_ms });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.once('timeout', () => done(false));
  });
}

export async function waitForTcp(host: string, port: number, timeout_ms: number): Promise<void> {
  await until(`${host}:${port} accepting connections`, timeout_ms, async () => ((await tcpOpen(host, port, 1_000)) ? true : null), 200);
}

export async function cloudStatus(opts: LabOptions = {}): Promise<CloudStatus> {
  const shape = labShape(opts);
  const state = await readState(shape.state_dir);
  const namespaces = await existingNamespaces(shape.prefix);
  const inodes = (await Promise.all(namespaces.map(netnsInode))).filter((i): i is number => i !== null);
  const pids = await pidsInNamespaces(inodes);
  const status: CloudStatus = {
    up: false,
    state_dir: shape.state_dir,
    namespaces,
    pids,
    one_xmlrpc: state?.one_xmlrpc ?? null,
    one_auth: state?.one_auth ?? null,
    oned_answers: false,
    hosts: [],
    vms: [],
    problem: null,
  };
  if (!state) {
    status.problem = namespaces.length > 0 ? 'lab namespaces exist but no state file (run `down`)' : 'not up';
    return status;
  }
  try {
    const client = await labClient(state);
    await client.version();
    status.oned_answers = true;
    status.hosts = (await client.hostPoolInfo()).hosts.map((h) => ({ id: h.id, name: h.name, state: h.state }));
    for (const b of (await client.vmPoolInfo()).vms) {
      const vm = await client.vmInfo(b.id);
      status.vms.push({ id: vm.id, name: vm.name, state: stateLabel(vm.state, vm.lcm_state), host_id: lastHistory(vm)?.hid ?? null });
    }
    const hostsOn = status.hosts.length === state.hosts && status.hosts.every((h) => h.state === 2);
    const vmsOk = [state.vm, state.supervisor].every((r) => r === null || status.vms.some((v) => v.id === r.vm_id && v.state === 'RUNNING'));
    // up_ms is written last by `up`: 0 means an `up` that did not finish (crashed or still running).
    const finished = state.up_ms > 0;
    status.up = finished && hostsOn && vmsOk && alive(state.oned_pid);
    if (!status.up) {
      status.problem = !finished ? '`up` did not finish' : !hostsOn ? 'a host is not ON' : !vmsOk ? 'a lab VM is not RUNNING' : 'oned is not running';
    }
  } catch (e) {
    status.problem = `oned does not answer at ${state.one_xmlrpc}: ${(e as Error).message}`;
  }
  return status;
}

export async function cloudDown(opts: LabOptions = {}): Promise<{ ended_pids: number[]; namespaces: string[]; survivors: number[] }> {
  const shape = labShape(opts);
  const state = await readState(shape.state_dir);
  const namespaces = [...new Set([...(state?.namespaces ?? []), ...(await existingNamespaces(shape.prefix))])];
  const inodes = (await Promise.all(namespaces.map(netnsInode))).filter((i): i is number => i !== null);
  // oned first (a clean shutdown of its database), then everything left in the namespaces (drivers, the hosts'
  // monitord-client.rb, libvirtd, sshd, QEMU) — repeated, since a dying daemon may still spawn a child.
  const ended: number[] = [];
  if (state && alive(state.oned_pid) && (await pidsInNamespaces(inodes)).includes(state.oned_pid)) {
    await endPids([state.oned_pid], 10_000);
    ended.push(state.oned_pid);
  }
  let survivors: number[] = [];
  for (let round = 0; round < 4; round++) {
    const pids = await pidsInNamespaces(inodes);
    if (pids.length === 0) break;
    survivors = await endPids(pids, round === 0 ? 5_000 : 1_000);
    ended.push(...pids);
  }
  survivors = await pidsInNamespaces(inodes);
  await deleteNetwork(shape, namespaces);
  if (survivors.length === 0) await rm(shape.state_dir, { recursive: true, force: true });
  return { ended_pids: [...new Set(ended)], namespaces, survivors };
}

export interface CloudUpResult {
  state: LabState;
  reused: boolean;
  env: { ONE_XMLRPC: string; ONE_AUTH: string };
}

export async function cloudUp(opts: CloudUpOptions = {}): Promise<CloudUpResult> {
  const log = opts.log ?? (() => undefined);
  const shape = labShape(opts);
  const existing = await readState(shape.state_dir);
  if (existing) {
    const st = await cloudStatus(opts);
    if (st.up && existing.hosts === shape.hosts.length) {
      log('lab cloud already up');
      return { state: existing, reused: true, env: { ONE_XMLRPC: existing.one_xmlrpc, ONE_AUTH: existing.one_auth } };
    }
    log(`lab cloud present but unhealthy (${st.problem}): taking it down first`);
  }
  if (existing || (await existingNamespaces(shape.prefix)).length > 0 || (await rootLinkExists(shape))) await cloudDown(opts);
  await ensureLabPrerequisites(log);
  const t0 = performance.now();
  try {
    return await bringUp(shape, opts, log, t0);
  } catch (e) {
    const tail = await onedLogTail(shape).catch(() => '');
    log(`lab cloud up failed: ${(e as Error).message}; taking it down`);
    const keep = process.env.THEMIS_LAB_KEEP_ON_FAILURE === '1';
    if (!keep) await cloudDown(opts);
    throw new Error(`lab cloud up failed: ${(e as Error).message}${tail ? `\n--- oned.log (tail) ---\n${tail}` : ''}`);
  }
}

async function bringUp(shape: LabShape, opts: CloudUpOptions, log: (l: string) => void, t0: number): Promise<CloudUpResult> {
  const lap = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  await mkdir(shape.state_dir, { recursive: true });
  const ssh = await makeSshFiles(shape);
  const rubylib = path.join(onePrefix(), 'lib', 'ruby');
  for (const h of shape.hosts) await prepareHostFiles(shape, h, rubylib);
  const password = randomBytes(12).toString('hex');
  const fe = await prepareFrontend(shape, password);
  const guest = opts.deploy_vms === false ? null : await prepareGuest(shape, await readFile(`${ssh.user_key}.pub`, 'utf8'), ssh.guest_host_key);
  log(`files ready (${lap()})`);
  await createNetwork(shape);
  for (const h of shape.hosts) await startHost(h);
  for (const h of shape.hosts) await waitForTcp(h.address, 22, 20_000);
  log(`${shape.hosts.length} hosts with libvirtd and sshd (${lap()})`);
  const oned_pid = startOned(shape, fe);
  const endpoint = xmlrpcEndpoint(shape);
  const client = new OneClient({ endpoint, session: `oneadmin:${password}`, call_timeout_ms: 15_000 });
  await until('oned answering XML-RPC', 90_000, async () => {
    if (!alive(oned_pid)) throw new Error(`oned exited: ${await readFile(fe.log_file, 'utf8').catch(() => '')}`);
    return client.version();
  }, 250);
  const state: LabState = {
    prefix: shape.prefix,
    state_dir: shape.state_dir,
    hosts: shape.hosts.length,
    namespaces: namespacesOf(shape),
    one_xmlrpc: endpoint,
    one_auth: fe.auth_file,
    oned_pid,
    host_ids: [],
    vnet_id: null,
    vm: null,
    supervisor: null,
    ssh: { key_file: ssh.user_key, known_hosts: ssh.known_hosts },
    up_ms: 0,
    created_at: new Date().toISOString(),
  };
  await writeState(state);
  log(`oned answers at ${endpoint} (${lap()})`);
  state.host_ids = await addHosts(client, shape);
  log(`hosts ON: ${state.host_ids.join(', ')} (${lap()})`);
  state.vnet_id = await addNetwork(client, shape);
  await writeState(state);
  if (guest) {
    const [h0] = state.host_ids;
    const sup = shape.supervisor;
    const vm = shape.vm;
    const supText = templateText({ ...sup, type: 'supervisor' }, guest, state.vnet_id, shape.prefix_len);
    state.supervisor = { ...(await deployGuest(client, supText, sup.name, h0)), address: sup.address };
    const vmText = templateText({ ...vm, type: 'vm' }, guest, state.vnet_id, shape.prefix_len);
    state.vm = { ...(await deployGuest(client, vmText, vm.name, h0)), address: vm.address };
    await writeState(state);
    log(`VMs RUNNING: supervisor ${state.supervisor.vm_id}, VM under test ${state.vm.vm_id} (${lap()})`);
    for (const a of [sup.address, vm.address]) await waitForTcp(a, 22, 60_000);
    log(`guests answer SSH (${lap()})`);
  }
  state.up_ms = performance.now() - t0;
  await writeState(state);
  if (!existsSync(state.one_auth)) throw new Error('ONE_AUTH file vanished');
  return { state, reused: false, env: { ONE_XMLRPC: endpoint, ONE_AUTH: state.one_auth } };
}
