/**
 * Looking inside a lab host: `virsh` run in the host's mount and network namespaces (entered through its
 * libvirtd's PID), so it talks to that host's own libvirtd. Used to check that a VM really runs where
 * OpenNebula says, to read libvirt's migration statistics, and to inject faults (kill a host's libvirtd).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../../qemu/exec.js';
import type { HostShape } from './config.js';

export async function libvirtdPid(h: HostShape): Promise<number> {
  const text = await readFile(path.join(h.dir, 'libvirtd.pid'), 'utf8');
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${h.netns}: bad libvirtd pid file`);
  return pid;
}

export async function virsh(h: HostShape, args: string[], timeout_ms = 20_000): Promise<string> {
  const pid = await libvirtdPid(h);
  const { stdout } = await run('nsenter', ['-t', String(pid), '-m', '-n', 'virsh', '-c', 'qemu:///system', ...args], timeout_ms);
  return stdout;
}

/** Names of the running domains on a host. */
export async function domainsOn(h: HostShape): Promise<string[]> {
  return (await virsh(h, ['list', '--name'])).split('\n').map((l) => l.trim()).filter((l) => l !== '');
}
