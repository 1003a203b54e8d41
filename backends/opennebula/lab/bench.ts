/**
 * Benchmark of the lab cloud, for `npm run bench` (bench/run.ts can register it as
 * `lab: async () => (await import('../backends/opennebula/lab/bench.js')).benchLab`): the wall time of `up`
 * (from installed packages and a cached oned build, to both guests answering SSH), of one live migration through
 * one.vm.migrate (request → RUNNING on the other host with RSTIME > 0), and of `down`. Uses its own prefix and
 * subnet, so it never touches a user's lab.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cloudDown, cloudUp, labClient } from './cloud.js';
import type { LabOptions } from './config.js';
import { until, vmRunningOn } from './provision.js';
import { lastHistory } from '../xml.js';

export async function benchLab(): Promise<Record<string, number>> {
  const opts: LabOptions = { prefix: 'thlb', subnet_octet: 202, state_dir: await mkdtemp(path.join(tmpdir(), 'themis-lab-bench-')) };
  await cloudDown(opts);
  const figures: Record<string, number> = {};
  try {
    const t0 = performance.now();
    const up = await cloudUp(opts);
    figures.lab_cloud_up_ms = Math.round(performance.now() - t0);
    const client = await labClient(up.state);
    const vm = up.state.vm!;
    const before = await client.vmInfo(vm.vm_id);
    const source = lastHistory(before)!.hid;
    const dest = up.state.host_ids.find((h) => h !== source)!;
    const t1 = performance.now();
    await client.migrate({ vm_id: vm.vm_id, host_id: dest, live: true, enforce_capacity: false, datastore_id: -1, migration_type: 0 });
    await until('live migration done', 180_000, async () => {
      if ((await client.vmInfo(vm.vm_id)).history.length <= before.history.length) return null;
      return (await vmRunningOn(client, vm.vm_id)) === dest ? true : null;
    }, 50);
    figures.lab_live_trial_ms = Math.round(performance.now() - t1);
  } finally {
    const t2 = performance.now();
    await cloudDown(opts);
    figures.lab_cloud_down_ms = Math.round(performance.now() - t2);
  }
  return figures;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  benchLab().then(
    (f) => process.stdout.write(JSON.stringify(f, null, 2) + '\n'),
    (e: unknown) => {
      process.stderr.write(`bench lab: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
