/**
 * `lab cloud up|down|status` as a function for a CLI: progress to stderr, the result to stdout, the exit code
 * returned (0 ok; 1 failed; 2 bad action; 3 status: not up). Used by scripts/lab/cloud.sh (cli.ts) and meant
 * for `themis lab cloud` in app/cli/main.ts.
 */
import { cloudDown, cloudStatus, cloudUp } from './cloud.js';
import type { LabOptions } from './config.js';

export function optionsFromEnv(env: NodeJS.ProcessEnv): LabOptions {
  const o: LabOptions = {};
  if (env.THEMIS_LAB_HOSTS) o.hosts = Number(env.THEMIS_LAB_HOSTS);
  if (env.THEMIS_LAB_DIR) o.state_dir = env.THEMIS_LAB_DIR;
  return o;
}

export async function labCloudCommand(action: string, opts: LabOptions): Promise<number> {
  const err = (l: string) => process.stderr.write(`lab: ${l}\n`);
  switch (action) {
    case 'up': {
      const r = await cloudUp({ ...opts, log: err });
      const s = r.state;
      process.stdout.write(
        `export ONE_XMLRPC=${r.env.ONE_XMLRPC}\nexport ONE_AUTH=${r.env.ONE_AUTH}\n` +
          `# hosts ${s.host_ids.join(',')}; VM under test ${s.vm?.vm_id ?? '-'} (${s.vm?.address ?? '-'}); ` +
          `supervisor ${s.supervisor?.vm_id ?? '-'} (${s.supervisor?.address ?? '-'}); ssh key ${s.ssh.key_file}; ` +
          `known_hosts ${s.ssh.known_hosts}; ${r.reused ? 'reused' : `up in ${(s.up_ms / 1000).toFixed(1)} s`}\n`,
      );
      return 0;
    }
    case 'down': {
      const r = await cloudDown(opts);
      process.stdout.write(`ended ${r.ended_pids.length} processes; deleted namespaces: ${r.namespaces.join(' ') || 'none'}\n`);
      if (r.survivors.length > 0) {
        err(`processes that would not end: ${r.survivors.join(' ')}`);
        return 1;
      }
      return 0;
    }
    case 'status': {
      const st = await cloudStatus(opts);
      process.stdout.write(JSON.stringify(st, null, 2) + '\n');
      return st.up ? 0 : 3;
    }
    default:
      err(`unknown action '${action}' (up | down | status)`);
      return 2;
  }
}

