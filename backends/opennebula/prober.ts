/**
 * The project's own fine-grained prober, used when it is installed on the VMs: `themis-responder` on the VM under
 * test echoes UDP probes; `themis-prober` on the supervisor sends one every probe interval (down to µs) and records
 * each reply's time (backends/shared/prober). Its record is analysed by the same pure code as the qemu backend's.
 * The prober's clock is the supervisor's CLOCK_MONOTONIC: it is placed on the trial's timeline by its first
 * probe, sent when the stream started (the error is the SSH start-up latency, a few ms).
 */
import { randomBytes } from 'node:crypto';
import { sleep } from '../../core/async.js';
import { until } from '../../core/until.js';
import { parseProberFile, summarizeProbes } from '../shared/probes.js';
import { hasCommand, shellQuote } from './agents.js';
import type { RunningCommand, SshConnection } from './ssh.js';
import type { ProbeResult } from './probe.js';

const withPid = (args: string[]) => `echo $$; exec ${args.map(shellQuote).join(' ')}`;
const pidOf = (out: string) => {
  const m = /^(\d+)\s*\n/.exec(out);
  return m ? Number(m[1]) : null;
};

export async function proberInstalled(supervisor: SshConnection, vm: SshConnection): Promise<boolean> {
  return (await hasCommand(supervisor, 'themis-prober')) && (await hasCommand(vm, 'themis-responder'));
}

/**
 * Starts a responder on the VM unless one already answers on the port (the agent started on boot).
 * Returns the PID Themis started, or null.
 */
export async function ensureResponder(vm: SshConnection, port: number): Promise<number | null> {
  const run = vm.start(withPid(['themis-responder', String(port)]));
  let ended = false;
  void run.result.then(() => (ended = true), () => (ended = true));
  const end = Date.now() + 10_000;
  while (pidOf(run.stdout) === null && !ended) {
    if (Date.now() > end) {
      run.close();
      throw new Error('themis-responder did not start on the VM');
    }
    await sleep(50);
  }
  // A responder that cannot bind exits at once; one that runs stays silent.
  await sleep(300);
  if (!ended) return pidOf(run.stdout);
  const r = await run.result;
  if (/in use/i.test(r.stderr + r.stdout)) return null;
  throw new Error(`themis-responder on the VM did not start: ${(r.stderr + r.stdout).trim().slice(0, 300)}`);
}

export class ProberStream {
  private constructor(
    private readonly supervisor: SshConnection,
    private readonly run: RunningCommand,
    private readonly pid: number,
    private readonly outFile: string,
    readonly started_at: number,
  ) {}

  static async start(supervisor: SshConnection, vm_ip: string, port: number, interval_ms: number, max_s: number): Promise<ProberStream> {
    const outFile = `/tmp/themis-probe-${randomBytes(6).toString('hex')}.txt`;
    const interval_us = Math.max(10, Math.round(interval_ms * 1000));
    const started_at = performance.now();
    const run = supervisor.start(withPid(['themis-prober', vm_ip, String(port), String(interval_us), String(Math.ceil(max_s)), outFile]));
    const pid = await until('themis-prober starting on the supervisor', 10_000, async () => pidOf(run.stdout), 50);
    return new ProberStream(supervisor, run, pid, outFile, started_at);
  }

  /** Stops the prober, fetches its record and places it on the timeline of a request made at `t0` (performance.now()). */
  async stop(t0: number, timeout_ms: number): Promise<ProbeResult> {
    await this.supervisor.exec(`kill -INT ${this.pid} 2>/dev/null; true`, timeout_ms);
    const timer = setTimeout(() => this.run.close(), timeout_ms);
    try {
      await this.run.result;
    } finally {
      clearTimeout(timer);
    }
    const file = await this.supervisor.exec(`cat ${shellQuote(this.outFile)}; rm -f ${shellQuote(this.outFile)}`, timeout_ms);
    if (file.code !== 0) throw new Error(`themis-prober wrote no record: ${file.stderr.trim().slice(0, 300)}`);
    const { interval_ms, samples } = parseProberFile(file.stdout);
    if (samples.length === 0) throw new Error('themis-prober sent no probe');
    const origin_ms = samples[0].send_ms + (t0 - this.started_at);
    const s = summarizeProbes(samples, interval_ms, origin_ms);
    const last = samples[samples.length - 1].send_ms;
    const tail = samples.filter((x) => x.send_ms > last - 300);
    return {
      probe: 'themis-prober',
      outage_ms: s.outage_ms,
      loss_pct: s.loss_pct,
      rtt_p50_ms: s.rtt_p50_ms,
      rtt_p99_ms: s.rtt_p99_ms,
      gaps: s.gaps.map((g) => ({ ...g, probe: 'themis-prober' })),
      packets_received: s.received,
      flowing: tail.some((x) => x.recv_ms !== null),
      error: null,
    };
  }
}
