/**
 * What the lab needs on the machine, installed only through the project's own scripts: the Debian packages
 * (scripts/install-system-packages.sh, groups base qemu opennebula lab) and the cached oned build
 * (scripts/opennebula/build.sh, a colleague's script, called unchanged).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../shared/exec.js';
import { sourceDir } from '../../shared/guest/image.js';
import { oneBuilt, onePrefix } from './frontend.js';

/** Programs the lab runs, each from the package group that installs it. */
const NEEDED: ReadonlyArray<readonly [string, string]> = [
  ['/usr/sbin/libvirtd', 'libvirt-daemon (lab)'],
  ['/usr/bin/virsh', 'libvirt-clients (lab)'],
  ['/usr/sbin/sshd', 'openssh-server (lab)'],
  ['/usr/bin/rsync', 'rsync (lab)'],
  ['/usr/bin/lspci', 'pciutils (lab)'],
  ['/usr/bin/xorriso', 'xorriso (lab)'],
  ['/usr/sbin/dropbear', 'dropbear-bin (lab)'],
  ['/usr/bin/dropbearconvert', 'dropbear-bin (lab)'],
  ['/usr/bin/qemu-system-x86_64', 'qemu-system-x86 (qemu)'],
  ['/usr/bin/gcc', 'gcc (qemu)'],
  ['/usr/bin/ruby', 'ruby (opennebula)'],
];

export function missingPrograms(): string[] {
  return NEEDED.filter(([p]) => !existsSync(p)).map(([p, pkg]) => `${p} from ${pkg}`);
}

function repoRoot(): string {
  return path.resolve(sourceDir(), '..', '..');
}

/** Installs what is missing when root; otherwise says exactly what is missing. */
export async function ensureLabPrerequisites(log: (l: string) => void): Promise<void> {
  const root = process.getuid?.() === 0;
  let missing = missingPrograms();
  if (missing.length > 0) {
    if (!root) throw new Error(`lab cloud: missing ${missing.join(', ')}; as root run scripts/install-system-packages.sh base qemu opennebula lab`);
    log(`installing Debian packages (missing: ${missing.join(', ')})`);
    await run('bash', [path.join(repoRoot(), 'scripts', 'install-system-packages.sh'), 'base', 'qemu', 'opennebula', 'lab'], 1_200_000);
    missing = missingPrograms();
    if (missing.length > 0) throw new Error(`lab cloud: still missing after install: ${missing.join(', ')}`);
  }
  if (!oneBuilt()) {
    if (!root) throw new Error(`OpenNebula is not built at ${onePrefix()}: run 'bash scripts/opennebula/build.sh'`);
    log('building OpenNebula once (≈ 4 min on 2 cores)');
    await run('bash', [path.join(repoRoot(), 'scripts', 'opennebula', 'build.sh')], 1_800_000);
  }
}
