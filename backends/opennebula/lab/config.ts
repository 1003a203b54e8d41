/**
 * The lab cloud's shape: names and addresses derived from a few options, as pure functions, so `up`, `down`
 * and `status` (and a `down` after a crash, with no state file) all agree on what belongs to the lab.
 * Addresses come from 198.18.0.0/15 (RFC 2544 benchmarking space) and live only inside the lab's namespaces,
 * except one veth end in the root namespace so that Themis itself reaches oned and the guests.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export interface LabOptions {
  /** Where state, configs, logs and OpenNebula's files live (on the shared filesystem: it is the shared datastore) */
  state_dir?: string;
  /** Hypervisor hosts (2 by default) */
  hosts?: number;
  /** Prefix of namespace and interface names; ≤ 5 characters so interface names fit in 15 */
  prefix?: string;
  /** Third octet of the lab's /24 inside 198.19.0.0/16 */
  subnet_octet?: number;
  /** Memory of the VM under test and of the supervisor, MiB */
  vm_memory_mib?: number;
  supervisor_memory_mib?: number;
  /** XML-RPC port of oned inside the front-end namespace */
  xmlrpc_port?: number;
}

export interface HostShape {
  index: number;
  /** Network namespace name */
  netns: string;
  /** OpenNebula host name = its address (no name resolution needed anywhere) */
  address: string;
  /** veth end in the front-end namespace (the host's uplink) */
  fe_veth: string;
  dir: string;
}

export interface LabShape {
  prefix: string;
  state_dir: string;
  subnet: string;
  prefix_len: number;
  frontend: { netns: string; address: string; dir: string };
  /** veth end in the root namespace, and its address */
  root_link: { veth: string; peer: string; address: string };
  hosts: HostShape[];
  vm: { name: string; address: string; memory_mib: number };
  supervisor: { name: string; address: string; memory_mib: number };
  /** First address of the virtual network's address range and its size */
  vnet: { first: string; size: number };
  xmlrpc_port: number;
  ssh_dir: string;
}

export const DEFAULT_PREFIX = 'thl';

export function defaultStateDir(): string {
  return process.env.THEMIS_LAB_DIR ?? path.join(process.env.THEMIS_CACHE_DIR ?? path.join(homedir(), '.cache', 'themis'), 'lab-cloud');
}

export function labShape(o: LabOptions = {}): LabShape {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  if (!/^[a-z][a-z0-9]{0,4}$/.test(prefix)) throw new Error(`lab prefix must be 1–5 lowercase letters/digits, got '${prefix}'`);
  const n = o.hosts ?? 2;
  if (!Number.isInteger(n) || n < 2 || n > 8) throw new Error(`lab hosts must be an integer 2–8, got ${n}`);
  const octet = o.subnet_octet ?? 200;
  if (!Number.isInteger(octet) || octet < 0 || octet > 255) throw new Error(`subnet_octet must be 0–255, got ${octet}`);
  const net = `198.19.${octet}`;
  const state_dir = o.state_dir ?? defaultStateDir();
  const hosts = Array.from({ length: n }, (_, i): HostShape => ({
    index: i,
    netns: `${prefix}-h${i}`,
    address: `${net}.${11 + i}`,
    fe_veth: `${prefix}h${i}`,
    dir: path.join(state_dir, `host${i}`),
  }));
  return {
    prefix,
    state_dir,
    subnet: `${net}.0`,
    prefix_len: 24,
    frontend: { netns: `${prefix}-fe`, address: `${net}.1`, dir: path.join(state_dir, 'one') },
    root_link: { veth: `${prefix}-root`, peer: `${prefix}root`, address: `${net}.254` },
    hosts,
    vm: { name: 'themis-vm', address: `${net}.100`, memory_mib: o.vm_memory_mib ?? 256 },
    supervisor: { name: 'themis-supervisor', address: `${net}.101`, memory_mib: o.supervisor_memory_mib ?? 256 },
    vnet: { first: `${net}.100`, size: 50 },
    xmlrpc_port: o.xmlrpc_port ?? 2633,
    ssh_dir: path.join(state_dir, 'ssh'),
  };
}

export function xmlrpcEndpoint(s: LabShape): string {
  return `http://${s.frontend.address}:${s.xmlrpc_port}/RPC2`;
}

/** Every namespace name of the lab (front-end first). */
export function namespacesOf(s: LabShape): string[] {
  return [s.frontend.netns, ...s.hosts.map((h) => h.netns)];
}
