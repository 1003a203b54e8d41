/**
 * iproute2 helpers for the lab's network namespaces. Names carry LAB_PREFIX so a leftover is recognisable
 * (and the tests can prove there is none).
 */
import { execFileSync } from 'node:child_process';
import { run, tryRun } from '../../shared/exec.js';

export const LAB_PREFIX = 'thq';

export const ip = (args: readonly string[]): Promise<unknown> => run('ip', args, 15_000);
export const ipIn = (ns: string, args: readonly string[]): Promise<unknown> => run('ip', ['-n', ns, ...args], 15_000);

export async function addNamespace(ns: string): Promise<void> {
  await ip(['netns', 'add', ns]);
  await ipIn(ns, ['link', 'set', 'lo', 'up']);
}

/** A veth pair with one end in each namespace, created directly there (names may repeat across namespaces). */
export async function addVethPair(nsA: string, nameA: string, nsB: string, nameB: string): Promise<void> {
  await ip(['link', 'add', nameA, 'netns', nsA, 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB]);
}

export async function addBridge(ns: string, name: string): Promise<void> {
  // No STP and no forward delay: a port forwards as soon as it is up, as on a hypervisor's Linux bridge.
  await ipIn(ns, ['link', 'add', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  await ipIn(ns, ['link', 'set', name, 'up']);
}

export async function attach(ns: string, dev: string, bridge: string): Promise<void> {
  await ipIn(ns, ['link', 'set', dev, 'master', bridge]);
  await ipIn(ns, ['link', 'set', dev, 'up']);
}

export async function addTap(ns: string, name: string): Promise<void> {
  await ipIn(ns, ['tuntap', 'add', 'dev', name, 'mode', 'tap']);
}

export async function addAddress(ns: string, dev: string, cidr: string): Promise<void> {
  await ipIn(ns, ['addr', 'add', cidr, 'dev', dev]);
  await ipIn(ns, ['link', 'set', dev, 'up']);
}

export async function deleteNamespace(ns: string): Promise<void> {
  await tryRun('ip', ['netns', 'delete', ns]);
}

/** Synchronous variant for process 'exit' handlers, where nothing asynchronous runs any more. */
export function deleteNamespaceSync(ns: string): void {
  try {
    execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // already gone
  }
}

/** A VXLAN device (VNI `vni`, UDP 4789) sourced from `local`; `learning` false = the FDB only changes when told. */
export async function addVxlan(ns: string, name: string, vni: number, local: string, learning: boolean): Promise<void> {
  await ipIn(ns, ['link', 'add', name, 'type', 'vxlan', 'id', String(vni), 'local', local, 'dstport', '4789', ...(learning ? [] : ['nolearning'])]);
}

export const bridgeIn = (ns: string, args: readonly string[]): Promise<unknown> => run('bridge', ['-n', ns, ...args], 15_000);

export async function sysctlIn(ns: string, key: string, value: string): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`], 15_000);
}

/**
 * The namespaces one lab created, removed in reverse order (deleting a namespace removes its veths, bridges,
 * VXLAN devices and routes; a tap is deleted first so nothing holds it).
 */
export class NamespaceSet {
  private created: string[] = [];

  async add(ns: string): Promise<void> {
    await addNamespace(ns);
    this.created.push(ns);
  }

  async removeAll(taps: readonly string[] = ['tap0']): Promise<void> {
    for (const ns of this.created.splice(0).reverse()) {
      for (const tap of taps) await ipIn(ns, ['link', 'delete', tap]).catch(() => undefined);
      await deleteNamespace(ns);
    }
  }

  removeAllSync(): void {
    for (const ns of this.created.splice(0).reverse()) deleteNamespaceSync(ns);
  }
}

export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'], 10_000);
  return stdout
    .split('\n')
    .map((l) => l.split(/\s+/)[0])
    .filter((n): n is string => Boolean(n));
}
