/**
 * One hypervisor host: its network namespace plus a private mount namespace in which its own copies of
 * libvirt's folders, /var/tmp (OpenNebula's REMOTE_DIR /var/tmp/one) and /root/.ssh are bind-mounted; there it
 * runs its own `libvirtd -d` (own host_uuid: libvirt refuses to migrate "to the same host") and its own sshd
 * on its address. Everything else (/tmp, ~/.cache: the shared datastore) is the machine's, shared by all hosts.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../../shared/exec.js';
import type { HostShape, LabShape } from './config.js';

/** Folders each host gets its own copy of: [mount point, name of the private copy]. */
const PRIVATE_DIRS: ReadonlyArray<readonly [string, string]> = [
  ['/etc/libvirt', 'etc-libvirt'],
  ['/run/libvirt', 'run-libvirt'],
  ['/var/lib/libvirt', 'var-lib-libvirt'],
  ['/var/log/libvirt', 'var-log-libvirt'],
  ['/var/cache/libvirt', 'var-cache-libvirt'],
  ['/var/tmp', 'var-tmp'],
];

/** qemu.conf settings for QEMU under TCG in a namespace, as root, without cgroups or its own mount namespace. */
export function qemuConfFor(h: HostShape): string {
  return [
    '',
    '# themis lab',
    'user = "root"',
    'group = "root"',
    'dynamic_ownership = 0',
    'security_driver = "none"',
    'cgroup_controllers = [ ]',
    'namespaces = [ ]',
    'stdio_handler = "file"',
    // Otherwise the destination advertises the machine's hostname, unreachable from the namespaces.
    `migration_host = "${h.address}"`,
    `migration_address = "${h.address}"`,
    '',
  ].join('\n');
}

export function sshdConfigFor(s: LabShape, h: HostShape, rubylib: string): string {
  return [
    `ListenAddress ${h.address}`,
    'Port 22',
    `HostKey ${path.join(h.dir, 'ssh_host_ed25519_key')}`,
    `PidFile ${path.join(h.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(s.ssh_dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'MaxStartups 100:30:200',
    'MaxSessions 100',
    // The host-side driver scripts `require 'load_opennebula_paths'`.
    `SetEnv RUBYLIB=${rubylib}`,
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}

/** The script run inside `ip netns exec <ns> unshare --mount --propagation private`: mounts, daemons, readiness. */
export function hostStartScript(s: LabShape, h: HostShape): string {
  const mounts = PRIVATE_DIRS.map(([mp, name]) => `mkdir -p ${mp}\nmount --bind ${path.join(h.dir, name)} ${mp}`);
  return `#!/bin/bash
set -euo pipefail
${mounts.join('\n')}
mkdir -p /root/.ssh
mount --bind ${s.ssh_dir} /root/.ssh
# Daemons must not hold the caller's pipes open.
libvirtd -d -p ${path.join(h.dir, 'libvirtd.pid')} </dev/null >>${path.join(h.dir, 'libvirtd.out')} 2>&1
/usr/sbin/sshd -f ${path.join(h.dir, 'sshd_config')} -E ${path.join(h.dir, 'sshd.log')} </dev/null >/dev/null 2>&1
for i in $(seq 1 300); do
  if virsh -c qemu:///system version >/dev/null 2>&1; then exit 0; fi
  sleep 0.1
done
echo "libvirtd in ${h.netns} did not answer within 30 s" >&2
exit 1
`;
}

export async function prepareHostFiles(s: LabShape, h: HostShape, rubylib: string): Promise<void> {
  await mkdir(h.dir, { recursive: true });
  for (const [, name] of PRIVATE_DIRS) {
    await rm(path.join(h.dir, name), { recursive: true, force: true });
    await mkdir(path.join(h.dir, name), { recursive: true });
  }
  const etc = path.join(h.dir, 'etc-libvirt');
  await cp('/etc/libvirt', etc, { recursive: true });
  // No NAT network: it would need dnsmasq and iptables, and the lab's guests use the host's br0.
  await rm(path.join(etc, 'qemu', 'networks', 'autostart'), { recursive: true, force: true });
  const qemuConf = path.join(etc, 'qemu.conf');
  await writeFile(qemuConf, (await readFile(qemuConf, 'utf8')) + qemuConfFor(h));
  const daemonConf = path.join(etc, 'libvirtd.conf');
  const daemonExtra = `\n# themis lab\nhost_uuid = "${randomUUID()}"\nauth_unix_ro = "none"\nauth_unix_rw = "none"\n`;
  await writeFile(daemonConf, (await readFile(daemonConf, 'utf8')) + daemonExtra);
  await writeFile(path.join(h.dir, 'sshd_config'), sshdConfigFor(s, h, rubylib));
  await writeFile(path.join(h.dir, 'start.sh'), hostStartScript(s, h), { mode: 0o755 });
}

/** Starts the host's daemons; returns once libvirtd answers (the daemons outlive the script and keep its mounts). */
export async function startHost(h: HostShape): Promise<void> {
  await run('ip', ['netns', 'exec', h.netns, 'unshare', '--mount', '--propagation', 'private', 'bash', path.join(h.dir, 'start.sh')], 60_000);
}
