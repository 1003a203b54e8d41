/**
 * FRR routers for the routed design: `zebra` and `ospfd` from Debian's frr package, started by hand inside a lab
 * namespace. The daemons refuse to run as root (`-u root`), so they drop to user `frr` and keep their config,
 * pid files and sockets (zserv.api, the vty sockets) in a folder owned by `frr`; they run in the foreground as
 * children of this process (no -d), so they are reaped here and killed by pid on teardown or exit.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { monoMs, run, sleep } from '../../shared/exec.js';

const FRR_BIN = '/usr/lib/frr';
/** Every FRR daemon this process started, for the synchronous exit handler. */
export const liveFrrPids = new Set<number>();

let frrIds: { uid: number; gid: number } | null = null;

/** User and group `frr` (created by the Debian package). */
export function frrUser(): { uid: number; gid: number } {
  if (frrIds) return frrIds;
  const line = execFileSync('getent', ['passwd', 'frr'], { encoding: 'utf8', timeout: 5_000 }).trim();
  const [, , uid, gid] = line.split(':');
  if (!uid || !gid) throw new Error('no user frr: install Debian\'s frr (scripts/install-system-packages.sh qemu)');
  frrIds = { uid: Number(uid), gid: Number(gid) };
  return frrIds;
}

export const frrInstalled = (): boolean => existsSync(path.join(FRR_BIN, 'zebra')) && existsSync(path.join(FRR_BIN, 'ospfd'));

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

export class FrrRouter {
  readonly dir: string;
  private readonly pids: number[] = [];

  /** `root` must be traversable by `frr` (mode 0755); the router's own folder is created there, owned by `frr`. */
  constructor(readonly ns: string, readonly name: string, root: string) {
    this.dir = path.join(root, name);
  }

  private file(name: string, text: string): string {
    const f = path.join(this.dir, name);
    writeFileSync(f, text);
    const { uid, gid } = frrUser();
    chownSync(f, uid, gid);
    return f;
  }

  /** Starts zebra, then ospfd with `ospfdConf`; resolves once both listen (bounded). */
  async start(ospfdConf: string): Promise<void> {
    if (!frrInstalled()) throw new Error('FRR is not installed: scripts/install-system-packages.sh qemu (Debian frr)');
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    const { uid, gid } = frrUser();
    chownSync(this.dir, uid, gid);
    chmodSync(this.dir, 0o755);
    const zserv = path.join(this.dir, 'zserv.api');
    this.daemon('zebra', this.file('zebra.conf', `hostname ${this.name}\n`), zserv);
    await this.waitFor(zserv, 'zebra');
    this.daemon('ospfd', this.file('ospfd.conf', ospfdConf), zserv);
    await this.waitFor(path.join(this.dir, 'ospfd.vty'), 'ospfd');
  }

  private daemon(name: 'zebra' | 'ospfd', conf: string, zserv: string): void {
    const args = ['netns', 'exec', this.ns, path.join(FRR_BIN, name), '-u', 'frr', '-g', 'frr', '-f', conf,
      '-i', path.join(this.dir, `${name}.pid`), '-z', zserv, '--vty_socket', this.dir, '-P', '0',
      '--log', `file:${path.join(this.dir, `${name}.log`)}`];
    const proc = spawn('ip', args, { stdio: 'ignore' });
    if (!proc.pid) throw new Error(`${name} did not start in ${this.ns}`);
    const pid = proc.pid;
    this.pids.push(pid);
    liveFrrPids.add(pid);
    proc.on('exit', () => liveFrrPids.delete(pid));
    proc.on('error', () => liveFrrPids.delete(pid));
  }

  private async waitFor(file: string, what: string, timeout_ms = 15_000): Promise<void> {
    const deadline = monoMs() + timeout_ms;
    while (!existsSync(file)) {
      if (monoMs() > deadline) throw new Error(`${what} in ${this.ns} did not come up within ${timeout_ms} ms (log: ${this.dir})`);
      await sleep(50);
    }
  }

  /** One vtysh command against this router's daemons. */
  async vtysh(command: string): Promise<string> {
    const { stdout } = await run('ip', ['netns', 'exec', this.ns, 'vtysh', '--vty_socket', this.dir, '-c', command], 10_000);
    return stdout;
  }

  /** SIGTERM, then SIGKILL after 3 s for what is still there. */
  async stop(): Promise<void> {
    const pids = this.pids.splice(0);
    for (const pid of pids) killPid(pid, 'SIGTERM');
    const deadline = monoMs() + 3_000;
    while (pids.some((p) => liveFrrPids.has(p)) && monoMs() < deadline) await sleep(50);
    for (const pid of pids) if (liveFrrPids.has(pid)) killPid(pid, 'SIGKILL');
    while (pids.some((p) => liveFrrPids.has(p)) && monoMs() < deadline + 2_000) await sleep(50);
  }

  stopSync(): void {
    for (const pid of this.pids.splice(0)) killPid(pid, 'SIGKILL');
  }
}

export function killAllFrrSync(): void {
  for (const pid of liveFrrPids) killPid(pid, 'SIGKILL');
  liveFrrPids.clear();
}
