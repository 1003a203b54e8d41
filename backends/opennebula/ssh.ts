/**
 * SSH connections to the probe agents (ssh2): key authentication from the SSH agent or a key file, host keys
 * checked against known_hosts (unknown or changed keys refused unless new ones are explicitly accepted), and an
 * optional jump host (the front-end) through which the VM and the supervisor are reached.
 */
import { readFile } from 'node:fs/promises';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import {
  appendKnownHost,
  hostKeyAlgorithmsFor,
  knownHostsName,
  loadKnownHosts,
  verifyHostKey,
  type HostKeyVerdict,
} from './known-hosts.js';

export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
}

export interface SshSettings {
  /** Private key file; when absent the SSH agent at SSH_AUTH_SOCK is used. */
  key_file?: string;
  known_hosts: string;
  accept_new_host_keys: boolean;
  jump?: SshEndpoint;
  connect_timeout_ms: number;
}

/** A host key that known_hosts does not vouch for. */
export class HostKeyError extends Error {
  override readonly name = 'HostKeyError';
  constructor(
    readonly host: string,
    readonly verdict: HostKeyVerdict,
    message: string,
  ) {
    super(message);
  }
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Parses `user@host[:port]` (e.g. the jump host option). */
export function parseEndpoint(text: string, defaultUser: string, defaultPort = 22): SshEndpoint {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a user@host[:port]: ${text}`);
  return { user: m[1] ?? defaultUser, host: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : defaultPort };
}

async function authConfig(s: SshSettings): Promise<Pick<ConnectConfig, 'privateKey' | 'agent'>> {
  if (s.key_file) {
    try {
      return { privateKey: await readFile(s.key_file) };
    } catch (e) {
      throw new Error(`cannot read SSH key file ${s.key_file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  const agent = process.env.SSH_AUTH_SOCK;
  if (!agent) throw new Error('no SSH key: set ssh.key_file in the sweep or run an SSH agent (SSH_AUTH_SOCK)');
  return { agent };
}

async function openClient(ep: SshEndpoint, s: SshSettings, sock?: ClientChannel): Promise<Client> {
  const entries = await loadKnownHosts(s.known_hosts);
  const name = knownHostsName(ep.host, ep.port);
  const algos = hostKeyAlgorithmsFor(entries, name);
  let refusal: HostKeyError | null = null;
  const client = new Client();
  const config: ConnectConfig = {
    host: ep.host,
    port: ep.port,
    username: ep.user,
    ...(await authConfig(s)),
    readyTimeout: s.connect_timeout_ms,
    ...(sock ? { sock } : {}),
    ...(algos.length > 0 ? { algorithms: { serverHostKey: algos as never } } : {}),
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      const verdict = verifyHostKey(entries, name, key);
      if (verdict === 'match') return verify(true);
      if (verdict === 'unknown' && s.accept_new_host_keys) {
        appendKnownHost(s.known_hosts, name, key).then(
          () => verify(true),
          () => verify(false),
        );
        return;
      }
      refusal = new HostKeyError(
        name,
        verdict,
        verdict === 'unknown'
          ? `host key of ${name} is not in ${s.known_hosts}; add it (ssh-keyscan) or set ssh.accept_new_host_keys: true`
          : verdict === 'changed'
            ? `host key of ${name} CHANGED from the one in ${s.known_hosts}: refusing to connect (possible man-in-the-middle)`
            : `host key of ${name} is marked @revoked in ${s.known_hosts}`,
      );
      verify(false);
    },
  };
  return new Promise<Client>((resolve, reject) => {
    const fail = (e: Error) => {
      client.end();
      reject(refusal ?? new Error(`SSH to ${ep.user}@${name}: ${e.message}`));
    };
    client.once('ready', () => {
      client.removeListener('error', fail);
      // Later errors (a dropped connection) surface through the pending exec, not as an unhandled event.
      client.on('error', () => undefined);
      resolve(client);
    });
    client.once('error', fail);
    client.connect(config);
  });
}

/** One authenticated SSH connection to an agent host (through the jump host when one is set). */
export class SshConnection {
  private closed = false;

  private constructor(
    readonly endpoint: SshEndpoint,
    private readonly client: Client,
    private readonly jump: Client | null,
  ) {
    client.once('close', () => (this.closed = true));
    jump?.once('close', () => (this.closed = true));
  }

  /** False once the connection (or its jump host's) has closed, e.g. the host rebooted. */
  get alive(): boolean {
    return !this.closed;
  }

  static async open(ep: SshEndpoint, s: SshSettings): Promise<SshConnection> {
    if (!s.jump) return new SshConnection(ep, await openClient(ep, s), null);
    const jump = await openClient(s.jump, s);
    try {
      const stream = await new Promise<ClientChannel>((resolve, reject) => {
        jump.forwardOut('127.0.0.1', 0, ep.host, ep.port, (err, ch) => (err ? reject(err) : resolve(ch)));
      });
      return new SshConnection(ep, await openClient(ep, s, stream), jump);
    } catch (e) {
      jump.end();
      if (e instanceof HostKeyError) throw e;
      throw new Error(`SSH to ${ep.host}:${ep.port} through ${s.jump.host}: ${(e as Error).message}`);
    }
  }

  /** Starts a command; the handle gives its output when it exits. */
  start(command: string): RunningCommand {
    return new RunningCommand(this.client, command);
  }

  /** Runs a command to its end, or kills the channel after timeout_ms. */
  async exec(command: string, timeout_ms: number): Promise<ExecResult> {
    const run = this.start(command);
    const timer = setTimeout(() => run.close(), timeout_ms);
    try {
      const r = await run.result;
      if (r.code === null && r.signal === null) throw new Error(`'${command}' on ${this.endpoint.host}: no answer within ${timeout_ms} ms`);
      return r;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.closed = true;
    this.client.end();
    this.jump?.end();
  }
}

/** A command running over SSH; `result` settles when the channel closes. */
export class RunningCommand {
  readonly result: Promise<ExecResult>;
  private channel: ClientChannel | null = null;
  private closed = false;
  private stdoutText = '';

  constructor(client: Client, command: string) {
    this.result = new Promise<ExecResult>((resolve, reject) => {
      client.exec(command, (err, ch) => {
        if (err) return reject(new Error(`exec '${command}': ${err.message}`));
        this.channel = ch;
        if (this.closed) ch.close();
        let stderr = '';
        let code: number | null = null;
        let signal: string | null = null;
        ch.on('data', (d: Buffer) => (this.stdoutText += d.toString('utf8')));
        ch.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        ch.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s ?? null;
        });
        ch.on('close', () => resolve({ code, signal, stdout: this.stdoutText, stderr }));
      });
    });
  }

  /** What the command printed so far. */
  get stdout(): string {
    return this.stdoutText;
  }

  close(): void {
    this.closed = true;
    this.channel?.close();
  }
}
