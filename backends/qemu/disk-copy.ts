/**
 * Disk copy for a cold migration without shared storage: the VM's disk image (a file of disk_gib on the
 * source hypervisor) is streamed over the migration link into a file on the destination, then the source's
 * copy is removed. The guest itself boots from its initramfs; the image is the payload whose transfer time
 * the cold migration really pays.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { monoMs, run, sleep } from '../shared/exec.js';
import type { QemuLab } from './lab.js';
import type { HostSide } from './lab/topology.js';

export const DISK_COPY_PORT = 4445;

export function diskPath(lab: QemuLab, host: HostSide): string {
  return path.join(lab.runDir, `disk-${host}.img`);
}

/** Makes sure the source hypervisor holds a disk image of the requested size (sparse: cheap to create). */
async function ensureDisk(file: string, bytes: number): Promise<void> {
  if (existsSync(file) && statSync(file).size === bytes) return;
  const fh = await open(file, 'w');
  try {
    await fh.truncate(bytes);
  } finally {
    await fh.close();
  }
}

export interface DiskCopy {
  bytes: number;
  duration_ms: number;
}

export async function copyDisk(lab: QemuLab, from: HostSide, to: HostSide, disk_gib: number, timeout_ms: number): Promise<DiskCopy> {
  const src = diskPath(lab, from);
  const dst = diskPath(lab, to);
  await ensureDisk(src, Math.round(disk_gib * 1024 ** 3));
  const ns = lab.topology.namespaces;
  const recv = spawn('ip', ['netns', 'exec', ns[to], lab.image.copier, 'recv', String(DISK_COPY_PORT), dst], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  recv.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => recv.on('exit', (code) => resolve(code)));
  try {
    const deadline = monoMs() + 5_000;
    while (!out.includes('listening') && monoMs() < deadline) await sleep(10);
    const t0 = monoMs();
    const sent = await run('ip', ['netns', 'exec', ns[from], lab.image.copier, 'send', lab.topology.addresses.migration_ip[to], String(DISK_COPY_PORT), src], timeout_ms);
    const code = await Promise.race([exited, sleep(10_000).then(() => -1)]);
    if (code !== 0) throw new Error(`disk copy receiver ended with ${code}`);
    const bytes = Number(/bytes (\d+)/.exec(sent.stdout)?.[1] ?? 0);
    await rm(src, { force: true });
    return { bytes, duration_ms: monoMs() - t0 };
  } finally {
    if (recv.exitCode === null) recv.kill('SIGKILL');
  }
}
