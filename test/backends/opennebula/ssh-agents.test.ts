/**
 * The SSH transport and the probe agents against a real OpenSSH sshd on 127.0.0.2/127.0.0.3 (no oned):
 * host key checks, accept-new, the SSH agent, a jump host, and an iperf3 stream that sees a real pause.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SshConnection, HostKeyError, type SshSettings } from '../../../backends/opennebula/ssh.js';
import { ensureVmServer, hasCommand, ProbeStream, stopVmServer } from '../../../backends/opennebula/agents.js';
import { ensureResponder, ProberStream, proberInstalled } from '../../../backends/opennebula/prober.js';
import { freePort } from '../../support/oned.js';
import { startSshd, type SshdInstance } from '../../support/sshd.js';

const run = promisify(execFile);
const VM_IP = '127.0.0.2';
const SUP_IP = '127.0.0.3';
let sshd: SshdInstance;
let work: string;
let bin: string;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'themis-ssh-test-'));
  // The project's own prober and responder, built from their sources, put on the sessions' PATH.
  bin = path.join(work, 'bin');
  await mkdir(bin);
  await run('gcc', ['-O2', '-o', path.join(bin, 'themis-prober'), path.join(repoRoot, 'backends/shared/prober/prober.c')]);
  await run('gcc', ['-O2', '-o', path.join(bin, 'themis-responder'), path.join(repoRoot, 'backends/shared/guest/responder.c')]);
  sshd = await startSshd([VM_IP, SUP_IP], { path_prepend: [bin] });
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const settings = (over: Partial<SshSettings> = {}): SshSettings => ({
  key_file: sshd.user_key_file,
  known_hosts: sshd.known_hosts_file,
  accept_new_host_keys: false,
  connect_timeout_ms: 10_000,
  ...over,
});
const ep = (host: string) => ({ host, port: sshd.port, user: sshd.user });

describe('host keys', () => {
  test('a known key connects and runs commands', async () => {
    const c = await SshConnection.open(ep(VM_IP), settings());
    try {
      const r = await c.exec('echo hello; echo oops >&2; exit 3', 10_000);
      expect(r).toMatchObject({ code: 3, stdout: 'hello\n', stderr: 'oops\n' });
      expect(await hasCommand(c, 'iperf3')).toBe(true);
      expect(await hasCommand(c, 'no-such-command-here')).toBe(false);
    } finally {
      c.close();
    }
  });

  test('a changed key is refused, even when new keys are accepted', async () => {
    const other = path.join(work, 'other_key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherPub = (await readFile(other + '.pub', 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
    const kh = await sshd.writeKnownHosts('changed_known_hosts', [`[${VM_IP}]:${sshd.port} ${otherPub}`]);
    const err = await SshConnection.open(ep(VM_IP), settings({ known_hosts: kh, accept_new_host_keys: true })).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.verdict).toBe('changed');
    expect(err.message).toMatch(/CHANGED/);
  });

  test('an unknown key is refused, or recorded when the user accepts new keys', async () => {
    const kh = path.join(work, 'new_known_hosts');
    const refused = await SshConnection.open(ep(VM_IP), settings({ known_hosts: kh })).catch((e) => e);
    expect(refused).toBeInstanceOf(HostKeyError);
    expect(refused.verdict).toBe('unknown');
    const c = await SshConnection.open(ep(VM_IP), settings({ known_hosts: kh, accept_new_host_keys: true }));
    c.close();
    expect((await readFile(kh, 'utf8')).trim()).toBe(sshd.knownHostsLine(VM_IP));
    const again = await SshConnection.open(ep(VM_IP), settings({ known_hosts: kh }));
    again.close();
  });
});

describe('authentication and routes', () => {
  test('key from a real ssh-agent', async () => {
    const sock = path.join(work, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      for (let i = 0; i < 50; i++) {
        if (await run('test', ['-S', sock]).then(() => true, () => false)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await run('ssh-add', ['-q', sshd.user_key_file], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      process.env.SSH_AUTH_SOCK = sock;
      const c = await SshConnection.open(ep(SUP_IP), settings({ key_file: undefined }));
      expect((await c.exec('echo via-agent', 10_000)).stdout).toBe('via-agent\n');
      c.close();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      agent.kill('SIGTERM');
    }
  });

  test('through a jump host (the front-end)', async () => {
    const c = await SshConnection.open(ep(VM_IP), settings({ jump: ep(SUP_IP) }));
    try {
      // sshd sees the forwarded connection coming from the jump host's side
      const r = await c.exec('echo "$SSH_CONNECTION"', 10_000);
      expect(r.stdout.split(' ')[2]).toBe(VM_IP);
    } finally {
      c.close();
    }
  });
});

describe('probe agents', () => {
  test('iperf3 from the VM to the supervisor; a paused sender shows as a gap', async () => {
    const vm = await SshConnection.open(ep(VM_IP), settings());
    const sup = await SshConnection.open(ep(SUP_IP), settings());
    const port = await freePort();
    const probe = { vm_ip: VM_IP, supervisor_ip: SUP_IP, port };
    let pid: number | null = null;
    try {
      pid = await ensureVmServer(vm, probe, 10_000);
      expect(pid).toBeGreaterThan(0);
      // A second server on the same port: the one already listening serves (as an agent started on boot would).
      expect(await ensureVmServer(vm, probe, 10_000)).toBeNull();
      const stream = await ProbeStream.start(sup, probe, 2, 60);
      await new Promise((r) => setTimeout(r, 700));
      // Pause the sender (the server in reverse mode) as a VM is paused at switch-over.
      await vm.exec(`kill -STOP ${pid}; sleep 0.6; kill -CONT ${pid}`, 10_000);
      await new Promise((r) => setTimeout(r, 700));
      const s = await stream.stop(10_000);
      expect(s.error).toBeNull();
      expect(s.packets_received).toBeGreaterThan(300);
      expect(s.tail_packets).toBeGreaterThan(0);
      expect(s.outage_ms).toBeGreaterThanOrEqual(300);
      expect(s.outage_ms).toBeLessThan(3000);
      expect(s.gaps.length).toBeGreaterThanOrEqual(1);
    } finally {
      await stopVmServer(vm, pid);
      vm.close();
      sup.close();
    }
  }, 30_000);
});

describe('themis-prober, when installed on the VMs', () => {
  test('echo probes every 2 ms; a paused responder shows as a gap with its RTTs', async () => {
    const vm = await SshConnection.open(ep(VM_IP), settings());
    const sup = await SshConnection.open(ep(SUP_IP), settings());
    const port = await freePort();
    let pid: number | null = null;
    try {
      expect(await proberInstalled(sup, vm)).toBe(true);
      pid = await ensureResponder(vm, port);
      expect(pid).toBeGreaterThan(0);
      expect(await ensureResponder(vm, port)).toBeNull(); // one already answers there (the agent on boot)
      const stream = await ProberStream.start(sup, VM_IP, port, 2, 60);
      await new Promise((r) => setTimeout(r, 600));
      const t0 = performance.now();
      await vm.exec(`kill -STOP ${pid}; sleep 0.5; kill -CONT ${pid}`, 10_000);
      await new Promise((r) => setTimeout(r, 600));
      const s = await stream.stop(t0, 10_000);
      expect(s.probe).toBe('themis-prober');
      expect(s.flowing).toBe(true);
      expect(s.packets_received).toBeGreaterThan(200);
      expect(s.outage_ms).toBeGreaterThanOrEqual(400);
      expect(s.outage_ms).toBeLessThan(3000);
      expect(s.rtt_p50_ms).toBeGreaterThan(0);
      // A stopped responder loses nothing (the socket buffers the probes) but answers late: the outage is the
      // silence between replies, as for a paused VM whose NIC queue survives the pause.
      expect(s.loss_pct).toBeLessThan(5);
    } finally {
      await stopVmServer(vm, pid);
      vm.close();
      sup.close();
    }
  }, 30_000);
});
