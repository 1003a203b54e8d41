/**
 * The `opennebula` backend: campaigns on a real OpenNebula cloud over XML-RPC, with probe agents over SSH.
 * prepare() finds every problem it can before the first migration (credentials, the VMs, host keys, iperf3 on
 * the agents) and reports it as a BackendSetupError; runTrial() runs one migration (see trial.ts).
 */
import { homedir } from 'node:os';
import path from 'node:path';
import type { Backend, CampaignContext, Trial, TrialResult } from '../../core/backend.js';
import { BackendSetupError, BackendUnavailableError } from '../../core/errors.js';
import { errText } from '../../core/error-text.js';
import { buildPlan } from '../../core/plan/plan.js';
import { failedTrialResult } from '../../core/results/recorder.js';
import { defaultParameters } from '../../core/spec/parameters.js';
import type { OpenNebulaOptions } from '../../core/spec/sweep.js';
import { hasCommand } from './agents.js';
import { chooseProbe, type ProbeKind } from './probe.js';
import { loadCredentials } from './auth.js';
import { OneApiError, OneClient } from './client.js';
import { destinationCandidates, discoverVms, type Discovered } from './discovery.js';
import { isOpenNebulaMode, OPENNEBULA_MODES } from './modes.js';
import { ignoredParameters } from './parameters.js';
import { HostKeyError, parseEndpoint, SshConnection, type SshSettings } from './ssh.js';
import { settleVm } from './settle.js';
import { RECOVER_WAIT_MS, runOpenNebulaTrial, type TrialContext } from './trial.js';
import { DEFAULT_PATIENCE } from './patience.js';


function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(homedir(), p.slice(1)) : p;
}

/** The SSH settings of a campaign; relative key and known_hosts paths are relative to the sweep file. */
export function sshSettingsOf(o: OpenNebulaOptions, spec_dir: string): SshSettings {
  const resolve = (p: string) => path.resolve(spec_dir, expandHome(p));
  return {
    key_file: o.ssh.key_file ? resolve(o.ssh.key_file) : undefined,
    known_hosts: o.ssh.known_hosts ? resolve(o.ssh.known_hosts) : path.join(homedir(), '.ssh', 'known_hosts'),
    accept_new_host_keys: o.ssh.accept_new_host_keys,
    jump: o.ssh.jump_host ? parseEndpoint(o.ssh.jump_host, o.ssh.user) : undefined,
    connect_timeout_ms: 15_000,
  };
}

/** What prepare found: everything a trial's context holds, plus oned's version. */
type Prepared = TrialContext & { version: string };

class OpenNebulaBackend implements Backend {
  readonly name = 'opennebula' as const;
  readonly maxConcurrency = 1;
  private prepared: Prepared | null = null;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async prepare(campaign: CampaignContext, signal: AbortSignal): Promise<void> {
    const sweep = campaign.spec.sweep;
    const options = sweep.opennebula;
    if (!options) throw new BackendSetupError('the sweep has no `opennebula:` section (themis_user is required)');
    for (const point of buildPlan(sweep).points) {
      if (!isOpenNebulaMode(point.params.mode)) {
        throw new BackendSetupError(
          `mode '${point.params.mode}' cannot run on OpenNebula (supported: ${OPENNEBULA_MODES.join(', ')})`,
        );
      }
    }
    const creds = await loadCredentials(this.env);
    const patience = { ...DEFAULT_PATIENCE, give_up_after_ms: options.outage_wait_s * 1000 };
    const client = new OneClient({ endpoint: creds.endpoint, session: creds.session, patience });
    let version: string;
    try {
      version = await client.version(signal);
    } catch (e) {
      if (e instanceof OneApiError) {
        throw new BackendSetupError(
          `OpenNebula at ${creds.endpoint} refused user '${creds.user}' (credentials from ${creds.auth_file}): ${e.message}`,
        );
      }
      throw new BackendSetupError(`cannot reach OpenNebula at ${creds.endpoint} (ONE_XMLRPC): ${errText(e)}`);
    }
    let found: Discovered;
    try {
      // A VM under test left migrating or failed (an oned restart, a --resume after an outage) is settled
      // per the sweep's policy rather than refused.
      const policy = { recover: options.recover, idle_wait_ms: options.idle_wait_s * 1000, recover_wait_ms: RECOVER_WAIT_MS };
      found = await discoverVms(client, options.themis_user, signal, (vm) => settleVm(client, vm.id, policy, signal, () => undefined));
      const hosts = (await client.hostPoolInfo(signal)).hosts;
      if (options.destinations === 'round-robin' && destinationCandidates(hosts, found.vm.host_id).length === 0) {
        throw new BackendSetupError(`no destination for VM ${found.vm.vm.id}: no other host ON in the cluster of host ${found.vm.host_id}`);
      }
      if (Array.isArray(options.destinations)) {
        const unknown = options.destinations.filter((id) => !hosts.some((h) => h.id === id));
        if (unknown.length > 0) throw new BackendSetupError(`destinations name hosts that do not exist: ${unknown.join(', ')}`);
      }
    } catch (e) {
      if (e instanceof BackendSetupError || e instanceof BackendUnavailableError) throw e;
      throw new BackendSetupError(`cannot list VMs and hosts on ${creds.endpoint}: ${errText(e)}`);
    }
    const ssh = sshSettingsOf(options, campaign.spec_dir);
    const supervisor = await this.openAgent(found.supervisor.ip, 'supervisor', options, ssh);
    let probe: ProbeKind;
    try {
      const vm = await this.openAgent(found.vm.ip, 'VM under test', options, ssh);
      try {
        probe = await chooseProbe(options.probe, supervisor, vm);
        if (probe === 'iperf3') {
          for (const [conn, role] of [[supervisor, 'supervisor'], [vm, 'VM under test']] as const) {
            if (!(await hasCommand(conn, 'iperf3'))) {
              throw new BackendSetupError(`iperf3 is not installed on the ${role} (${conn.endpoint.host}); install it there`);
            }
          }
        }
      } finally {
        vm.close();
      }
    } catch (e) {
      supervisor.close();
      throw e instanceof BackendSetupError ? e : new BackendSetupError(errText(e));
    }
    this.prepared = { client, options, found, ssh, supervisor, probe, version };
  }

  private async openAgent(host: string, role: string, o: OpenNebulaOptions, ssh: SshSettings): Promise<SshConnection> {
    try {
      return await SshConnection.open({ host, port: o.ssh.port, user: o.ssh.user }, ssh);
    } catch (e) {
      if (e instanceof HostKeyError) throw new BackendSetupError(`${role}: ${e.message}`);
      throw new BackendSetupError(`cannot reach the ${role}'s agent over SSH: ${errText(e)}`);
    }
  }

  async runTrial(trial: Trial, signal: AbortSignal): Promise<TrialResult> {
    const p = this.prepared;
    if (!p) throw new Error('opennebula backend: runTrial before prepare');
    if (!p.supervisor.alive) {
      // The supervisor's connection dropped (network blip, reboot): open it again; if that fails the trial's
      // probe start fails and says so (agent_unreachable).
      const ep = p.supervisor.endpoint;
      p.supervisor = await SshConnection.open(ep, p.ssh).catch(() => p.supervisor);
    }
    // What the sweep set that this backend does not honour (parameters.ts), as the qemu backend records it.
    const ignored_parameters = ignoredParameters(trial.params, defaultParameters());
    try {
      const r = await runOpenNebulaTrial(p, trial, signal);
      r.detail.oned_version = p.version;
      r.detail.ignored_parameters = ignored_parameters;
      // themis-prober asked for but not installed on the VMs: iperf3 measured instead.
      if (p.options.probe !== p.probe) r.detail.probe_requested = p.options.probe;
      return r;
    } catch (e) {
      // oned gone past its bound, or the VM where the policy says stop: not a trial result (the engine stops).
      if (e instanceof BackendUnavailableError) throw e;
      // A bug or a broken connection: still a row, so the campaign goes on.
      return failedTrialResult('backend_crashed', errText(e), { ignored_parameters });
    }
  }

  async dispose(): Promise<void> {
    this.prepared?.supervisor.close();
    this.prepared = null;
  }
}

/** `env` carries ONE_XMLRPC, ONE_AUTH and SSH_AUTH_SOCK; tests pass their own. */
export function createBackend(env: NodeJS.ProcessEnv = process.env): Backend {
  return new OpenNebulaBackend(env);
}
