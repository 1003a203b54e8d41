/**
 * The lab's SSH material, made fresh by every `up`: one key for root (the front-end drives the hosts with it,
 * the hosts use it for `virsh migrate qemu+ssh://`, Themis uses it for the guests), one host key per
 * hypervisor host, one for the guests, and a known_hosts with all of them — filled in advance, so nothing
 * ever accepts an unknown key. The folder is bind-mounted over /root/.ssh in the lab's mount namespaces only.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../../shared/exec.js';
import type { LabShape } from './config.js';

export interface LabSshFiles {
  dir: string;
  user_key: string;
  guest_host_key: string;
  known_hosts: string;
}

async function keygen(file: string, comment: string): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], 15_000);
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

/** Host keys of the hypervisor hosts live in their own folders; the rest here. */
export async function makeSshFiles(s: LabShape): Promise<LabSshFiles> {
  const dir = s.ssh_dir;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const user_key = path.join(dir, 'id_ed25519');
  const userPub = await keygen(user_key, 'themis-lab');
  await writeFile(path.join(dir, 'authorized_keys'), `${userPub}\n`, { mode: 0o600 });
  const lines: string[] = [];
  for (const h of s.hosts) {
    await mkdir(h.dir, { recursive: true });
    const pub = await keygen(path.join(h.dir, 'ssh_host_ed25519_key'), `lab-host${h.index}`);
    lines.push(`${h.address} ${pub.split(' ').slice(0, 2).join(' ')}`);
  }
  const guest_host_key = path.join(dir, 'guest_host_ed25519_key');
  const guestPub = await keygen(guest_host_key, 'lab-guest');
  for (const a of [s.vm.address, s.supervisor.address]) lines.push(`${a} ${guestPub.split(' ').slice(0, 2).join(' ')}`);
  const known_hosts = path.join(dir, 'known_hosts');
  await writeFile(known_hosts, lines.join('\n') + '\n', { mode: 0o600 });
  // Batch mode: a driver script must fail, not wait for a password prompt.
  await writeFile(path.join(dir, 'config'), 'Host *\n  BatchMode yes\n  StrictHostKeyChecking yes\n  ConnectTimeout 10\n', { mode: 0o600 });
  return { dir, user_key, guest_host_key, known_hosts };
}
