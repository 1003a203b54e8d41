/**
 * The lab a qemu campaign runs in: the network topology, the guest image, a run folder, and the VM currently
 * running (on hypervisor A or B). The VM is reused between trials when its shape (memory, vCPUs) stays the
 * same — the next trial migrates it back the other way — and rebooted fresh on A otherwise or when it is not
 * healthy. Everything is removed by dispose(), also on SIGINT/SIGTERM and process exit.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monoMs } from '../shared/exec.js';
import type { GuestImage } from '../shared/guest/image.js';
import { createTopology, topologyKey, type TopologyNeeds } from './lab/designs.js';
import { killAllFrrSync } from './lab/frr.js';
import { other, type HostSide, type LabTopology } from './lab/topology.js';
import { killAllProbersSync } from './prober-process.js';
import { killAllQemuSync, QemuVm } from './vm.js';

export interface VmShape {
  memory_mib: number;
  vcpus: number;
}

const openLabs = new Set<QemuLab>();
let handlersInstalled = false;

/** Last-resort cleanup: synchronous, for 'exit'; signals clean up and then exit with the usual code. */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const syncCleanup = (): void => {
    killAllProbersSync();
    killAllQemuSync();
    killAllFrrSync();
    for (const lab of openLabs) lab.disposeSync();
  };
  process.on('exit', syncCleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      // When someone else also listens (the CLI stops gracefully and calls dispose()), leave it to them;
      // the 'exit' handler still removes everything if the process ends without dispose().
      if (process.listenerCount(sig) > 1) return;
      syncCleanup();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.on(sig, onSignal);
  }
}

export class QemuLab {
  /** The network design the current trial needs (rebuilt by useTopology when another one is needed) */
  topology: LabTopology;
  private topologyKey: string;
  /** Every namespace any of this lab's topologies created (for leftover checks) */
  readonly namespacesUsed = new Set<string>();
  readonly runDir: string;
  vm: QemuVm | null = null;
  host: HostSide = 'a';
  shape: VmShape | null = null;
  private tagCounter = 0;
  private disposed = false;

  constructor(
    readonly image: GuestImage,
    /** Chosen by the backend's prepare() ('auto' probes KVM first) */
    public accel: 'kvm' | 'tcg',
    readonly vcpus = 1,
    needs: TopologyNeeds = { network: 'l2-announce', hosts: 2 },
    private readonly labId = randomBytes(3).toString('hex'),
  ) {
    this.topology = createTopology(needs, labId);
    this.topologyKey = topologyKey(needs);
    this.runDir = mkdtempSync(path.join(tmpdir(), `themis-qemu-${labId}-`));
  }

  async setup(): Promise<void> {
    installExitHandlers();
    openLabs.add(this);
    for (const n of this.topology.allNamespaces) this.namespacesUsed.add(n);
    await this.topology.setup();
    this.topologyReady = true;
  }

  private topologyReady = false;

  /** Makes the lab's network the design `needs` asks for: another design stops the VM and rebuilds the network. */
  async useTopology(needs: TopologyNeeds): Promise<void> {
    const key = topologyKey(needs);
    if (key === this.topologyKey && this.topologyReady) return;
    await this.stopVm();
    if (this.topologyReady) await this.topology.teardown();
    this.topologyReady = false;
    this.topology = createTopology(needs, this.labId);
    this.topologyKey = key;
    for (const n of this.topology.allNamespaces) this.namespacesUsed.add(n);
    await this.topology.setup();
    this.topologyReady = true;
  }

  /** A new QEMU on `host`; `incoming` makes it a migration destination (-incoming defer). */
  async startVm(host: HostSide, shape: VmShape, incoming: boolean, accel = this.accel): Promise<QemuVm> {
    const vm = new QemuVm({
      image: this.image,
      memory_mib: shape.memory_mib,
      vcpus: shape.vcpus,
      accel,
      guest_cidr: this.topology.addresses.guest_cidr,
      guest_gateway: this.topology.addresses.guest_gateway,
      guest_mac: this.topology.addresses.guest_mac,
      namespace: this.topology.namespaces[host],
      tap: this.topology.tapName(host),
      run_dir: this.runDir,
      tag: `${host}${++this.tagCounter}`,
      incoming,
    });
    await vm.start();
    return vm;
  }

  /** Makes sure a healthy VM of this shape runs; boots a fresh one on A when needed. Returns boot ms or 0. */
  async ensureVm(shape: VmShape, boot_timeout_ms: number): Promise<number> {
    const same = this.shape && this.shape.memory_mib === shape.memory_mib && this.shape.vcpus === shape.vcpus;
    if (this.vm && same && !this.vm.hasExited && (await this.isHealthy())) return 0;
    await this.stopVm();
    await this.topology.placeVm('a');
    const t0 = monoMs();
    const vm = await this.startVm('a', shape, false);
    this.vm = vm;
    this.host = 'a';
    this.shape = shape;
    if (!(await vm.connectControl(boot_timeout_ms))) {
      const log = vm.stderr.slice(0, 300);
      await this.stopVm();
      throw new Error(`guest did not answer on its control channel within ${boot_timeout_ms} ms ${log}`);
    }
    return monoMs() - t0;
  }

  private async isHealthy(): Promise<boolean> {
    try {
      const st = await this.vm!.qmp!.queryStatus();
      if (!st.running) return false;
      return (await this.vm!.control?.request('ping', 'ok pong', 2_000)) != null;
    } catch {
      return false;
    }
  }

  /** After a completed move: the destination becomes the VM, the old source is ended. */
  async adopt(dst: QemuVm, host: HostSide): Promise<void> {
    const old = this.vm;
    this.vm = dst;
    this.host = host;
    if (old && old !== dst) await old.stop(2_000);
  }

  otherHost(): HostSide {
    return other(this.host);
  }

  async stopVm(): Promise<void> {
    const vm = this.vm;
    this.vm = null;
    this.shape = null;
    if (vm) await vm.stop(2_000);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stopVm();
    await this.topology.teardown();
    rmSync(this.runDir, { recursive: true, force: true });
    openLabs.delete(this);
  }

  disposeSync(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.topology.teardownSync();
    rmSync(this.runDir, { recursive: true, force: true });
    openLabs.delete(this);
  }
}
