/**
 * Finding and ending the lab's processes. Everything the lab starts runs inside one of its network namespaces,
 * so "belongs to the lab" = "its /proc/<pid>/ns/net is one of the lab's namespaces" — which still holds after
 * a crash of the process that started them, or after oned has left orphans (monitord-client.rb) behind.
 */
import { readdir, readlink, stat } from 'node:fs/promises';
import { sleep } from '../../shared/exec.js';

/** The inode of a named network namespace (/run/netns/<name>), or null when it does not exist. */
export async function netnsInode(name: string): Promise<number | null> {
  try {
    return (await stat(`/run/netns/${name}`)).ino;
  } catch {
    return null;
  }
}

/** PIDs whose network namespace is one of the given inodes. */
export async function pidsInNamespaces(inodes: number[]): Promise<number[]> {
  if (inodes.length === 0) return [];
  const wanted = new Set(inodes.map((i) => `net:[${i}]`));
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      if (wanted.has(await readlink(`/proc/${name}/ns/net`))) pids.push(pid);
    } catch {
      // ended meanwhile, or a kernel thread
    }
  }
  return pids;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * SIGTERM, then SIGKILL after a grace period (libvirtd has been seen ignoring SIGTERM for > 15 s).
 * Returns the PIDs still alive at the end (should be none).
 */
export async function endPids(pids: number[], grace_ms = 5_000): Promise<number[]> {
  for (const p of pids) signal(p, 'SIGTERM');
  const end = Date.now() + grace_ms;
  while (Date.now() < end && pids.some(alive)) await sleep(100);
  for (const p of pids.filter(alive)) signal(p, 'SIGKILL');
  const end2 = Date.now() + 5_000;
  while (Date.now() < end2 && pids.some(alive)) await sleep(100);
  return pids.filter(alive);
}
