/**
 * Builds and caches the guest: the host's cloud kernel, an initramfs with busybox-static, the virtio-net and
 * power-button modules, and the static C programs from this folder (workload agent, responder, power button);
 * plus the supervisor's probers (UDP and TCP). Cached under ~/.cache/themis/guest-<hash of inputs>/; built in a temporary
 * folder and renamed into place, so concurrent builders never see half an image.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendSetupError } from '../../../core/errors.js';
import { buildCpio, type CpioEntry } from './cpio.js';
import { run } from '../exec.js';

/** Load order matters: each module after its dependencies (`modinfo -F depends`). */
export const GUEST_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
  'evdev',
  'button',
] as const;

const GUEST_PROGRAMS = ['agent', 'responder', 'powerbtn'] as const;

export interface GuestImage {
  dir: string;
  kernel: string;
  initrd: string;
  prober: string;
  /** The supervisor's TCP probe (prober/tcpprobe.c) */
  tcp_prober: string;
  /** Host-side disk image copier for cold migrations without shared storage */
  copier: string;
  kernel_version: string;
  hash: string;
}

/** The repository folder holding the backends' shared C sources, backends/shared (works from the .ts sources and from dist/). */
export function sourceDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'backends', 'shared');
    if (existsSync(path.join(candidate, 'guest', 'agent.c'))) return candidate;
    if (existsSync(path.join(dir, 'guest', 'agent.c')) && existsSync(path.join(dir, 'prober', 'prober.c'))) return dir;
    dir = path.dirname(dir);
  }
  // Compiled elsewhere (e.g. a scratch outDir): the working directory is the repository.
  const fromCwd = path.join(process.cwd(), 'backends', 'shared');
  if (existsSync(path.join(fromCwd, 'guest', 'agent.c'))) return fromCwd;
  throw new BackendSetupError('qemu backend: cannot find backends/shared/guest/agent.c next to the installed code');
}

/** Newest installed cloud kernel that has both its image and its modules. */
export function findCloudKernel(): { version: string; vmlinuz: string; modules: string } | null {
  if (!existsSync('/lib/modules')) return null;
  const versions = readdirSync('/lib/modules')
    .filter((v) => v.endsWith('-cloud-amd64') && existsSync(`/boot/vmlinuz-${v}`))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const version = versions.at(-1);
  return version ? { version, vmlinuz: `/boot/vmlinuz-${version}`, modules: `/lib/modules/${version}` } : null;
}

/** What the host lacks for the qemu backend, as Debian package names. */
export async function missingHostPackages(): Promise<string[]> {
  const missing: string[] = [];
  if (!findCloudKernel()) missing.push('linux-image-cloud-amd64');
  if (!existsSync('/bin/busybox') || !(await isStaticBusybox())) missing.push('busybox-static');
  if (!existsSync('/usr/bin/gcc')) missing.push('gcc');
  if (!existsSync('/usr/lib/x86_64-linux-gnu/libc.a')) missing.push('libc6-dev');
  if (!existsSync('/sbin/ip') && !existsSync('/usr/sbin/ip') && !existsSync('/bin/ip')) missing.push('iproute2');
  // The routed design's routers (zebra, ospfd: backends/qemu/lab/frr.ts)
  if (!existsSync('/usr/lib/frr/zebra') || !existsSync('/usr/lib/frr/ospfd')) missing.push('frr');
  const qemuMajor = await qemuMajorVersion();
  if (qemuMajor === null || qemuMajor < 10) missing.push('qemu-system-x86/bookworm-backports');
  return missing;
}

async function isStaticBusybox(): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', 'busybox-static'], 5_000);
    return stdout.includes('install ok installed');
  } catch {
    return false;
  }
}

export async function qemuMajorVersion(): Promise<number | null> {
  try {
    const { stdout } = await run('qemu-system-x86_64', ['--version'], 10_000);
    const m = /version (\d+)\./.exec(stdout);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Installs what is missing when root (through the project's own installer); otherwise says exactly what is missing. */
export async function ensureHostPackages(): Promise<void> {
  let missing = await missingHostPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new BackendSetupError(
      `qemu backend: missing Debian packages: ${missing.join(', ')}. Run as root: scripts/install-system-packages.sh base qemu`,
    );
  }
  const script = path.resolve(sourceDir(), '..', '..', 'scripts', 'install-system-packages.sh');
  try {
    await run('bash', [script, 'base', 'qemu'], 900_000);
  } catch (e) {
    throw new BackendSetupError(`qemu backend: installing ${missing.join(', ')} failed: ${(e as Error).message}`);
  }
  missing = await missingHostPackages();
  if (missing.length > 0) throw new BackendSetupError(`qemu backend: still missing after install: ${missing.join(', ')}`);
}

function cacheRoot(dir?: string): string {
  return dir ?? process.env.THEMIS_CACHE_DIR ?? path.join(homedir(), '.cache', 'themis');
}

async function inputsHash(src: string, kernelVersion: string): Promise<string> {
  const h = createHash('sha256');
  h.update(kernelVersion);
  h.update(String(statSync('/bin/busybox').size));
  for (const f of [...GUEST_PROGRAMS.map((p) => `guest/${p}.c`), 'guest/init.sh', 'prober/prober.c', 'prober/tcpprobe.c', 'prober/probe-clock.h', 'prober/copier.c', 'guest/image.ts', 'guest/cpio.ts']) {
    const file = path.join(src, f);
    h.update(f);
    if (existsSync(file)) h.update(await readFile(file));
  }
  return h.digest('hex').slice(0, 16);
}

/** Returns the cached image, building it first if needed. */
export async function ensureGuestImage(cacheDir?: string): Promise<GuestImage> {
  const kernel = findCloudKernel();
  if (!kernel) throw new BackendSetupError('qemu backend: no cloud kernel (linux-image-cloud-amd64) installed');
  const src = sourceDir();
  const hash = await inputsHash(src, kernel.version);
  const root = cacheRoot(cacheDir);
  const dir = path.join(root, `guest-${hash}`);
  const image: GuestImage = {
    dir,
    kernel: path.join(dir, 'vmlinuz'),
    initrd: path.join(dir, 'initrd.cpio'),
    prober: path.join(dir, 'themis-prober'),
    tcp_prober: path.join(dir, 'themis-tcpprobe'),
    copier: path.join(dir, 'themis-copy'),
    kernel_version: kernel.version,
    hash,
  };
  if (existsSync(path.join(dir, 'complete'))) return image;
  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(path.join(root, `.build-${hash}-`));
  try {
    await buildInto(tmp, src, kernel);
    await writeFile(path.join(tmp, 'complete'), new Date().toISOString() + '\n');
    try {
      await rename(tmp, dir);
    } catch (e) {
      // Another builder won the race: its image is identical.
      if (!existsSync(path.join(dir, 'complete'))) throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return image;
}

async function buildInto(out: string, src: string, kernel: { vmlinuz: string; modules: string }): Promise<void> {
  const programs: CpioEntry[] = [];
  for (const p of GUEST_PROGRAMS) {
    const bin = path.join(out, `themis-${p}`);
    await run('gcc', ['-static', '-O2', '-o', bin, path.join(src, 'guest', `${p}.c`), '-lpthread'], 120_000);
    programs.push({ path: `bin/themis-${p}`, kind: 'file', mode: 0o755, data: await readFile(bin) });
  }
  await run('gcc', ['-O2', '-o', path.join(out, 'themis-prober'), path.join(src, 'prober', 'prober.c')], 120_000);
  await run('gcc', ['-O2', '-o', path.join(out, 'themis-tcpprobe'), path.join(src, 'prober', 'tcpprobe.c')], 120_000);
  await run('gcc', ['-O2', '-o', path.join(out, 'themis-copy'), path.join(src, 'prober', 'copier.c')], 120_000);
  const modules: CpioEntry[] = [];
  for (const m of GUEST_MODULES) {
    const { stdout } = await run('modinfo', ['-k', path.basename(kernel.modules), '-F', 'filename', m], 10_000);
    const file = stdout.trim();
    if (!file.endsWith('.ko')) throw new BackendSetupError(`qemu backend: module ${m} is not a plain .ko (${file})`);
    modules.push({ path: `lib/modules/${m}.ko`, kind: 'file', mode: 0o644, data: await readFile(file) });
  }
  const entries: CpioEntry[] = [
    ...['bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'lib', 'lib/modules', 'etc'].map(
      (d): CpioEntry => ({ path: d, kind: 'dir', mode: 0o755 }),
    ),
    { path: 'dev/console', kind: 'char', mode: 0o600, major: 5, minor: 1 },
    { path: 'init', kind: 'file', mode: 0o755, data: await readFile(path.join(src, 'guest', 'init.sh')) },
    { path: 'bin/busybox', kind: 'file', mode: 0o755, data: await readFile('/bin/busybox') },
    ...programs,
    ...modules,
  ];
  await writeFile(path.join(out, 'initrd.cpio'), buildCpio(entries));
  await writeFile(path.join(out, 'vmlinuz'), await readFile(kernel.vmlinuz));
}
