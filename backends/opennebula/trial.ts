/**
 * One trial on OpenNebula, in the order: (1) the trial's parameters, (2) probe agents on the VM and the
 * supervisor, (3) the migration request (the VM moves, the supervisor stays), (4) wait until the VM runs on the
 * destination, (5) stop the probes and collect their data, (6) check the migration. Any failing step ends the
 * trial with a failure reason; nothing here throws for a failed migration.
 */
import { sleep } from '../../core/async.js';
import type { FailureReason, Trial, TrialResult } from '../../core/backend.js';
import { errText } from '../../core/error-text.js';
import { BackendUnavailableError } from '../../core/errors.js';
import type { Outcomes } from '../../core/results/outcomes.js';
import type { OpenNebulaOptions } from '../../core/spec/sweep.js';
import type { ProbeEndpoints } from './agents.js';
import { OneApiError, ONE_ERROR, type OneClient } from './client.js';
import { chooseDestination, type Discovered } from './discovery.js';
import { ensureVmSide, startProbe, stopVmSide, type ProbeKind, type ProbeResult, type RunningProbe } from './probe.js';
import { isOpenNebulaMode, modeMapping, type ModeMapping, type OpenNebulaMode } from './modes.js';
import { onedTimes } from './history.js';
import { TrialRecorder } from './result.js';
import { SshConnection, type SshSettings } from './ssh.js';
import { HISTORY_REASON, LCM_STATE, lcmStateName, stateLabel, VM_STATE } from './states.js';
import { isUnreachable } from './patience.js';
import { settleVm, waitRunning } from './settle.js';
import { waitForMigration, type WaitResult } from './wait.js';
import { lastHistory, type OneHistory, type OneVm } from './xml.js';

export interface TrialContext {
  client: OneClient;
  options: OpenNebulaOptions;
  found: Discovered;
  ssh: SshSettings;
  supervisor: SshConnection;
  /** The probe chosen in prepare (themis-prober when installed, else iperf3) */
  probe: ProbeKind;
}

const WARMUP_MS = 300;
const AGENT_START_TIMEOUT_MS = 10_000;
/** The poll interval's ceiling while waiting for oned (the backoff grows it up to this, wait.ts POLL_BACKOFF) */
const MAX_POLL_INTERVAL_MS = 1000;
/** How long a VM may take to run again after one.vm.recover */
export const RECOVER_WAIT_MS = 30_000;

/** Opens an SSH connection to the VM, retrying until it answers (a cold-migrated VM is still booting). */
async function connectVm(ctx: TrialContext, deadline_ms: number, signal: AbortSignal): Promise<SshConnection> {
  const ep = { host: ctx.found.vm.ip, port: ctx.options.ssh.port, user: ctx.options.ssh.user };
  for (;;) {
    try {
      return await SshConnection.open(ep, ctx.ssh);
    } catch (e) {
      if (performance.now() > deadline_ms || signal.aborted || (e as Error).name === 'HostKeyError') throw e;
      await sleep(500);
    }
  }
}

function failureOfState(vm: OneVm): FailureReason {
  if (vm.lcm_state === LCM_STATE.UNKNOWN) return 'vm_lost';
  if (vm.lcm_state === LCM_STATE.BOOT_MIGRATE_FAILURE || vm.lcm_state === LCM_STATE.BOOT_FAILURE) return 'boot_failed';
  return 'orchestrator_error';
}

/** The checks of step 6 on the VM document after the migration; null when all hold. */
export function verifyPlacement(vm: OneVm, dest_host_id: number, seq_before: number, m: ModeMapping): string | null {
  const last = lastHistory(vm);
  if (vm.state !== VM_STATE.ACTIVE || vm.lcm_state !== LCM_STATE.RUNNING) return `VM is ${stateLabel(vm.state, vm.lcm_state)}, not RUNNING`;
  if (!last || last.hid !== dest_host_id) return `VM runs on host ${last?.hid}, not on the destination ${dest_host_id}`;
  if (last.rstime_s <= 0) return 'the destination HISTORY record has not started running';
  if (last.reason !== null && last.reason !== HISTORY_REASON.NONE) return `the destination HISTORY record has REASON ${last.reason}`;
  const left = vm.history.find((h) => h.seq === seq_before);
  if (!left || left.etime_s <= 0) return `the source HISTORY record ${seq_before} is not closed`;
  if (left.reason !== null && left.reason !== HISTORY_REASON.NONE) return `the source HISTORY record closed with REASON ${left.reason} (error)`;
  if (left.action !== m.history_action) return `the source HISTORY record closed with ACTION ${left.action}, expected ${m.history_action}`;
  return null;
}

function historyDetail(h: OneHistory): Record<string, unknown> {
  return { ...h };
}

export async function runOpenNebulaTrial(ctx: TrialContext, trial: Trial, signal: AbortSignal): Promise<TrialResult> {
  const r = await trialSteps(ctx, trial, signal);
  // Whatever step the abort interrupted (an SSH start, the request, a poll), the trial ended because of it.
  if (r.status === 'failed' && signal.aborted) r.failure_reason = 'aborted';
  return r;
}

/** A step that ended the trial: recorded once the probes are stopped and the agents cleaned up. */
interface Failure {
  reason: FailureReason;
  message: string;
  /** When it failed on the trial's timeline; absent: the moment it is recorded (after the clean-up) */
  at_ms?: number;
  extra?: Partial<Outcomes>;
}

/** Where the VM is before the trial and where it goes. */
interface Placement {
  /** The VM's LCM state before the request (RUNNING) */
  state: string;
  source: OneHistory;
  dest: { id: number; name: string };
}

/** What steps (3)–(5) saw of a migration that reached the destination. */
interface Moved {
  waited: WaitResult;
  /** When the agent on the VM answered again (a rebooted VM), else when oned reported the end */
  agent_ms: number;
  probe: ProbeResult;
  flowing: boolean;
}

/** The probe agents of one trial: the VM side over SSH and the stream from the supervisor. */
class ProbeAgents {
  vmConn: SshConnection | null = null;
  serverPid: number | null = null;
  private stream: RunningProbe | null = null;
  private stopped = false;
  /** performance.now() at the migration request: the probes' time 0 */
  t0 = 0;

  constructor(
    private readonly ctx: TrialContext,
    readonly ep: ProbeEndpoints,
  ) {}

  /** (2) the VM side, then a warm stream from the supervisor. Throws. */
  async start(interval_ms: number, signal: AbortSignal): Promise<void> {
    this.vmConn = await connectVm(this.ctx, performance.now() + AGENT_START_TIMEOUT_MS, signal);
    this.serverPid = await ensureVmSide(this.ctx.probe, this.vmConn, this.ep, AGENT_START_TIMEOUT_MS);
    this.stream = await startProbe(this.ctx.probe, this.ctx.supervisor, this.ep, interval_ms, this.ctx.options.trial_timeout_s + 120);
    await sleep(WARMUP_MS);
  }

  /** A rebooted VM: a new SSH connection, and the VM side started again unless it came back by itself. Throws. */
  async reconnect(deadline_ms: number, signal: AbortSignal): Promise<void> {
    this.vmConn?.close();
    this.vmConn = await connectVm(this.ctx, deadline_ms, signal);
    this.serverPid = (await ensureVmSide(this.ctx.probe, this.vmConn, this.ep, AGENT_START_TIMEOUT_MS)) ?? this.serverPid;
  }

  /** Stops the stream and returns its record, or why there is none. */
  async stopProbe(): Promise<ProbeResult | string> {
    this.stopped = true;
    try {
      return await (this.stream as RunningProbe).stop(this.t0, 15_000);
    } catch (e) {
      return errText(e);
    }
  }

  /** The clean-up every trial ends with: the stream stopped if it still runs, the VM side stopped. */
  async close(): Promise<void> {
    if (this.stream && !this.stopped) await this.stopProbe();
    if (this.vmConn) {
      await stopVmSide(this.vmConn, this.serverPid);
      this.vmConn.close();
    }
  }
}

async function trialSteps(ctx: TrialContext, trial: Trial, signal: AbortSignal): Promise<TrialResult> {
  const rec = new TrialRecorder();
  const p = trial.params;
  if (!isOpenNebulaMode(p.mode)) return rec.fail('orchestrator_error', 0, `mode ${p.mode} is not supported by OpenNebula`);
  const mode: OpenNebulaMode = p.mode;
  rec.detail.vm_id = ctx.found.vm.vm.id;
  rec.detail.supervisor_id = ctx.found.supervisor.vm.id;
  rec.detail.mode = mode;

  // (1) where the VM is now and where it goes
  const placed = await placement(ctx, rec, signal);
  if ('reason' in placed) return rec.fail(placed.reason, 0, placed.message);
  const { source } = placed;
  rec.event(0, 'oned', 'initial_state', { state: placed.state, host_id: source.hid, history: historyDetail(source) });

  // (2) probe agents
  const agents = new ProbeAgents(ctx, { vm_ip: ctx.found.vm.ip, supervisor_ip: ctx.found.supervisor.ip, port: ctx.options.probe_port });
  try {
    await agents.start(p.probe_interval_ms, signal);
  } catch (e) {
    await agents.close();
    return rec.fail('agent_unreachable', 0, `probe agents did not start: ${errText(e)}`);
  }

  // (3)–(5) the migration and the probes' data; whatever happens, the probes stop and the agents are cleaned up
  let moved: Moved | Failure;
  try {
    moved = await migrateAndCollect(ctx, rec, trial, mode, placed, agents, signal);
  } finally {
    await agents.close();
  }
  if ('reason' in moved) return rec.fail(moved.reason, moved.at_ms ?? performance.now() - agents.t0, moved.message, moved.extra);

  // (6) check the migration
  return checkMigration(ctx, rec, modeMapping(mode), placed, moved, agents.t0, signal);
}

/** (1) The VM's source host and the destination it goes to; a Failure when it is not RUNNING or has nowhere to go. */
async function placement(ctx: TrialContext, rec: TrialRecorder, signal: AbortSignal): Promise<Placement | Failure> {
  const vmId = ctx.found.vm.vm.id;
  try {
    // Idle first: a VM still migrating (a restarted oned, an abandoned migration) is waited for or recovered,
    // a failed boot retried or the campaign stopped (settle.ts); the states are this trial's events.
    const policy = { recover: ctx.options.recover, idle_wait_ms: ctx.options.idle_wait_s * 1000, recover_wait_ms: RECOVER_WAIT_MS };
    const vm0 = await settleVm(ctx.client, vmId, policy, signal, (kind, detail) => rec.event(0, 'themis', kind, detail));
    const hosts = (await ctx.client.hostPoolInfo(signal)).hosts;
    const here = lastHistory(vm0);
    if (vm0.state !== VM_STATE.ACTIVE || vm0.lcm_state !== LCM_STATE.RUNNING || !here) {
      return { reason: 'orchestrator_error', message: `VM ${vmId} is ${stateLabel(vm0.state, vm0.lcm_state)} before the trial, not RUNNING` };
    }
    const dest = chooseDestination(hosts, here.hid, ctx.options.destinations);
    rec.detail.source_host_id = here.hid;
    rec.detail.source_host = here.hostname;
    if (!dest) return { reason: 'orchestrator_error', message: `no destination host: none ON in the cluster of host ${here.hid}` };
    rec.detail.dest_host_id = dest.id;
    rec.detail.dest_host = dest.name;
    return { state: lcmStateName(vm0.lcm_state), source: here, dest };
  } catch (e) {
    if (e instanceof BackendUnavailableError) throw e;
    const lost = e instanceof OneApiError && e.code === ONE_ERROR.NO_EXISTS;
    return { reason: lost ? 'vm_lost' : 'orchestrator_error', message: errText(e) };
  }
}

/** After an unanswered one.vm.migrate: whether oned recorded it (a HISTORY record after the source's). */
async function migrationBegan(ctx: TrialContext, seq_before: number, signal: AbortSignal): Promise<boolean> {
  const vm = await ctx.client.vmInfo(ctx.found.vm.vm.id, signal);
  return (lastHistory(vm)?.seq ?? -1) > seq_before;
}

/** (3) the request, (4) the wait for its end, (5) the agent back and the probes' data. */
async function migrateAndCollect(
  ctx: TrialContext,
  rec: TrialRecorder,
  trial: Trial,
  mode: OpenNebulaMode,
  { source, dest }: Placement,
  agents: ProbeAgents,
  signal: AbortSignal,
): Promise<Moved | Failure> {
  const m = modeMapping(mode);
  const vmId = ctx.found.vm.vm.id;
  const timeout_ms = ctx.options.trial_timeout_s * 1000;
  // (3) the migration request
  const t0 = performance.now();
  agents.t0 = t0;
  rec.detail.probe = ctx.probe;
  try {
    rec.event(0, 'themis', 'migrate_requested', { from: source.hid, to: dest.id, live: m.live, migration_type: m.migration_type });
    await ctx.client.migrate(
      { vm_id: vmId, host_id: dest.id, live: m.live, enforce_capacity: ctx.options.enforce_capacity, datastore_id: ctx.options.datastore_id, migration_type: m.live ? 0 : m.migration_type },
      signal,
    );
  } catch (e) {
    // No answer: the request may or may not have reached oned. Ask it (patiently) whether the migration began.
    if (!isUnreachable(e, signal) || !(await migrationBegan(ctx, source.seq, signal))) {
      return { reason: 'orchestrator_error', message: `one.vm.migrate refused: ${errText(e)}` };
    }
    rec.event(performance.now() - t0, 'themis', 'migrate_unanswered', { message: errText(e) });
  }

  // (4) wait for the end
  const waited = await waitForMigration(ctx.client, {
    vm_id: vmId, source_host_id: source.hid, dest_host_id: dest.id, seq_before: source.seq, t0,
    poll_interval_ms: ctx.options.poll_interval_ms, max_poll_interval_ms: Math.max(ctx.options.poll_interval_ms, MAX_POLL_INTERVAL_MS),
    timeout_ms, signal, outage: ctx.client.outage,
  });
  rec.states(waited.changes, waited.end_ms, mode);
  rec.detail.polls = waited.polls;
  const o = waited.outcome;
  if (o.kind === 'lost_contact') {
    if (o.error instanceof BackendUnavailableError) throw o.error;
    return { reason: 'orchestrator_error', message: `lost contact with oned while waiting: ${errText(o.error)}`, at_ms: waited.end_ms };
  }
  if (o.kind !== 'done') {
    const { reason, message } = await migrationFailure(ctx, rec, o, source, t0, signal);
    const probe = await agents.stopProbe();
    const extra = typeof probe === 'string' ? {} : { outage_ms: probe.outage_ms, loss_pct: probe.loss_pct };
    return { reason, message, at_ms: waited.end_ms, extra };
  }
  rec.event(waited.end_ms, 'themis', 'running_on_destination', { history: historyDetail(lastHistory(o.vm) as OneHistory) });

  // (5) the agent back (a rebooted VM starts it on boot), then the probes' data
  let agent_ms = waited.end_ms;
  if (m.reboots) {
    try {
      await agents.reconnect(t0 + timeout_ms, signal);
      agent_ms = performance.now() - t0;
      rec.event(agent_ms, 'themis', 'agent_answering', null);
    } catch (e) {
      await agents.stopProbe();
      return { reason: 'agent_unreachable', message: `agent on the VM not back after boot: ${errText(e)}`, extra: { total_ms: waited.end_ms } };
    }
  }
  const probe = await agents.stopProbe();
  if (typeof probe === 'string') return { reason: 'agent_unreachable', message: `probe data lost: ${probe}`, extra: { total_ms: waited.end_ms } };
  rec.gaps.push(...probe.gaps);
  rec.event(performance.now() - t0, 'prober', 'summary', { ...probe, gaps: probe.gaps.length });
  let flowing = probe.flowing;
  if (!flowing) {
    // The first stream died with the guest (cold): a short second stream shows whether probes flow again.
    try {
      const again = await startProbe(ctx.probe, ctx.supervisor, agents.ep, trial.params.probe_interval_ms, 30);
      await sleep(1000);
      flowing = (await again.stop(performance.now(), 15_000)).packets_received > 0;
    } catch (e) {
      rec.event(performance.now() - t0, 'prober', 'restart_failed', { message: errText(e) });
    }
  }
  return { waited, agent_ms, probe, flowing };
}

/** The reason and message of a migration that did not reach the destination (timeout: recovered when asked to). */
async function migrationFailure(
  ctx: TrialContext,
  rec: TrialRecorder,
  o: Exclude<WaitResult['outcome'], { kind: 'done' }>,
  source: OneHistory,
  t0: number,
  signal: AbortSignal,
): Promise<{ reason: FailureReason; message: string }> {
  const vmId = ctx.found.vm.vm.id;
  if (o.kind === 'timeout') {
    const message = `migration not finished after ${ctx.options.trial_timeout_s} s (last state ${o.vm ? stateLabel(o.vm.state, o.vm.lcm_state) : 'unknown'})`;
    if (ctx.options.recover_on_timeout) {
      try {
        await ctx.client.recoverAsFailed(vmId, signal);
        rec.event(performance.now() - t0, 'themis', 'recover_failure', { vm_id: vmId });
        const back = await waitRunning(ctx.client, vmId, RECOVER_WAIT_MS, signal);
        rec.event(performance.now() - t0, 'oned', back !== null ? 'recovered' : 'not_recovered', back !== null ? { host_id: back } : null);
      } catch (e) {
        rec.event(performance.now() - t0, 'themis', 'recover_refused', { message: errText(e) });
      }
    }
    return { reason: 'timeout', message };
  }
  if (o.kind === 'fell_back') return { reason: 'orchestrator_error', message: `migration failed: VM back on host ${lastHistory(o.vm)?.hid} (source ${source.hid})` };
  if (o.kind === 'failure_state') return { reason: failureOfState(o.vm), message: `migration ended in state ${stateLabel(o.vm.state, o.vm.lcm_state)}` };
  if (o.kind === 'vm_lost') return { reason: 'vm_lost', message: o.message };
  return { reason: 'aborted', message: 'campaign aborted during the migration' };
}

/** (6) The measured columns, probes flowing again, and the VM's HISTORY records as they must be. */
async function checkMigration(
  ctx: TrialContext,
  rec: TrialRecorder,
  m: ModeMapping,
  { source, dest }: Placement,
  { waited, agent_ms, probe, flowing }: Moved,
  t0: number,
  signal: AbortSignal,
): Promise<TrialResult> {
  const measured = {
    total_ms: m.reboots ? agent_ms : waited.end_ms,
    downtime_ms: downtimeOf(waited, m, agent_ms),
    outage_ms: probe.outage_ms,
    loss_pct: probe.loss_pct,
    rtt_p50_ms: probe.rtt_p50_ms,
    rtt_p99_ms: probe.rtt_p99_ms,
  };
  if (!flowing) return rec.fail('agent_unreachable', performance.now() - t0, 'probes do not flow after the migration', measured);
  try {
    const after = await ctx.client.vmInfo(ctx.found.vm.vm.id, signal);
    const wrong = verifyPlacement(after, dest.id, source.seq, m);
    rec.event(performance.now() - t0, 'oned', 'history', { records: after.history.filter((h) => h.seq >= source.seq).map(historyDetail) });
    rec.detail.oned_times = onedTimes(after.history, source.seq);
    if (wrong) return rec.fail('verification_failed', performance.now() - t0, wrong, measured);
  } catch (e) {
    return rec.fail('verification_failed', performance.now() - t0, `cannot read the VM after the migration: ${errText(e)}`, measured);
  }
  rec.event(performance.now() - t0, 'themis', 'verified', null);
  return rec.done(measured);
}

/** The VM's own pause: unknown for live (oned does not report it); from leaving RUNNING to running again otherwise. */
function downtimeOf(w: WaitResult, m: ModeMapping, agent_ms: number): number | null {
  if (m.live) return null;
  const stop = w.changes.find((c) => c.label !== 'RUNNING');
  if (!stop) return null;
  return (m.reboots ? agent_ms : w.end_ms) - stop.t_ms;
}
