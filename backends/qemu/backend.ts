/**
 * `backend: qemu`: real migrations between two QEMU 10 processes in network namespaces on this host,
 * measured by a real prober. prepare() builds the guest image and the lab; runTrial() moves the VM once;
 * dispose() removes every process, namespace, tap and file.
 *
 * State between trials: the VM stays where the last trial left it and the next trial moves it back (A→B, B→A);
 * it is rebooted fresh on A when its memory size changes or it is not healthy. Each trial sets the workload
 * anew (refilling the working set) and warms the prober before it starts.
 */
import type { Backend, CampaignContext, Trial, TrialResult } from '../../core/backend.js';
import { BackendSetupError } from '../../core/errors.js';
import { MODE_PROPERTIES } from '../../core/modes.js';
import { buildPlan } from '../../core/plan/plan.js';
import { defaultParameters } from '../../core/spec/parameters.js';
import type { QemuOptions } from '../../core/spec/sweep.js';
import { monoMs } from '../shared/exec.js';
import { ensureGuestImage, ensureHostPackages, type GuestImage } from '../shared/guest/image.js';
import { QemuLab } from './lab.js';
import { TrialRecorder } from '../../core/results/recorder.js';
import { ignoredParameters } from './result.js';
import { BOOT_TIMEOUT_MS } from './trial-common.js';
import { runColdTrial } from './trial-cold.js';
import { runMigrationTrial, type TrialHooks } from './trial-migrate.js';

export interface QemuBackendOptions {
  /** Test fault injection (e.g. kill the destination mid-migration). */
  hooks?: TrialHooks;
}

/**
 * Time a trial needs besides the migration itself: workload setup, prober warm-up, destination start, memory
 * verification and settling (measured 10–25 s under TCG), with room for a fresh boot.
 */
const TRIAL_OVERHEAD_S = 60;

/**
 * `timeout_s` cancels the migration (QEMU's migrate_cancel → not_converged); `qemu.trial_timeout_s` bounds the
 * whole trial. A budget that cannot hold the migration's own timeout would cut every slow migration as `timeout`
 * before `timeout_s` is ever reached, so such a sweep is refused before anything runs.
 */
function checkTrialBudget(campaign: CampaignContext, trial_timeout_s: number): void {
  const longest = Math.max(...buildPlan(campaign.spec.sweep).points.map((pt) => pt.params.timeout_s));
  if (longest + TRIAL_OVERHEAD_S <= trial_timeout_s) return;
  throw new BackendSetupError(
    `qemu.trial_timeout_s: expected more than timeout_s + ${TRIAL_OVERHEAD_S} s = ${longest + TRIAL_OVERHEAD_S} s ` +
      `(the trial budget must hold the migration's own timeout and the trial's setup and verification); found ${trial_timeout_s} s`,
  );
}

export class QemuBackend implements Backend {
  readonly name = 'qemu' as const;
  readonly maxConcurrency = 1;
  private lab: QemuLab | null = null;
  private image: GuestImage | null = null;
  private options: QemuOptions | null = null;
  private accel: 'kvm' | 'tcg' = 'tcg';
  private accelNote = '';
  private qemuVersion = 'unknown';

  constructor(private readonly extra: QemuBackendOptions = {}) {}

  get currentLab(): QemuLab | null {
    return this.lab;
  }

  async prepare(campaign: CampaignContext, signal: AbortSignal): Promise<void> {
    if (process.platform !== 'linux') throw new BackendSetupError('qemu backend: needs Linux (network namespaces, QEMU)');
    if (process.getuid?.() !== 0) throw new BackendSetupError('qemu backend: needs root (network namespaces, taps)');
    this.options = campaign.spec.sweep.qemu;
    checkTrialBudget(campaign, this.options.trial_timeout_s);
    await ensureHostPackages();
    this.image = await ensureGuestImage(this.options.guest_cache_dir);
    if (signal.aborted) throw new BackendSetupError('qemu backend: aborted during prepare');
    const first = buildPlan(campaign.spec.sweep).points[0]?.params ?? defaultParameters();
    this.lab = new QemuLab(this.image, 'tcg', this.options.vcpus, { network: first.network, hosts: first.hosts });
    try {
      await this.lab.setup();
      await this.chooseAccelerator(this.options.accelerator);
    } catch (e) {
      await this.dispose();
      if (e instanceof BackendSetupError) throw e;
      throw new BackendSetupError(`qemu backend: lab setup failed: ${(e as Error).message}`);
    }
  }

  /** 'auto' boots a guest with KVM and keeps it only if the guest really answers; otherwise TCG. */
  private async chooseAccelerator(wanted: QemuOptions['accelerator']): Promise<void> {
    const lab = this.lab!;
    const candidates: ('kvm' | 'tcg')[] = wanted === 'auto' ? ['kvm', 'tcg'] : [wanted];
    for (const accel of candidates) {
      const vm = await lab.startVm('a', { memory_mib: 256, vcpus: this.options!.vcpus }, false, accel).catch(() => null);
      if (!vm) continue;
      const ok = await vm.connectControl(accel === 'kvm' ? 20_000 : BOOT_TIMEOUT_MS).catch(() => false);
      if (ok) {
        const v = await vm.qmp!.execute<{ qemu: { major: number; minor: number; micro: number } }>('query-version').catch(() => null);
        if (v) this.qemuVersion = `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}`;
      }
      await vm.kill();
      if (ok) {
        this.accel = accel;
        this.accelNote = wanted === 'auto' && accel === 'tcg' ? 'kvm did not boot a guest; fell back to tcg' : '';
        lab.accel = accel;
        return;
      }
    }
    throw new BackendSetupError(`qemu backend: no accelerator boots the guest (tried ${candidates.join(', ')})`);
  }

  async runTrial(trial: Trial, signal: AbortSignal): Promise<TrialResult> {
    const p = trial.params;
    const rec = new TrialRecorder({
      accelerator: this.accel,
      ...(this.accelNote ? { accelerator_note: this.accelNote } : {}),
      qemu_version: this.qemuVersion,
      guest_kernel: this.image?.kernel_version ?? null,
      guest_image: this.image?.hash ?? null,
      network_design: p.network,
      ignored_parameters: ignoredParameters(p, defaultParameters()),
    });
    const lab = this.lab;
    if (!lab || !this.options) return rec.failed('orchestrator_error', 'prepare() was not called');
    const t0 = monoMs();
    try {
      await lab.useTopology(p);
    } catch (e) {
      return rec.failed('orchestrator_error', `network ${p.network}: lab set-up failed: ${(e as Error).message}`);
    }
    try {
      const boot_ms = await lab.ensureVm({ memory_mib: p.memory_mib, vcpus: this.options.vcpus }, BOOT_TIMEOUT_MS);
      rec.detail.fresh_boot_ms = boot_ms > 0 ? Math.round(boot_ms) : null;
    } catch (e) {
      return rec.failed('boot_failed', (e as Error).message);
    }
    const budget = new AbortController();
    const onAbort = (): void => budget.abort();
    signal.addEventListener('abort', onAbort);
    const timer = setTimeout(() => budget.abort(), this.options.trial_timeout_s * 1000);
    try {
      const out =
        MODE_PROPERTIES[p.mode].reboots
          ? await runColdTrial(lab, trial, rec, budget.signal)
          : await runMigrationTrial(lab, trial, rec, budget.signal, this.options.verify_memory, this.extra.hooks);
      if (out.failure_reason === 'aborted' && !signal.aborted) out.failure_reason = 'timeout';
      out.detail.trial_wall_ms = Math.round(monoMs() - t0);
      return out;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async dispose(): Promise<void> {
    const lab = this.lab;
    this.lab = null;
    if (lab) await lab.dispose();
  }
}

export function createBackend(options: QemuBackendOptions = {}): Backend {
  return new QemuBackend(options);
}
