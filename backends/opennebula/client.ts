/**
 * A small typed XML-RPC client for the OpenNebula calls Themis needs, on the `xmlrpc` package.
 * Every OpenNebula method answers an array: [ok, value-or-error-text, error-code, ...]. A refusal (ok = false)
 * becomes a OneApiError carrying OpenNebula's own message and code; transport problems stay plain errors.
 * Every call has a timeout and honours an AbortSignal, so a silent server cannot hang a campaign.
 */
import xmlrpc from 'xmlrpc';
import { OutageClock, patiently, type Patience } from './patience.js';
import { parseHostPool, parseVm, parseVmPool, type OneHost, type OneVm } from './xml.js';

import { OneApiError } from './one-error.js';
export { OneApiError, ONE_ERROR } from './one-error.js';

/** Operations of one.vm.recover (include/VirtualMachine.h: onevm recover --failure / --success / --retry). */
export const RECOVER = { FAILURE: 0, SUCCESS: 1, RETRY: 2 } as const;

/** Non-live migration types of one.vm.migrate (the last argument). */
export const MIGRATION_TYPE = { SAVE_RESTORE: 0, POWEROFF_BOOT: 1, POWEROFF_HARD_BOOT: 2 } as const;

export interface MigrateRequest {
  vm_id: number;
  host_id: number;
  live: boolean;
  enforce_capacity: boolean;
  /** -1: keep the current system datastore */
  datastore_id: number;
  /** 0 save–restore, 1 power off–boot, 2 power off hard–boot; ignored for live */
  migration_type: number;
}

type XmlRpcValue = string | number | boolean;

export interface OneClientOptions {
  endpoint: string;
  session: string;
  /** Per-call limit; default 15 s (a healthy oned answers in milliseconds) */
  call_timeout_ms?: number;
  /**
   * With it, the reads (pools, one.vm.info) are retried while oned does not answer, within these bounds, then
   * fail with BackendUnavailableError (patience.ts). Without it every call fails at once (prepare's checks).
   */
  patience?: Patience;
}

/** VM pool filters of one.vmpool.info: -2 every VM the user may see. */
const POOL_ALL = -2;
/** VM state filter: -1 any state except DONE. */
const ANY_STATE_BUT_DONE = -1;

export class OneClient {
  private readonly url: URL;
  private readonly timeoutMs: number;
  /** How long the reads waited for an unreachable oned, in total */
  readonly outage = new OutageClock();

  constructor(private readonly opts: OneClientOptions) {
    this.url = new URL(opts.endpoint);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new Error(`ONE_XMLRPC must be an http(s) URL, got ${opts.endpoint}`);
    }
    this.timeoutMs = opts.call_timeout_ms ?? 15_000;
  }

  get endpoint(): string {
    return this.opts.endpoint;
  }

  /** One raw call; resolves with the value of a successful answer, rejects with OneApiError on a refusal. */
  async call(method: string, args: XmlRpcValue[], signal?: AbortSignal): Promise<XmlRpcValue> {
    const signals = [AbortSignal.timeout(this.timeoutMs)];
    if (signal) signals.push(signal);
    const combined = AbortSignal.any(signals);
    const secure = this.url.protocol === 'https:';
    // A client per call: the request options (and so the abort signal) are fixed when a client is made.
    const options = {
      host: this.url.hostname,
      port: Number(this.url.port || (secure ? 443 : 80)),
      path: this.url.pathname + this.url.search,
      signal: combined,
    };
    const client = secure ? xmlrpc.createSecureClient(options) : xmlrpc.createClient(options);
    const answer = await new Promise<unknown>((resolve, reject) => {
      client.methodCall(method, [this.opts.session, ...args], (err: unknown, value: unknown) => {
        if (err) {
          const e = err as Error;
          if (combined.aborted) {
            const why = signal?.aborted ? 'aborted' : `no answer within ${this.timeoutMs} ms`;
            reject(new Error(`${method} to ${this.opts.endpoint}: ${why}`));
          } else reject(new Error(`${method} to ${this.opts.endpoint} failed: ${e.message}`));
        } else resolve(value);
      });
    });
    if (!Array.isArray(answer) || typeof answer[0] !== 'boolean') {
      throw new Error(`${method}: unexpected answer ${JSON.stringify(answer).slice(0, 200)}`);
    }
    if (!answer[0]) {
      const code = typeof answer[2] === 'number' ? answer[2] : 0;
      throw new OneApiError(method, code, String(answer[1]));
    }
    return answer[1] as XmlRpcValue;
  }

  async version(signal?: AbortSignal): Promise<string> {
    return String(await this.call('one.system.version', [], signal));
  }

  /** Every non-DONE VM the user may see. This reduced template lacks CONTEXT: read it with vmInfo. */
  /** A read: retried while oned does not answer when the client has patience. */
  private async read(method: string, args: XmlRpcValue[], signal?: AbortSignal): Promise<XmlRpcValue> {
    const p = this.opts.patience;
    if (!p) return this.call(method, args, signal);
    return patiently(method, this.opts.endpoint, p, this.outage, signal, () => this.call(method, args, signal));
  }

  async vmPoolInfo(signal?: AbortSignal): Promise<{ xml: string; vms: OneVm[] }> {
    const xml = String(await this.read('one.vmpool.info', [POOL_ALL, -1, -1, ANY_STATE_BUT_DONE], signal));
    return { xml, vms: parseVmPool(xml) };
  }

  async vmInfoXml(vmId: number, signal?: AbortSignal): Promise<string> {
    return String(await this.read('one.vm.info', [vmId, false], signal));
  }

  async vmInfo(vmId: number, signal?: AbortSignal): Promise<OneVm> {
    return parseVm(await this.vmInfoXml(vmId, signal));
  }

  async hostPoolInfo(signal?: AbortSignal): Promise<{ xml: string; hosts: OneHost[] }> {
    const xml = String(await this.read('one.hostpool.info', [], signal));
    return { xml, hosts: parseHostPool(xml) };
  }

  async migrate(req: MigrateRequest, signal?: AbortSignal): Promise<void> {
    await this.call(
      'one.vm.migrate',
      [req.vm_id, req.host_id, req.live, req.enforce_capacity, req.datastore_id, req.migration_type],
      signal,
    );
  }

  /** one.vm.recover with operation 0 (failure): tells oned the pending action failed, so the VM returns to its source. */
  async recoverAsFailed(vmId: number, signal?: AbortSignal): Promise<void> {
    await this.recover(vmId, RECOVER.FAILURE, signal);
  }

  /** one.vm.recover with one of its operations (RECOVER). */
  async recover(vmId: number, operation: number, signal?: AbortSignal): Promise<void> {
    await this.call('one.vm.recover', [vmId, operation], signal);
  }
}
