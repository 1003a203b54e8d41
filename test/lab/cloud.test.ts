/**
 * The lab cloud end to end: `up` brings a real OpenNebula cloud onto this machine (oned + 2 libvirt/QEMU
 * hosts in namespaces), the VM under test and the supervisor RUNNING; one live migration through
 * one.vm.migrate moves the VM's QEMU to the other host (RUNNING there with RSTIME > 0, the domain really in
 * that host's libvirt, the guest answering SSH and UDP echo); `down` leaves no namespace, veth, process or
 * state behind. Between them, the opennebula backend — unchanged — runs a live-vs-cold campaign on the lab into
 * DuckDB, and a trial whose destination libvirtd is killed mid-migration fails cleanly. Uses its own prefix, subnet and state folder, so a user's lab (`thl`) is not touched.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cloudDown, cloudStatus, cloudUp, labClient, waitForTcp, type CloudUpResult } from '../../backends/opennebula/lab/cloud.js';
import { labShape, type LabOptions } from '../../backends/opennebula/lab/config.js';
import { existingNamespaces, rootLinkExists } from '../../backends/opennebula/lab/network.js';
import { netnsInode, pidsInNamespaces } from '../../backends/opennebula/lab/processes.js';
import { until, vmRunningOn } from '../../backends/opennebula/lab/provision.js';
import { domainsOn, killLibvirtd, restartLibvirtd } from '../../backends/opennebula/lab/inspect.js';
import { readFile, writeFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadSweepFile } from '../../core/spec/load.js';
import { runCampaign } from '../../core/engine/engine.js';
import { buildPlan, trialAt } from '../../core/plan/plan.js';
import { createBackend } from '../../backends/opennebula/backend.js';
import { withLibvirtStats } from '../../backends/opennebula/lab/libvirt-stats.js';
import { withMemoryCheck } from '../../backends/opennebula/lab/memory-check.js';
import type { OneClient } from '../../backends/opennebula/client.js';
import { lastHistory } from '../../backends/opennebula/xml.js';

let opts: LabOptions;
let up: CloudUpResult;
let client: OneClient;
let inodes: number[] = [];

/** One UDP echo from the guest's themis-responder (port 7), or null after timeout_ms. */
function udpEcho(address: string, timeout_ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const t0 = performance.now();
    const timer = setTimeout(() => {
      sock.close();
      resolve(null);
    }, timeout_ms);
    sock.once('message', () => {
      clearTimeout(timer);
      sock.close();
      resolve(performance.now() - t0);
    });
    sock.send(Buffer.from('themis-lab'), 7, address);
  });
}

beforeAll(async () => {
  const state_dir = await mkdtemp(path.join(tmpdir(), 'themis-lab-test-'));
  opts = { prefix: 'thlt', subnet_octet: 201, state_dir, hosts: 2, vm_memory_mib: 256, supervisor_memory_mib: 256 };
  await cloudDown(opts); // a crashed earlier run of this test
  up = await cloudUp({ ...opts, log: (l) => process.stderr.write(`lab: ${l}\n`) });
  const shape = labShape(opts);
  inodes = (await Promise.all([shape.frontend.netns, ...shape.hosts.map((h) => h.netns)].map(netnsInode))).filter((i): i is number => i !== null);
  client = await labClient(up.state);
}, 600_000);

afterAll(async () => {
  if (!opts) return;
  const shape = labShape(opts);
  const r = await cloudDown(opts);
  // down leaves nothing behind: no process in the lab's namespaces, no namespace, no root veth, no state.
  expect(r.survivors).toEqual([]);
  expect(await pidsInNamespaces(inodes)).toEqual([]);
  expect(await existingNamespaces(shape.prefix)).toEqual([]);
  expect(await rootLinkExists(shape)).toBe(false);
  expect(existsSync(shape.state_dir)).toBe(false);
}, 120_000);

describe('lab cloud', () => {
  test('up: oned answers, hosts ON, both VMs RUNNING on host 0, guests answer', async () => {
    const st = await cloudStatus(opts);
    expect(st.problem).toBeNull();
    expect(st.up).toBe(true);
    expect(st.hosts.map((h) => h.state)).toEqual([2, 2]);
    expect(up.env.ONE_XMLRPC).toBe('http://198.19.201.1:2633/RPC2');
    expect(await client.version()).toMatch(/^7\./);
    const vm = up.state.vm!;
    const sup = up.state.supervisor!;
    expect(await vmRunningOn(client, vm.vm_id)).toBe(up.state.host_ids[0]);
    expect(await vmRunningOn(client, sup.vm_id)).toBe(up.state.host_ids[0]);
    // The QEMU processes really run in host 0's libvirt.
    const shape = labShape(opts);
    expect((await domainsOn(shape.hosts[0])).sort()).toEqual([`one-${sup.vm_id}`, `one-${vm.vm_id}`].sort());
    expect(await domainsOn(shape.hosts[1])).toEqual([]);
    await waitForTcp(vm.address, 22, 30_000);
    expect(await until('UDP echo from the VM', 20_000, () => udpEcho(vm.address, 500))).toBeGreaterThan(0);
  });

  test('a live migration through one.vm.migrate moves the VM to host 1', async () => {
    const vm = up.state.vm!;
    const [h0, h1] = up.state.host_ids;
    const before = (await client.vmInfo(vm.vm_id)).history.length;
    const t0 = performance.now();
    await client.migrate({ vm_id: vm.vm_id, host_id: h1, live: true, enforce_capacity: false, datastore_id: -1, migration_type: 0 });
    // Done = RUNNING with the last HISTORY record (the new host) started: RSTIME > 0.
    const on = await until('VM RUNNING on host 1 with RSTIME > 0', 90_000, async () => {
      const info = await client.vmInfo(vm.vm_id);
      if (info.history.length <= before) return null;
      return vmRunningOn(client, vm.vm_id);
    });
    const total_ms = performance.now() - t0;
    process.stderr.write(`lab: live migration through OpenNebula took ${total_ms.toFixed(0)} ms\n`);
    expect(on).toBe(h1);
    const info = await client.vmInfo(vm.vm_id);
    const last = lastHistory(info)!;
    expect(last.hid).toBe(h1);
    expect(last.rstime_s).toBeGreaterThan(0);
    expect(info.history[info.history.length - 2].hid).toBe(h0);
    const shape = labShape(opts);
    expect(await domainsOn(shape.hosts[1])).toEqual([`one-${vm.vm_id}`]);
    expect(await domainsOn(shape.hosts[0])).toEqual([`one-${up.state.supervisor!.vm_id}`]);
    // Live: the guest kept running (no reboot) and answers at its address from the new host.
    expect(await until('UDP echo after the migration', 20_000, () => udpEcho(vm.address, 500))).toBeGreaterThan(0);
    await waitForTcp(vm.address, 22, 20_000);
  }, 180_000);
});

/** A sweep for this test's lab (its own SSH material), loaded as the CLI would. */
async function labSweep(name: string, modes: string[], repetitions: number) {
  const file = path.join(opts.state_dir!, `${name}.yaml`);
  await writeFile(
    file,
    `name: ${name}
backend: opennebula
seed: 7
repetitions: ${repetitions}
parameters:
  memory_mib: 256
  probe_interval_ms: 5
axes:
  - grid:
      mode: [${modes.join(', ')}]
opennebula:
  themis_user: lab
  poll_interval_ms: 100
  trial_timeout_s: 240
  probe: themis-prober
  probe_port: 7
  ssh:
    user: root
    key_file: ${up.state.ssh.key_file}
    known_hosts: ${up.state.ssh.known_hosts}
`,
  );
  return loadSweepFile(file);
}

const backendEnv = () => ({ ...process.env, ...up.env });

describe('the opennebula backend on the lab', () => {
  test('live vs cold campaign into DuckDB: live outage hundreds of ms, cold outage seconds, all verified', async () => {
    const spec = await labSweep('lab-live-vs-cold', ['live', 'cold'], 3);
    const db = path.join(opts.state_dir!, 'lab.duckdb');
    // The backend unchanged; the lab adds libvirt's own downtime of each live migration (destination's domjobinfo).
    // And the guest's memory (32 MiB of random data in its RAM-backed /tmp) verified after each live migration.
    const stats = withLibvirtStats(createBackend(backendEnv()), labShape(opts), client, up.state.host_ids, up.state.vm!.vm_id);
    const backend = withMemoryCheck(stats, { host: up.state.vm!.address, port: 22, user: 'root' }, {
      key_file: up.state.ssh.key_file,
      known_hosts: up.state.ssh.known_hosts,
      accept_new_host_keys: false,
      connect_timeout_ms: 15_000,
    });
    const outcome = await runCampaign({ spec, dbPath: db, backend });
    expect(outcome.ran).toBe(6);
    const inst = await DuckDBInstance.create(db);
    const con = await inst.connect();
    try {
      const rows = (
        await con.runAndReadAll(`SELECT mode, status, failure_reason, total_ms, downtime_ms, outage_ms, loss_pct, detail FROM trials ORDER BY trial_index`)
      ).getRowObjectsJson();
      expect(rows).toHaveLength(6);
      const outages: Record<string, number[]> = { live: [], cold: [] };
      for (const r of rows) {
        process.stderr.write(`lab: ${r.mode} total ${Number(r.total_ms).toFixed(0)} ms, downtime ${r.downtime_ms === null ? '-' : Number(r.downtime_ms).toFixed(0)} ms, outage ${Number(r.outage_ms).toFixed(0)} ms\n`);
        // succeeded = RUNNING on the destination with RSTIME > 0 and the supervisor's probes answered again.
        expect(r.status, JSON.stringify(r)).toBe('succeeded');
        expect(r.failure_reason).toBeNull();
        const outage = Number(r.outage_ms);
        expect(outage).toBeGreaterThan(0);
        expect(Number(r.total_ms)).toBeGreaterThan(outage);
        outages[String(r.mode)].push(outage);
        if (r.mode === 'live') {
          // libvirt's pause of the VM: positive, and part of the whole migration.
          expect(Number(r.downtime_ms)).toBeGreaterThan(0);
          expect(Number(r.downtime_ms)).toBeLessThan(Number(r.total_ms));
          const detail = (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as { memory_check?: { before: string; after: string } };
          expect(detail.memory_check?.before).toMatch(/^[0-9a-f]{32}$/);
          expect(detail.memory_check?.after).toBe(detail.memory_check?.before);
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      // Live: hundreds of ms (one trial of a loaded 2-core machine has shown 1.7 s: bounded, not exact).
      expect(median(outages.live)).toBeLessThan(1_000);
      expect(Math.max(...outages.live)).toBeLessThan(2_500);
      // Cold: the guest powers off and boots again — seconds, and every cold outage longer than every live one.
      expect(Math.min(...outages.cold)).toBeGreaterThan(2_000);
      expect(Math.min(...outages.cold)).toBeGreaterThan(Math.max(...outages.live));
    } finally {
      con.closeSync();
      inst.closeSync();
    }
  }, 900_000);

  test("destination libvirtd killed mid-migration: a failed trial with OpenNebula's reason, VM still on its source, next trial runs", async () => {
    const spec = await labSweep('lab-fault', ['live'], 2);
    const plan = buildPlan(spec.sweep);
    const b = createBackend(backendEnv());
    await b.prepare({ campaign_id: 'lab-fault', spec, spec_dir: opts.state_dir! }, new AbortController().signal);
    const shape = labShape(opts);
    const vm = up.state.vm!;
    try {
      const source = lastHistory(await client.vmInfo(vm.vm_id))!.hid;
      const destIndex = up.state.host_ids.findIndex((id) => id !== source);
      const dest = shape.hosts[destIndex];
      const domain = `one-${vm.vm_id}`;
      // Kill the destination's libvirtd as soon as the incoming domain exists there: the migration is under way.
      const killer = until('incoming domain on the destination', 120_000, async () => ((await domainsOn(dest)).includes(domain) ? killLibvirtd(dest) : null), 50);
      const failed = await b.runTrial(trialAt(plan, 0), new AbortController().signal);
      await killer;
      expect(failed.status, JSON.stringify(failed.detail)).toBe('failed');
      expect(failed.failure_reason).toBe('orchestrator_error');
      // The VM still runs on its source, for OpenNebula and for libvirt.
      expect(await vmRunningOn(client, vm.vm_id)).toBe(source);
      expect(await domainsOn(shape.hosts[up.state.host_ids.indexOf(source)])).toContain(domain);
      // OpenNebula's own account of it, in the VM's log on the front-end.
      const vmLog = await readFile(path.join(shape.frontend.dir, 'var', 'vms', String(vm.vm_id), 'vm.log'), 'utf8');
      expect(vmLog).toMatch(/Fail to live migrate VM/);
      // The host comes back and the next trial runs.
      await restartLibvirtd(dest);
      await until('destination ON again', 180_000, async () => {
        const h = (await client.hostPoolInfo()).hosts.find((x) => x.id === up.state.host_ids[destIndex]);
        return h?.state === 2 ? true : null;
      }, 500);
      await until('no leftover domain on the destination', 60_000, async () => ((await domainsOn(dest)).includes(domain) ? null : true), 500);
      const next = await b.runTrial(trialAt(plan, 1), new AbortController().signal);
      expect(next.status, JSON.stringify(next.detail)).toBe('succeeded');
      expect(await vmRunningOn(client, vm.vm_id)).toBe(up.state.host_ids[destIndex]);
    } finally {
      await b.dispose();
    }
  }, 900_000);
});
