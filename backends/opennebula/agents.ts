/**
 * The probe agents over SSH: an iperf3 server on the VM under test and an iperf3 UDP stream on the supervisor
 * that receives from it. Commands print their shell's PID before `exec`, so the stream is stopped with a plain
 * `kill -INT <pid>` (no reliance on SSH signal requests), and iperf3 then writes its JSON report.
 */
import { sleep } from '../../core/async.js';
import type { SshConnection, RunningCommand } from './ssh.js';
import { iperf3ClientArgs, iperf3Settings, parseIperf3, type ProbeSummary } from './iperf3.js';

/** Single-quotes a word for the remote POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_.,:/=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const withPid = (args: string[]) => `echo $$; exec ${args.map(shellQuote).join(' ')}`;

function pidOf(out: string): number | null {
  const m = /^(\d+)\s*\n/.exec(out);
  return m ? Number(m[1]) : null;
}

async function until<T>(what: string, timeout_ms: number, step: () => T | null | Promise<T | null>): Promise<T> {
  const end = Date.now() + timeout_ms;
  for (;;) {
    const v = await step();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeout_ms} ms`);
    await sleep(50);
  }
}

export interface ProbeEndpoints {
  vm_ip: string;
  /** The supervisor's own address, to bind the stream to (null: let the kernel choose) */
  supervisor_ip: string | null;
  port: number;
}

/** Whether a command exists on an agent host. */
export async function hasCommand(conn: SshConnection, name: string): Promise<boolean> {
  const r = await conn.exec(`command -v ${shellQuote(name)} >/dev/null 2>&1`, 10_000);
  return r.code === 0;
}

/**
 * Makes sure an iperf3 server listens on the VM: starts a one-off one (`-1`), or finds that one already
 * listens (the on-boot agent of a cold-migrated VM). Returns the PID Themis started, or null.
 */
export async function ensureVmServer(vm: SshConnection, ep: ProbeEndpoints, timeout_ms: number): Promise<number | null> {
  const run = vm.start(withPid(['iperf3', '-s', '-1', '--forceflush', '-B', ep.vm_ip, '-p', String(ep.port)]));
  let exited = false;
  void run.result.then(
    () => (exited = true),
    () => (exited = true),
  );
  let state: 'ours' | 'exited';
  try {
    state = await until(`iperf3 server on ${ep.vm_ip}:${ep.port}`, timeout_ms, () => {
      if (/Server listening/.test(run.stdout)) return 'ours' as const;
      if (exited) return 'exited' as const;
      return null;
    });
  } catch (e) {
    // Do not leave a half-started server behind.
    await stopVmServer(vm, pidOf(run.stdout));
    run.close();
    throw e;
  }
  if (state === 'ours') return pidOf(run.stdout);
  const r = await run.result;
  if (/in use/i.test(r.stdout + r.stderr)) return null; // an agent already listens there
  throw new Error(`iperf3 server on the VM did not start: ${(r.stdout + r.stderr).trim().slice(0, 300)}`);
}

/** A running probe stream; `stop` ends it and gives its summary. */
export class ProbeStream {
  private constructor(
    private readonly supervisor: SshConnection,
    private readonly run: RunningCommand,
    private readonly pid: number,
    /** performance.now() when the stream was started */
    readonly started_at: number,
  ) {}

  static async start(supervisor: SshConnection, ep: ProbeEndpoints, probe_interval_ms: number, max_s: number): Promise<ProbeStream> {
    const settings = iperf3Settings(probe_interval_ms);
    const started_at = performance.now();
    const run = supervisor.start(withPid(iperf3ClientArgs(ep.vm_ip, ep.supervisor_ip, ep.port, settings, max_s)));
    const pid = await until('iperf3 stream on the supervisor', 10_000, () => pidOf(run.stdout));
    return new ProbeStream(supervisor, run, pid, started_at);
  }

  /** Stops the stream (SIGINT: iperf3 then prints its report) and parses what it saw. */
  async stop(timeout_ms: number): Promise<ProbeSummary> {
    await this.supervisor.exec(`kill -INT ${this.pid} 2>/dev/null; true`, timeout_ms);
    const timer = setTimeout(() => this.run.close(), timeout_ms);
    let r;
    try {
      r = await this.run.result;
    } finally {
      clearTimeout(timer);
    }
    const json = r.stdout.replace(/^\d+\s*\n/, '');
    if (json.trim() === '') throw new Error(`iperf3 on the supervisor printed no report: ${r.stderr.trim().slice(0, 300)}`);
    return parseIperf3(json);
  }
}

/** Stops a one-off server Themis started on the VM (it may have ended already). */
export async function stopVmServer(vm: SshConnection, pid: number | null): Promise<void> {
  if (pid === null) return;
  // Wait until it is gone, so the next trial's server can bind the port again.
  const script = `kill ${pid} 2>/dev/null; i=0; while kill -0 ${pid} 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; kill -9 ${pid} 2>/dev/null; true`;
  await vm.exec(script, 10_000).catch(() => undefined);
}
