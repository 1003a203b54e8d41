/**
 * The lab's L2 segment: a bridge in the front-end namespace, one bridge per host namespace (the guests' taps
 * join it) with an uplink veth to the front-end's bridge, and one veth from the root namespace so that Themis
 * (XML-RPC, SSH to the guests) reaches the segment. A guest is thus on the same L2 wherever it runs.
 */
import { run, tryRun } from '../../shared/exec.js';
import type { LabShape } from './config.js';

const ip = (args: string[]) => run('ip', args, 15_000);

async function addNamespace(name: string, address: string, prefix_len: number): Promise<void> {
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  // forward_delay 0: a guest's tap forwards at once (STP is off anyway on a lab bridge).
  await ip(['-n', name, 'link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '0']);
  await ip(['-n', name, 'addr', 'add', `${address}/${prefix_len}`, 'dev', 'br0']);
  await ip(['-n', name, 'link', 'set', 'br0', 'up']);
}

export async function createNetwork(s: LabShape): Promise<void> {
  const fe = s.frontend.netns;
  await addNamespace(fe, s.frontend.address, s.prefix_len);
  for (const h of s.hosts) {
    await addNamespace(h.netns, h.address, s.prefix_len);
    await ip(['-n', fe, 'link', 'add', h.fe_veth, 'type', 'veth', 'peer', 'name', 'up0', 'netns', h.netns]);
    await ip(['-n', fe, 'link', 'set', h.fe_veth, 'master', 'br0', 'up']);
    await ip(['-n', h.netns, 'link', 'set', 'up0', 'master', 'br0', 'up']);
  }
  const r = s.root_link;
  await ip(['link', 'add', r.veth, 'type', 'veth', 'peer', 'name', r.peer, 'netns', fe]);
  await ip(['-n', fe, 'link', 'set', r.peer, 'master', 'br0', 'up']);
  await ip(['addr', 'add', `${r.address}/${s.prefix_len}`, 'dev', r.veth]);
  await ip(['link', 'set', r.veth, 'up']);
}

/** Lab namespaces that exist now: by the prefix, so that a crash that lost the state file is still cleaned up. */
export async function existingNamespaces(prefix: string): Promise<string[]> {
  const { stdout } = await ip(['netns', 'list']);
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => !!n && n.startsWith(`${prefix}-`));
}

export async function rootLinkExists(s: LabShape): Promise<boolean> {
  return tryRun('ip', ['link', 'show', 'dev', s.root_link.veth]);
}

/** Deletes the root veth (its peer goes with it) and the namespaces (their veths and bridges go with them). */
export async function deleteNetwork(s: LabShape, namespaces: string[]): Promise<void> {
  await tryRun('ip', ['link', 'del', 'dev', s.root_link.veth]);
  for (const n of namespaces) await tryRun('ip', ['netns', 'del', n]);
}
