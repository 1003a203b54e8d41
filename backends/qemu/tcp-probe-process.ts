/**
 * Runs the TCP probe (backends/shared/prober/tcpprobe.c) in the supervisor namespace for one trial, beside the
 * UDP prober, and reads its record back. Its "alive" lines say when the connection last made progress, so the
 * trial can wait (bounded) for TCP to recover after the network did — retransmission back-off makes that later.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { monoMs, sleep } from '../shared/exec.js';
import { parseTcpProbeFile, type TcpProbeRecord } from '../shared/tcp-probes.js';
import { liveProberPids } from './prober-process.js';
import { onProbeLines } from './probe-lines.js';

/** The probe's message cadence: a small write every few ms. */
export const TCP_PROBE_INTERVAL_MS = 5;
/** The guest responder's port (UDP echo and TCP sink share it). */
const RESPONDER_PORT = '7';

export class TcpProbeProcess {
  private proc: ChildProcess | null = null;
  private lastProgressMono = 0;
  private connectedMono = 0;
  /** When the guest ended the connection (a reboot): nothing to wait for any more */
  resetMono = 0;
  /** False for cold moves: the guest reboots and forgets the connection */
  survivesMove = true;
  private exited: Promise<void> = Promise.resolve();
  stderr = '';

  constructor(
    private readonly binary: string,
    private readonly namespace: string,
    private readonly target_ip: string,
    private readonly max_s: number,
    private readonly out_file: string,
  ) {}

  start(): void {
    const args = ['netns', 'exec', this.namespace, this.binary, this.target_ip, RESPONDER_PORT, String(TCP_PROBE_INTERVAL_MS * 1000), String(this.max_s), this.out_file];
    const proc = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    if (proc.pid) liveProberPids.add(proc.pid);
    this.exited = new Promise((resolve) => {
      proc.on('exit', () => {
        if (proc.pid) liveProberPids.delete(proc.pid);
        resolve();
      });
      proc.on('error', () => resolve());
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      if (this.stderr.length < 2_000) this.stderr += d;
    });
    onProbeLines(proc.stdout, (kind, t) => {
      if (kind === 'connected') this.connectedMono = t;
      if (kind === 'connected' || kind === 'alive') this.lastProgressMono = Math.max(this.lastProgressMono, t);
      if (kind === 'reset') this.resetMono = t;
    });
  }

  /** True once the connection is up (bounded). */
  async waitConnected(timeout_ms: number): Promise<boolean> {
    const deadline = monoMs() + timeout_ms;
    while (monoMs() < deadline && this.connectedMono === 0 && this.proc?.exitCode === null) await sleep(10);
    return this.connectedMono > 0;
  }

  /** True once the connection made progress after `afterMono`; false when `timeout_ms` passes first. */
  async waitProgress(afterMono: number, timeout_ms: number): Promise<boolean> {
    const deadline = monoMs() + timeout_ms;
    while (monoMs() < deadline) {
      if (this.lastProgressMono > afterMono) return true;
      if (this.proc?.exitCode !== null || this.resetMono > 0) return false;
      await sleep(10);
    }
    return this.lastProgressMono > afterMono;
  }

  async stop(): Promise<TcpProbeRecord | null> {
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGTERM');
    const finished = await Promise.race([this.exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!finished) this.proc?.kill('SIGKILL');
    try {
      return parseTcpProbeFile(await readFile(this.out_file, 'utf8'));
    } catch {
      return null;
    } finally {
      await rm(this.out_file, { force: true });
    }
  }
}
