/**
 * A real OpenSSH sshd for tests, listening only on the given 127.0.0.x addresses on one free port, with a
 * generated host key and a generated user key (authorized for the current user). The agents' commands run
 * through it exactly as on a real VM. stop() kills it by PID and removes its temp dir.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Socket } from 'node:net';
import { sleep } from '../../core/async.js';
import { until } from '../../core/until.js';
import { freePort } from './oned.js';

const run = promisify(execFile);

export interface SshdInstance {
  dir: string;
  port: number;
  addresses: string[];
  user: string;
  /** Private key of the user (OpenSSH format) */
  user_key_file: string;
  /** "ssh-ed25519 AAAA..." of the host */
  host_public_key: string;
  /** A known_hosts file listing this sshd under every address */
  known_hosts_file: string;
  /** Writes a known_hosts file with the given lines (e.g. empty: unknown host key) and returns its path */
  writeKnownHosts(name: string, lines: string[]): Promise<string>;
  /** known_hosts line for an address */
  knownHostsLine(address: string): string;
  stop(): Promise<void>;
}

async function waitListening(host: string, port: number, timeout_ms: number): Promise<void> {
  await until(`sshd listening on ${host}:${port}`, timeout_ms, () =>
    new Promise<true | null>((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(null));
      s.connect(port, host);
    }), 100);
}

/** `path_prepend`: directories put first on the PATH of every session (e.g. test builds of themis-prober). */
export async function startSshd(addresses: string[], opts: { path_prepend?: string[] } = {}): Promise<SshdInstance> {
  for (const a of addresses) if (!a.startsWith('127.')) throw new Error(`test sshd listens on 127.0.0.0/8 only, not ${a}`);
  const sshdBin = '/usr/sbin/sshd';
  if (!existsSync(sshdBin)) throw new Error('openssh-server is not installed: run scripts/install-system-packages.sh opennebula');
  const dir = await mkdtemp(path.join(tmpdir(), 'themis-sshd-'));
  let proc: ChildProcess | null = null;
  const stop = async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const exited = await Promise.race([new Promise<boolean>((r) => proc?.once('exit', () => r(true))), sleep(5000).then(() => false)]);
      if (!exited) proc.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'themis-test-host', '-f', path.join(dir, 'host_ed25519')]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'themis-test-user', '-f', path.join(dir, 'user_ed25519')]);
    await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'user_ed25519.pub')), { mode: 0o600 });
    const port = await freePort();
    const config = [
      ...addresses.map((a) => `ListenAddress ${a}:${port}`),
      `HostKey ${path.join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      // the temp dir's modes are not what sshd expects of a home directory
      'StrictModes no',
      'AllowTcpForwarding yes',
      'MaxSessions 50',
      'MaxStartups 50:30:100',
      'LogLevel ERROR',
      ...(opts.path_prepend ? [`SetEnv PATH=${[...opts.path_prepend, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'].join(':')}`] : []),
    ].join('\n');
    await writeFile(path.join(dir, 'sshd_config'), config + '\n');
    // Privilege separation directory sshd insists on (absent on machines that never ran sshd).
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    proc = spawn(sshdBin, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await Promise.race([
      Promise.all(addresses.map((a) => waitListening(a, port, 10_000))),
      new Promise((_, reject) => proc?.once('exit', (c) => reject(new Error(`sshd exited (${c}): ${stderr}`)))),
    ]);
    const host_public_key = (await readFile(path.join(dir, 'host_ed25519.pub'), 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
    const knownHostsLine = (a: string) => `[${a}]:${port} ${host_public_key}`;
    const writeKnownHosts = async (name: string, lines: string[]) => {
      const f = path.join(dir, name);
      await writeFile(f, lines.map((l) => l + '\n').join(''));
      return f;
    };
    const known_hosts_file = await writeKnownHosts('known_hosts', addresses.map(knownHostsLine));
    return {
      dir,
      port,
      addresses,
      user: userInfo().username,
      user_key_file: path.join(dir, 'user_ed25519'),
      host_public_key,
      known_hosts_file,
      writeKnownHosts,
      knownHostsLine,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
