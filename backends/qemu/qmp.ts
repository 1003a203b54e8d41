/**
 * A small typed QMP client: JSON lines over a unix socket. Commands are matched to replies by id; events are
 * timestamped on arrival (monotonic ms) and kept for the trial's `events` rows. Every command has a timeout.
 */
import net from 'node:net';
import { monoMs, sleep } from '../shared/exec.js';

export interface QmpEvent {
  t_mono_ms: number;
  event: string;
  data: Record<string, unknown> | null;
}

export class QmpError extends Error {
  override readonly name = 'QmpError';
  constructor(
    readonly command: string,
    readonly errorClass: string,
    desc: string,
  ) {
    super(`QMP ${command}: ${errorClass}: ${desc}`);
  }
}

/** The part of query-migrate's answer Themis reads (QEMU 10, qapi/migration.json MigrationInfo). */
export interface MigrationInfo {
  status?: string;
  'total-time'?: number;
  'expected-downtime'?: number;
  downtime?: number;
  'setup-time'?: number;
  'cpu-throttle-percentage'?: number;
  'error-desc'?: string;
  ram?: {
    transferred: number;
    remaining: number;
    total: number;
    duplicate: number;
    normal: number;
    'normal-bytes': number;
    'dirty-pages-rate': number;
    mbps: number;
    'dirty-sync-count': number;
    'postcopy-requests': number;
    'page-size': number;
    'precopy-bytes'?: number;
    'downtime-bytes'?: number;
    'postcopy-bytes'?: number;
  };
}

/**
 * The longest QMP line accepted (1 MiB): QEMU's replies and events are a few kB (query-migrate < 2 kB); a longer
 * line without its newline is a broken peer, and the buffer must not grow without bound.
 */
export const MAX_QMP_LINE = 1 << 20;

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class QmpClient {
  readonly events: QmpEvent[] = [];
  private sock: net.Socket | null = null;
  private buf = '';
  private nextId = 1;
  private pending = new Map<string, Pending>();
  private closed = false;
  private listeners: ((e: QmpEvent) => void)[] = [];

  /** Connects (retrying while QEMU creates the socket) and negotiates capabilities. */
  static async connect(socketPath: string, timeout_ms = 15_000): Promise<QmpClient> {
    const deadline = monoMs() + timeout_ms;
    let lastErr: unknown = null;
    while (monoMs() < deadline) {
      const c = new QmpClient();
      try {
        await c.open(socketPath, Math.max(500, deadline - monoMs()));
        await c.execute('qmp_capabilities', {}, 5_000);
        return c;
      } catch (e) {
        lastErr = e;
        c.close();
        await sleep(50);
      }
    }
    throw new Error(`QMP connect ${socketPath}: ${(lastErr as Error | null)?.message ?? 'timeout'}`);
  }

  private open(socketPath: string, timeout_ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(socketPath);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error('QMP greeting timeout'));
      }, timeout_ms);
      let greeted = false;
      sock.setEncoding('utf8');
      sock.on('data', (chunk: string) => {
        this.buf += chunk;
        if (this.buf.length > MAX_QMP_LINE && this.buf.lastIndexOf('\n') < this.buf.length - MAX_QMP_LINE) {
          sock.destroy(new Error(`QMP line longer than ${MAX_QMP_LINE} bytes`));
          return;
        }
        let nl: number;
        while ((nl = this.buf.indexOf('\n')) >= 0) {
          const line = this.buf.slice(0, nl).trim();
          this.buf = this.buf.slice(nl + 1);
          if (!line) continue;
          let msg: Record<string, unknown>;
          try {
            msg = JSON.parse(line) as Record<string, unknown>;
            if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error('not an object');
          } catch {
            // Not QMP: the commands waiting cannot trust what follows (their reply may be this line).
            this.failAll(new Error(`unparsable QMP line: ${line.slice(0, 80)}`), 'ProtocolError');
            continue;
          }
          if (!greeted && 'QMP' in msg) {
            greeted = true;
            clearTimeout(timer);
            resolve();
            continue;
          }
          this.dispatch(msg);
        }
      });
      sock.on('error', (e) => {
        clearTimeout(timer);
        this.closed = true;
        if (!greeted) reject(e);
        this.failAll(e);
      });
      sock.on('close', () => {
        clearTimeout(timer);
        this.closed = true;
        if (!greeted) reject(new Error('QMP socket closed before greeting'));
        this.failAll(new Error('QMP socket closed'));
      });
      this.sock = sock;
    });
  }

  private dispatch(msg: Record<string, unknown>): void {
    if (typeof msg.event === 'string') {
      const e: QmpEvent = { t_mono_ms: monoMs(), event: msg.event, data: (msg.data as Record<string, unknown>) ?? null };
      this.events.push(e);
      for (const l of this.listeners) l(e);
      return;
    }
    const id = String(msg.id ?? '');
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const err = msg.error as { class?: string; desc?: string };
      p.reject(new QmpError(p.command, err.class ?? 'Error', err.desc ?? ''));
    } else p.resolve(msg.return);
  }

  private failAll(e: Error, errorClass = 'Disconnected'): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new QmpError(p.command, errorClass, e.message));
      this.pending.delete(id);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Waits for an event matching `pred` that arrives after `sinceMono` (or already arrived since then). */
  waitEvent(pred: (e: QmpEvent) => boolean, timeout_ms: number, sinceMono = 0): Promise<QmpEvent | null> {
    const seen = this.events.find((e) => e.t_mono_ms >= sinceMono && pred(e));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const off = this.onEvent((e) => {
        if (pred(e)) {
          clearTimeout(timer);
          off();
          resolve(e);
        }
      });
      const timer = setTimeout(() => {
        off();
        resolve(null);
      }, timeout_ms);
    });
  }

  execute<T = unknown>(command: string, args: Record<string, unknown> = {}, timeout_ms = 10_000): Promise<T> {
    if (!this.sock || this.closed) return Promise.reject(new QmpError(command, 'Disconnected', 'not connected'));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpError(command, 'Timeout', `no reply in ${timeout_ms} ms`));
      }, timeout_ms);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      const msg: Record<string, unknown> = { execute: command, id };
      if (Object.keys(args).length > 0) msg.arguments = args;
      this.sock!.write(JSON.stringify(msg) + '\n');
    });
  }

  // --- typed helpers for what the backend uses

  setCapabilities(caps: Record<string, boolean>): Promise<unknown> {
    return this.execute('migrate-set-capabilities', {
      capabilities: Object.entries(caps).map(([capability, state]) => ({ capability, state })),
    });
  }

  setParameters(params: Record<string, number | boolean | string>): Promise<unknown> {
    return this.execute('migrate-set-parameters', params);
  }

  queryMigrate(): Promise<MigrationInfo> {
    return this.execute<MigrationInfo>('query-migrate', {}, 5_000);
  }

  async queryStatus(): Promise<{ running: boolean; status: string }> {
    return this.execute<{ running: boolean; status: string }>('query-status', {}, 5_000);
  }

  close(): void {
    this.closed = true;
    this.sock?.destroy();
    this.sock = null;
    this.failAll(new Error('closed'));
  }
}
