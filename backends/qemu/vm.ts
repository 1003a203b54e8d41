/**
 * One QEMU process: launched inside a hypervisor namespace, reached over QMP and the guest control socket.
 * The same command line on both hypervisors (only -incoming differs), as migration requires.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { GuestControl } from './control.js';
import { monoMs, sleep } from '../shared/exec.js';
import type { GuestImage } from '../shared/guest/image.js';
import { QmpClient } from './qmp.js';

export interface VmConfig {
  image: GuestImage;
  memory_mib: number;
  vcpus: number;
  accel: 'kvm' | 'tcg';
  guest_cidr: string;
  /** Default gateway for the guest (routed designs); null = its subnet only */
  guest_gateway: string | null;
  guest_mac: string;
  namespace: string;
  tap: string;
  /** Folder for sockets, console log and pid file */
  run_dir: string;
  /** Unique per process: the QEMU of trial 3 on hypervisor b is e.g. 'b3' */
  tag: string;
  incoming: boolean;
}

/** Every QEMU process started by this Node process, so exit handlers can kill them synchronously. */
export const liveQemuPids = new Set<number>();

export function qemuArgs(c: VmConfig): string[] {
  const sock = (n: string): string => path.join(c.run_dir, `${c.tag}-${n}`);
  return [
    '-name', `themis-${c.tag}`,
    '-accel', c.accel,
    '-machine', 'pc',
    '-m', String(Math.round(c.memory_mib)),
    '-smp', String(c.vcpus),
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-kernel', c.image.kernel,
    '-initrd', c.image.initrd,
    // THEMIS_GUEST_DEBUG=1 keeps the guest kernel's messages on the console log (slower boot under TCG).
    '-append', `console=ttyS0 ${process.env.THEMIS_GUEST_DEBUG ? 'loglevel=8' : 'quiet'} panic=-1 themis.ip=${c.guest_cidr}${c.guest_gateway ? ` themis.gw=${c.guest_gateway}` : ''}`,
    '-chardev', `file,id=con,path=${sock('console.log')}`,
    '-serial', 'chardev:con',
    '-chardev', `socket,id=ctl,path=${sock('ctl.sock')},server=on,wait=off`,
    '-serial', 'chardev:ctl',
    '-netdev', `tap,id=n0,ifname=${c.tap},script=no,downscript=no`,
    '-device', `virtio-net-pci,netdev=n0,mac=${c.guest_mac},romfile=`,
    '-qmp', `unix:${sock('qmp.sock')},server=on,wait=off`,
    '-pidfile', sock('qemu.pid'),
    ...(c.incoming ? ['-incoming', 'defer'] : []),
  ];
}

export class QemuVm {
  readonly qmpPath: string;
  readonly ctlPath: string;
  readonly consolePath: string;
  qmp: QmpClient | null = null;
  control: GuestControl | null = null;
  private proc: ChildProcess | null = null;
  private exitInfo: { code: number | null; signal: string | null; t_mono_ms: number } | null = null;
  readonly exited: Promise<void>;
  private markExited!: () => void;
  stderr = '';

  constructor(readonly config: VmConfig) {
    const sock = (n: string): string => path.join(config.run_dir, `${config.tag}-${n}`);
    this.qmpPath = sock('qmp.sock');
    this.ctlPath = sock('ctl.sock');
    this.consolePath = sock('console.log');
    this.exited = new Promise((r) => (this.markExited = r));
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  get hasExited(): boolean {
    return this.exitInfo !== null;
  }

  get exitedAtMono(): number | null {
    return this.exitInfo?.t_mono_ms ?? null;
  }

  /** Starts QEMU (in its namespace) and connects QMP. */
  async start(): Promise<void> {
    for (const p of [this.qmpPath, this.ctlPath]) if (existsSync(p)) rmSync(p);
    // `ip netns exec` execs QEMU in place, so the child's pid is QEMU's.
    const proc = spawn('ip', ['netns', 'exec', this.config.namespace, 'qemu-system-x86_64', ...qemuArgs(this.config)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc = proc;
    if (proc.pid) liveQemuPids.add(proc.pid);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      if (this.stderr.length < 8192) this.stderr += d;
    });
    proc.on('exit', (code, signal) => {
      this.exitInfo = { code, signal, t_mono_ms: monoMs() };
      if (proc.pid) liveQemuPids.delete(proc.pid);
      this.qmp?.close();
      this.markExited();
    });
    proc.on('error', (e) => {
      this.stderr += String(e);
      this.exitInfo ??= { code: -1, signal: null, t_mono_ms: monoMs() };
      this.markExited();
    });
    try {
      this.qmp = await Promise.race([
        QmpClient.connect(this.qmpPath, 20_000),
        this.exited.then(() => {
          throw new Error(`QEMU exited at start: ${this.stderr.trim().slice(0, 400)}`);
        }),
      ]);
    } catch (e) {
      await this.kill();
      throw e;
    }
  }

  /** Connects to the guest agent and waits until it answers. */
  async connectControl(timeout_ms: number): Promise<boolean> {
    this.control?.close();
    const deadline = monoMs() + timeout_ms;
    this.control = await GuestControl.connect(this.ctlPath, timeout_ms);
    return this.control.waitReady(Math.max(100, deadline - monoMs()));
  }

  /** Asks QEMU to quit, then kills it if it lingers. */
  async stop(timeout_ms = 3_000): Promise<void> {
    if (this.hasExited || !this.proc) return;
    await this.qmp?.execute('quit', {}, 1_000).catch(() => undefined);
    const done = await Promise.race([this.exited.then(() => true), sleep(timeout_ms).then(() => false)]);
    if (!done) await this.kill();
  }

  async kill(): Promise<void> {
    this.control?.close();
    this.qmp?.close();
    if (this.proc && !this.hasExited) {
      this.proc.kill('SIGKILL');
      await Promise.race([this.exited, sleep(5_000)]);
    }
  }
}

/** For process-exit handlers: kills every QEMU this process started, synchronously. */
export function killAllQemuSync(): void {
  for (const pid of liveQemuPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveQemuPids.clear();
}
