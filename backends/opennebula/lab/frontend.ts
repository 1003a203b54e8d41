/**
 * The front-end: the real `oned` (the cached build of scripts/opennebula/build.sh) with a fresh sqlite
 * database in a self-contained ONE_LOCATION on the shared filesystem, run in the front-end's network namespace
 * and a private mount namespace whose /root/.ssh is the lab's (the drivers ssh to the hosts as root).
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { LabShape } from './config.js';

export const ONE_COMMIT_SHORT = 'f847cf2e';

export function onePrefix(): string {
  return process.env.THEMIS_ONE_PREFIX ?? path.join(homedir(), '.cache', 'themis', `opennebula-${ONE_COMMIT_SHORT}`);
}

export function oneBuilt(prefix = onePrefix()): boolean {
  return existsSync(path.join(prefix, '.themis-built')) && existsSync(path.join(prefix, 'bin', 'oned'));
}

export function configureOned(conf: string, port: number): string {
  let c = conf.replace(/^PORT = \d+/m, `PORT = ${port}`);
  // Inside the front-end namespace "0.0.0.0" means its loopback and its lab address only.
  c = c.replace(/^LISTEN_ADDRESS = ".*"/m, 'LISTEN_ADDRESS = "0.0.0.0"');
  c = c.replace(/^DRS_INTERVAL = .*/m, 'DRS_INTERVAL = -1');
  return c;
}

export function configureMonitord(conf: string, address: string): string {
  return conf.replace(/ADDRESS(\s+)= "::"/, `ADDRESS$1= "${address}"`);
}

/** The default /usr/bin/qemu-kvm-one does not exist on Debian. */
export function configureVmmExecKvm(conf: string): string {
  return `${conf.replace(/^EMULATOR\s*=.*$/m, '')}\nEMULATOR = /usr/bin/qemu-system-x86_64\n`;
}

export interface FrontendFiles {
  one_location: string;
  auth_file: string;
  password: string;
  log_file: string;
}

/** Builds ONE_LOCATION: links to the cached build, its own etc/ and var/ (remotes copied: they are synced to hosts). */
export async function prepareFrontend(s: LabShape, password: string): Promise<FrontendFiles> {
  const prefix = onePrefix();
  const dir = s.frontend.dir;
  await mkdir(dir, { recursive: true });
  for (const d of ['bin', 'sbin', 'lib', 'share']) await symlink(path.join(prefix, d), path.join(dir, d));
  await cp(path.join(prefix, 'etc'), path.join(dir, 'etc'), { recursive: true });
  for (const d of ['datastores', 'lock', 'run', 'vms']) await mkdir(path.join(dir, 'var', d), { recursive: true });
  await cp(path.join(prefix, 'var', 'remotes'), path.join(dir, 'var', 'remotes'), { recursive: true, dereference: true });
  const edit = async (rel: string, f: (t: string) => string) => {
    const file = path.join(dir, rel);
    await writeFile(file, f(await readFile(file, 'utf8')));
  };
  await edit('etc/oned.conf', (c) => configureOned(c, s.xmlrpc_port));
  await edit('etc/monitord.conf', (c) => configureMonitord(c, s.frontend.address));
  await edit('etc/vmm_exec/vmm_exec_kvm.conf', configureVmmExecKvm);
  const auth_file = path.join(s.state_dir, 'one_auth');
  await writeFile(auth_file, `oneadmin:${password}\n`, { mode: 0o600 });
  await writeFile(
    path.join(s.state_dir, 'frontend.sh'),
    `#!/bin/bash
set -euo pipefail
mkdir -p /root/.ssh
mount --bind ${s.ssh_dir} /root/.ssh
export ONE_LOCATION=${dir} ONE_AUTH=${auth_file} RUBYLIB=${path.join(prefix, 'lib', 'ruby')}
exec ${path.join(dir, 'bin', 'oned')} -f
`,
    { mode: 0o755 },
  );
  return { one_location: dir, auth_file, password, log_file: path.join(s.state_dir, 'oned.out') };
}

/** Starts oned detached (it outlives a CLI `up`); returns its PID. */
export function startOned(s: LabShape, f: FrontendFiles): number {
  const log = openSync(f.log_file, 'a');
  const child = spawn(
    'ip',
    ['netns', 'exec', s.frontend.netns, 'unshare', '--mount', '--propagation', 'private', 'bash', path.join(s.state_dir, 'frontend.sh')],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('could not start oned');
  return child.pid;
}

export async function onedLogTail(s: LabShape, chars = 3000): Promise<string> {
  const a = await readFile(path.join(s.frontend.dir, 'var', 'oned.log'), 'utf8').catch(() => '');
  return a.slice(-chars);
}
