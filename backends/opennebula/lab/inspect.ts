/**
 * Looking inside a lab host: `virsh` run in the host's mount and network namespaces (entered through its
 * libvirtd's PID), so it talks to that host's own libvirtd. Used to check that a VM really runs where
 * OpenNebula says, to read libvirt's migration statistics, and to inject faults (kill a host's libvirtd).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sleep } from '../../../core/async.js';
import { run } from '../../shared/exec.js';
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

/** The host's sshd: it keeps the host's mount namespace alive when libvirtd is gone. */
async function sshdPid(h: HostShape): Promise<number> {
  const pid = Number((await readFile(path.join(h.dir, 'sshd.pid'), 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${h.netns}: bad sshd pid file`);
  return pid;
}

/** Fault injection: SIGKILL the host's libvirtd (its QEMU processes keep running, as on a real host). */
export async function killLibvirtd(h: HostShape): Promise<number> {
  const pid = await libvirtdPid(h);
  process.kill(pid, 'SIGKILL');
  return pid;
}

/** Starts the host's libvirtd again inside its namespaces; resolves when it answers. */
export async function restartLibvirtd(h: HostShape, timeout_ms = 30_000): Promise<void> {
  const pid = String(await sshdPid(h));
  const pidFile = path.join(h.dir, 'libvirtd.pid');
  await run('nsenter', ['-t', pid, '-m', '-n', 'sh', '-c', `libvirtd -d -p ${pidFile} </dev/null >>${path.join(h.dir, 'libvirtd.out')} 2>&1`], 30_000);
  const end = Date.now() + timeout_ms;
  for (;;) {
    try {
      await run('nsenter', ['-t', pid, '-m', '-n', 'virsh', '-c', 'qemu:///system', 'version'], 5_000);
      return;
    } catch (e) {
      if (Date.now() > end) throw new Error(`${h.netns}: libvirtd not answering after restart: ${(e as Error).message}`);
      await sleep(200);
    }
  }
}

export interface LibvirtMigrationStats {
  operation: string;
  elapsed_ms: number | null;
  downtime_ms: number | null;
  data_processed_bytes: number | null;
  iterations: number | null;
}

const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** Parses `virsh domjobinfo --completed` ("Key:   value unit" lines). */
export function parseDomJobInfo(text: string): LibvirtMigrationStats | null {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(.*?)\s*$/.exec(line);
    if (m) kv.set(m[1].trim(), m[2]);
  }
  if (kv.get('Job type') !== 'Completed') return null;
  const ms = (k: string) => {
    const m = /^([\d.]+)\s*ms$/.exec(kv.get(k) ?? '');
    return m ? Number(m[1]) : null;
  };
  const bytes = (k: string) => {
    const m = /^([\d.]+)\s*([KMGT]?i?B)$/.exec(kv.get(k) ?? '');
    return m && UNIT_BYTES[m[2]] !== undefined ? Math.round(Number(m[1]) * UNIT_BYTES[m[2]]) : null;
  };
  const it = kv.get('Iteration');
  return {
    operation: kv.get('Operation') ?? '',
    elapsed_ms: ms('Time elapsed'),
    downtime_ms: ms('Total downtime'),
    data_processed_bytes: bytes('Data processed'),
    iterations: it !== undefined && /^\d+$/.test(it) ? Number(it) : null,
  };
}

/** libvirt's statistics of the last completed migration job of a domain, as its destination host saw it. */
export async function migrationStats(h: HostShape, domain: string): Promise<LibvirtMigrationStats | null> {
  return parseDomJobInfo(await virsh(h, ['domjobinfo', '--completed', domain]));
}
