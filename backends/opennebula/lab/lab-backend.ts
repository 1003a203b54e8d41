/**
 * The opennebula backend pointed at the lab cloud (sweep option `opennebula.lab: true`): unchanged, with the two
 * things only the lab can add — libvirt's own downtime of each live migration, read on the destination host, and
 * the guest's memory verified across live and suspend. Endpoint and credentials come from the lab's state.
 */
import type { Backend } from '../../../core/backend.js';
import { BackendSetupError } from '../../../core/errors.js';
import { createBackend } from '../backend.js';
import { labClient } from './cloud.js';
import { optionsFromEnv } from './command.js';
import { labShape } from './config.js';
import { withLibvirtStats } from './libvirt-stats.js';
import { withMemoryCheck } from './memory-check.js';
import { readState, stateFile } from './state.js';

export async function createLabBackend(env: NodeJS.ProcessEnv = process.env): Promise<Backend> {
  const opts = optionsFromEnv(env);
  const shape = labShape(opts);
  const state = await readState(shape.state_dir);
  if (!state || !state.vm) {
    throw new BackendSetupError(`the lab cloud is not up (no VM in ${stateFile(shape.state_dir)}): run 'themis lab cloud up' first`);
  }
  const client = await labClient(state);
  const inner = createBackend({ ...env, ONE_XMLRPC: state.one_xmlrpc, ONE_AUTH: state.one_auth });
  const stats = withLibvirtStats(inner, labShape({ ...opts, hosts: state.hosts }), client, state.host_ids, state.vm.vm_id);
  return withMemoryCheck(stats, { host: state.vm.address, port: 22, user: 'root' }, {
    key_file: state.ssh.key_file,
    known_hosts: state.ssh.known_hosts,
    accept_new_host_keys: false,
    connect_timeout_ms: 15_000,
  });
}
