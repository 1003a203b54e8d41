/**
 * A real single-node Slurm for a test: deploy/slurm/local-cluster.sh (munged with its own key and socket,
 * slurmctld -D, slurmd -D, a generated slurm.conf, free ports, all state in one temp folder), started as a
 * child in its own process group and stopped — jobs cancelled, daemons killed, folder removed — by `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const LOCAL_CLUSTER = resolve('deploy/slurm/local-cluster.sh');

export interface SlurmCluster {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** a Slurm client command (sbatch, squeue, scontrol…) against this cluster */
  client(command: string, args: string[], cwd?: string): { code: number | null; stdout: string; stderr: string };
  /** the daemons' logs, for a failure message */
  logs(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** Why this machine cannot run the cluster, or null when it can. */
export function slurmMissing(): string | null {
  if (process.getuid?.() !== 0) return 'not root (slurmd and munged run as root)';
  for (const b of ['munged', 'slurmctld', 'slurmd', 'sbatch']) {
    if (spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0) return `${b} not installed (scripts/install-system-packages.sh deploy)`;
  }
  return null;
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`local-cluster.sh: not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (/^ready SLURM_CONF=/m.test(out)) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`local-cluster.sh exited with ${code} before it was ready:\n${out}`));
    });
  });
}

export async function startSlurm(): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-slurm-'));
  chmodSync(dir, 0o755); // munged: its socket's folders must be searchable by every client
  const clusterDir = join(dir, 'cluster');
  const [ctld, slurmd] = [await freePort(), await freePort()];
  const child = spawn('bash', [LOCAL_CLUSTER, clusterDir], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SLURMCTLD_PORT: String(ctld), SLURMD_PORT: String(slurmd) },
  });
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: join(clusterDir, 'slurm.conf') };
  const client = (command: string, args: string[], cwd = dir) => {
    const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
  };
  const logs = () => {
    const logDir = join(clusterDir, 'log');
    if (!existsSync(logDir)) return '(no logs)';
    return readdirSync(logDir).map((f) => `== ${f}\n${readFileSync(join(logDir, f), 'utf8').split('\n').slice(-30).join('\n')}`).join('\n');
  };
  const stop = async () => {
    if (existsSync(join(clusterDir, 'slurm.conf'))) client('scancel', ['--full', '--user=root', '--quiet']);
    await stopGroup(child);
    // daemons that outlived their group (they should not): by the pids they wrote
    const runDir = join(clusterDir, 'run');
    for (const f of existsSync(runDir) ? readdirSync(runDir) : []) {
      const pid = Number(readFileSync(join(runDir, f), 'utf8').trim());
      if (pid > 0) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(child, 60_000);
  } catch (err) {
    const text = logs();
    await stop();
    throw new Error(`${(err as Error).message}\n${text}`);
  }
  return { dir, env, client, logs, stop };
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const timeout = new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 10_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

/** `scontrol -o show job ID`: one JobState per job (an array gives one per task). */
export function jobStates(cluster: SlurmCluster, jobId: string): string[] {
  const r = cluster.client('scontrol', ['-o', 'show', 'job', jobId]);
  return [...r.stdout.matchAll(/JobState=(\S+)/g)].map((m) => m[1]);
}

const DONE = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED']);

/** Polls until every task of the job has ended (any way); gives the final states. */
export async function waitForJob(cluster: SlurmCluster, jobId: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = jobStates(cluster, jobId);
    if (states.length > 0 && states.every((s) => DONE.has(s))) return states;
    if (Date.now() > deadline) throw new Error(`job ${jobId} not done after ${timeoutMs} ms: ${states.join(', ')}\n${cluster.logs()}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}
