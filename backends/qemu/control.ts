/**
 * The control channel to the guest's agent: line commands over the VM's second serial port, which QEMU exposes
 * as a unix socket. Used to set the workload and to read back the memory verification.
 */
import net from 'node:net';
import { until } from '../../core/until.js';
import { monoMs } from '../shared/exec.js';

export interface WorkloadCommand {
  working_set_mib: number;
  dirty_rate_pages_s: number;
  dirty_pattern: 'sequential' | 'uniform' | 'hotcold';
  hot_set_share: number;
  hot_write_share: number;
  seed: number;
}

export interface VerifyReport {
  pages: number;
  bad: number;
  first_bad: number;
  sum: string;
  dirtied: number;
  verify_ms: number;
}

/** Parses `key=value` fields of an agent reply. */
export function parseFields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tok of line.split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) out[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  return out;
}

export function workloadLine(w: WorkloadCommand): string {
  return (
    `set ws_mib=${w.working_set_mib} rate=${w.dirty_rate_pages_s} pattern=${w.dirty_pattern} ` +
    `hot=${w.hot_set_share} hotw=${w.hot_write_share} seed=${w.seed >>> 0}`
  );
}

export function parseVerify(line: string): VerifyReport | null {
  if (!line.startsWith('ok verify')) return null;
  const f = parseFields(line);
  return {
    pages: Number(f.pages),
    bad: Number(f.bad),
    first_bad: Number(f.first_bad),
    sum: f.sum ?? '',
    dirtied: Number(f.dirtied),
    verify_ms: Number(f.verify_ms),
  };
}

export class GuestControl {
  private lines: string[] = [];
  private waiters: (() => void)[] = [];
  private buf = '';
  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).replace(/\r$/, '').trim();
        this.buf = this.buf.slice(nl + 1);
        if (line) this.lines.push(line);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(socketPath: string, timeout_ms = 10_000): Promise<GuestControl> {
    const sock = await until(`guest control ${socketPath}`, timeout_ms, () =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.createConnection(socketPath);
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      }), 50);
    return new GuestControl(sock);
  }

  /** Sends a command and returns the first reply line starting with `expect` (or 'err'); null on timeout. */
  async request(command: string, expect: string, timeout_ms: number): Promise<string | null> {
    this.lines = [];
    this.sock.write(command + '\n');
    const deadline = monoMs() + timeout_ms;
    for (;;) {
      const hit = this.lines.find((l) => l.startsWith(expect) || l.startsWith('err'));
      if (hit) return hit;
      const left = deadline - monoMs();
      if (left <= 0 || this.sock.destroyed) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Pings until the agent answers (it starts a moment after the kernel); false on timeout. */
  async waitReady(timeout_ms: number): Promise<boolean> {
    const deadline = monoMs() + timeout_ms;
    while (monoMs() < deadline) {
      if ((await this.request('ping', 'ok pong', Math.min(500, Math.max(50, deadline - monoMs())))) !== null) return true;
      if (this.sock.destroyed) return false;
    }
    return false;
  }

  close(): void {
    this.sock.destroy();
  }
}
