/**
 * The lab's guest: the qemu backend's guest image (kernel + initramfs with the workload agent, the UDP responder
 * and the power-button watcher) plus a small second cpio archive appended to it — the kernel unpacks
 * concatenated archives in order — that adds an SSH server (Debian's dropbear with its libraries), the
 * supervisor's prober built statically, root's authorized key, and /lab-init (run as `rdinit=`), which starts
 * dropbear once the guest's own /init has mounted /proc and /dev, then execs that /init unchanged.
 * Why SSH in the guest: the opennebula backend reaches its agents over SSH, as on any real cloud, so the lab
 * runs that backend unchanged; dropbear is small (≈ 1 MB with its libraries) and starts in well under a second.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../../shared/exec.js';
import { buildCpio, type CpioEntry } from '../../shared/guest/cpio.js';
import { ensureGuestImage, sourceDir } from '../../shared/guest/image.js';
import type { LabShape } from './config.js';

export interface LabGuest {
  kernel: string;
  initrd: string;
  /** The kernel command line without the address (the template adds themis.ip=) */
  kernel_cmd: string;
}

const LAB_INIT = `#!/bin/busybox sh
# Themis lab: start an SSH server next to the guest's own init (which this execs unchanged).
# busybox sh gives a background job /dev/null as stdin: the overlay has its own /dev/null node for that.
(
  i=0
  while { [ ! -e /proc/cmdline ] || [ ! -e /dev/urandom ]; } && [ $i -lt 600 ]; do /bin/busybox sleep 0.1; i=$((i+1)); done
  /bin/busybox mkdir -p /dev/pts /var/log
  /bin/busybox mount -t devpts devpts /dev/pts 2>/dev/null
  exec /sbin/dropbear -s -p 22 -r /etc/dropbear/dropbear_ed25519_host_key -P /tmp/dropbear.pid
) &
exec /init
`;

/** Shared libraries of a dynamically linked program (ldd), to copy into the initramfs at their paths. */
async function libraries(program: string): Promise<string[]> {
  const { stdout } = await run('ldd', [program], 10_000);
  const libs = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]);
  }
  return [...libs];
}

const file = async (p: string, mode: number, from: string): Promise<CpioEntry> => ({ path: p, kind: 'file', mode, data: await readFile(from) });
const text = (p: string, mode: number, t: string): CpioEntry => ({ path: p, kind: 'file', mode, data: Buffer.from(t) });
const dir = (p: string, mode = 0o755): CpioEntry => ({ path: p, kind: 'dir', mode });

async function overlay(s: LabShape, work: string, authorizedKey: string, guestHostKey: string): Promise<Buffer> {
  const prober = path.join(work, 'themis-prober');
  await run('gcc', ['-static', '-O2', '-o', prober, path.join(sourceDir(), 'prober', 'prober.c')], 120_000);
  const dropbearKey = path.join(work, 'dropbear_ed25519_host_key');
  await run('dropbearconvert', ['openssh', 'dropbear', guestHostKey, dropbearKey], 10_000);
  const libs = [...new Set([...(await libraries('/usr/sbin/dropbear')), '/lib/x86_64-linux-gnu/libnss_files.so.2'])];
  const libDirs = [...new Set(libs.map((l) => path.dirname(l).slice(1)))];
  const entries: CpioEntry[] = [
    ...['usr', 'usr/lib', 'lib64', 'root', 'var', 'etc/dropbear', ...libDirs].map((d) => dir(d)),
    dir('root/.ssh', 0o700),
    // devtmpfs is mounted over /dev by /init later; until then the background job needs this node.
    { path: 'dev/null', kind: 'char', mode: 0o666, major: 1, minor: 3 },
    text('lab-init', 0o755, LAB_INIT),
    await file('sbin/dropbear', 0o755, '/usr/sbin/dropbear'),
    await file('bin/themis-prober', 0o755, prober),
    await file('etc/dropbear/dropbear_ed25519_host_key', 0o600, dropbearKey),
    ...(await Promise.all(libs.map((l) => file(l.slice(1), 0o755, l)))),
    text('etc/passwd', 0o644, 'root:x:0:0:root:/root:/bin/sh\n'),
    text('etc/group', 0o644, 'root:x:0:\n'),
    text('etc/shells', 0o644, '/bin/sh\n'),
    text('etc/nsswitch.conf', 0o644, 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n'),
    text('root/.ssh/authorized_keys', 0o600, `${authorizedKey.trim()}\n`),
  ];
  void s;
  return buildCpio(entries);
}

/** Writes the lab's initramfs (base image + overlay) into the state folder. */
export async function prepareGuest(s: LabShape, userPubKey: string, guestHostKey: string): Promise<LabGuest> {
  const image = await ensureGuestImage();
  const work = path.join(s.state_dir, 'guest');
  await mkdir(work, { recursive: true });
  const base = await readFile(image.initrd);
  // Each archive starts on a 4-byte boundary.
  const pad = Buffer.alloc((4 - (base.length % 4)) % 4);
  const initrd = path.join(work, 'initrd.cpio');
  await writeFile(initrd, Buffer.concat([base, pad, await overlay(s, work, userPubKey, guestHostKey)]));
  return { kernel: image.kernel, initrd, kernel_cmd: 'console=ttyS0 quiet panic=-1 rdinit=/lab-init' };
}
