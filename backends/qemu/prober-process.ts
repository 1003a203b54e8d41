/**
 * Runs the C prober in the supervisor namespace for one trial and reads its record back.
 * While it runs, its "alive" lines tell the backend when the guest last answered (to wait for the VM to
 * be heard again after a move without polling anything else).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { monoMs, sleep } from '../shared/exec.js';
import { parseProberFile, type ProbeSample } from '../shared/probes.js';
import type { TcpProbeProcess } from './tcp-probe-process.js';
import { onProbeLines } from './probe-lines.js';

export const liveProberPids = new Set<number>();

export class ProberProcess {
  /** The TCP probe running beside this prober for the same trial (started, folded and stopped with it) */
  tcp: TcpProbeProcess | null = null;
  private proc: ChildProcess | null = null;
  private lastReplyMono = 0;
  private firstReplyMono = 0;
  private doneSeen = false;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  /** How the prober ended before stop() asked it to (killed, crashed), or null while it runs or once stopped. */
  private earlyExit: string | null = null;

  constructor(
    private readonly binary: string,
    private readonly namespace: string,
    private readonly target_ip: string,
    private readonly interval_ms: number,
    private readonly max_s: number,
    private readonly out_file: string,
  ) {}

  start(): void {
    const interval_us = String(Math.max(10, Math.round(this.interval_ms * 1000)));
    const proc = spawn(
      'ip',
      ['netns', 'exec', this.namespace, this.binary, this.target_ip, '7', interval_us, String(this.max_s), this.out_file],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    this.proc = proc;
    if (proc.pid) liveProberPids.add(proc.pid);
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        if (proc.pid) liveProberPids.delete(proc.pid);
        if (!this.stopping) this.earlyExit = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      proc.on('error', () => resolve());
    });
    onProbeLines(proc.stdout, (kind, t) => {
      if (kind === 'first') this.firstReplyMono = t;
      if (kind === 'first' || kind === 'alive') this.lastReplyMono = Math.max(this.lastReplyMono, t);
      if (kind === 'done') this.doneSeen = true;
    });
  }

  /** The process id (`ip netns exec` execs the prober itself), for tests that kill it. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /**
   * Set when the prober ended on its own mid-trial (e.g. killed): its record is lost (it writes its file at
   * the end), so the trial's outage was not measured and the prober can no longer tell whether the guest answers.
   */
  get exitedEarly(): string | null {
    return this.earlyExit;
  }

  /** True once a reply arrived after `afterMono`; false when `timeout_ms` passes first or the prober is gone. */
  async waitReply(afterMono: number, timeout_ms: number): Promise<boolean> {
    const deadline = monoMs() + timeout_ms;
    while (monoMs() < deadline && this.earlyExit === null) {
      if (this.lastReplyMono > afterMono) return true;
      await sleep(10);
    }
    return this.lastReplyMono > afterMono;
  }

  get lastReplyAtMono(): number {
    return this.lastReplyMono;
  }

  /** Stops probing and returns every probe of the run. */
  async stop(): Promise<{ interval_ms: number; samples: ProbeSample[] }> {
    this.stopping = true;
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGTERM');
    const finished = await Promise.race([this.exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!finished) this.proc?.kill('SIGKILL');
    try {
      const text = await readFile(this.out_file, 'utf8');
      return parseProberFile(text);
    } catch {
      return { interval_ms: this.interval_ms, samples: [] };
    } finally {
      await rm(this.out_file, { force: true });
      void this.doneSeen;
    }
  }
}

export function killAllProbersSync(): void {
  for (const pid of liveProberPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  liveProberPids.clear();
}
