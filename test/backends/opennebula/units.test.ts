/**
 * The opennebula backend's pure parts, on documents recorded from the real oned (test/fixtures/opennebula,
 * each checked against OpenNebula's own XSDs with xmllint) and on real iperf3 output.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendSetupError } from '../../../core/errors.js';
import { parseAuthText, loadCredentials } from '../../../backends/opennebula/auth.js';
import { parseHostPool, parseVm, parseVmPool, lastHistory } from '../../../backends/opennebula/xml.js';
import { judge } from '../../../backends/opennebula/wait.js';
import { verifyPlacement } from '../../../backends/opennebula/trial.js';
import { modeMapping, phaseOfState } from '../../../backends/opennebula/modes.js';
import { EXPECTED_STATES, statesFollow } from '../../support/opennebula-states.js';
import { chooseDestination, destinationCandidates } from '../../../backends/opennebula/discovery.js';
import { parseKnownHosts, verifyHostKey, knownHostsName, hostKeyAlgorithmsFor } from '../../../backends/opennebula/known-hosts.js';
import { parseIperf3, iperf3ClientArgs, iperf3Settings } from '../../../backends/opennebula/iperf3.js';
import { shellQuote } from '../../../backends/opennebula/agents.js';
import { parseEndpoint } from '../../../backends/opennebula/ssh.js';
import { isFailureState } from '../../../backends/opennebula/states.js';
import { onedTimes } from '../../../backends/opennebula/history.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.THEMIS_SHARED ?? path.resolve(repoRoot, '../shared');
const fixtures = path.join(repoRoot, 'test/fixtures/opennebula');
const fx = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

function schemaFor(file: string): string {
  if (file.startsWith('vmpool')) return 'vm_pool.xsd';
  if (file.startsWith('hostpool')) return 'host_pool.xsd';
  return 'vm.xsd';
}

describe('recorded documents', () => {
  const xmlFiles = readdirSync(fixtures).filter((f) => f.endsWith('.xml'));

  test('there are recorded documents of each kind', () => {
    expect(xmlFiles).toEqual(expect.arrayContaining(['vm-running.xml', 'vmpool.xml', 'hostpool.xml', 'vm-after-live.xml']));
  });

  test.each(xmlFiles)('%s validates against the OpenNebula XSD (xmllint)', (file) => {
    const xsd = path.join(shared, 'fixtures/opennebula', schemaFor(file));
    if (!existsSync(xsd)) throw new Error(`OpenNebula XSDs not found at ${xsd}: set THEMIS_SHARED`);
    // Responses carry no namespace; the schemas declare one (see NOTICE.md next to them).
    const withNs = fx(file).replace(/^<([A-Z_]+)>/, '<$1 xmlns="http://opennebula.org/XMLSchema">');
    const dir = mkdtempSync(path.join(tmpdir(), 'themis-xsd-'));
    try {
      writeFileSync(path.join(dir, file), withNs);
      const r = spawnSync('xmllint', ['--noout', '--schema', xsd, path.join(dir, file)], { encoding: 'utf8' });
      if (r.error) throw new Error(`xmllint missing (libxml2-utils): ${r.error.message}`);
      expect(r.status, r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a running VM: context, NIC address, placement', () => {
    const vm = parseVm(fx('vm-running.xml'));
    expect(vm.context).toMatchObject({ THEMIS_TYPE: 'vm', THEMIS_USER: 'ci' });
    expect(vm.nics[0].ip).toBe('127.0.0.2');
    expect(vm.state).toBe(3);
    expect(vm.lcm_state).toBe(3);
    expect(lastHistory(vm)?.rstime_s).toBeGreaterThan(0);
  });

  test('the VM pool lists VMs without history (reduced template)', () => {
    const vms = parseVmPool(fx('vmpool.xml'));
    expect(vms.map((v) => v.name).sort()).toEqual(['supervisor', 'vm-under-test']);
    expect(vms.every((v) => v.history.length === 0)).toBe(true);
  });

  test('the host pool: two dummy hosts ON in cluster 0', () => {
    const hosts = parseHostPool(fx('hostpool.xml'));
    expect(hosts.map((h) => [h.id, h.state, h.cluster_id, h.vm_mad]).sort()).toEqual([
      [0, 2, 0, 'dummy'],
      [1, 2, 0, 'dummy'],
    ]);
    expect(destinationCandidates(hosts, 0).map((h) => h.id)).toEqual([1]);
    expect(chooseDestination(hosts, 1, 'round-robin')?.id).toBe(0);
    expect(chooseDestination(hosts, 0, [0, 1])?.id).toBe(1);
    expect(chooseDestination(hosts, 0, [5])).toBeNull();
  });
});

describe('destinations over three hosts', () => {
  // oned lists hosts by descending id; host 3 is in another cluster, host 4 is OFF (DISABLED)
  const host = (id: number, state = 2, cluster_id = 0) => ({ ...parseHostPool(fx('hostpool.xml'))[0], id, name: `h${id}`, state, cluster_id });
  const hosts = [host(4, 4), host(3, 2, 1), host(2), host(1), host(0)];
  /** Where the VM goes in `n` trials from host `from`, each trial starting where the last one ended. */
  const walk = (from: number, wanted: 'round-robin' | number[], n: number) => {
    const seen: number[] = [];
    for (let at = from, i = 0; i < n; i++) seen.push((at = chooseDestination(hosts, at, wanted)?.id ?? -1));
    return seen;
  };

  test('round-robin visits every ON host of the cluster in ascending id order, whatever order oned lists them in', () => {
    expect(walk(0, 'round-robin', 6)).toEqual([1, 2, 0, 1, 2, 0]);
    expect(walk(2, 'round-robin', 3)).toEqual([0, 1, 2]);
    expect(destinationCandidates(hosts, 0).map((h) => h.id)).toEqual([1, 2]);
  });

  test('an explicit list is taken in its own cyclic order, the next entry after the current host', () => {
    expect(walk(0, [0, 1, 2], 6)).toEqual([1, 2, 0, 1, 2, 0]);
    expect(walk(0, [2, 1, 0], 3)).toEqual([2, 1, 0]);
    // the VM on a host the list does not name: its first entry; an entry that cannot take it (OFF) is skipped
    expect(chooseDestination(hosts, 0, [1, 2])?.id).toBe(1);
    expect(walk(1, [1, 4, 2], 3)).toEqual([2, 1, 2]);
  });
});

describe('judging a migration from the VM document', () => {
  const opts = { source_host_id: 0, dest_host_id: 1, seq_before: 0 };

  test('done: last record on the destination with RSTIME > 0', () => {
    expect(judge(parseVm(fx('vm-after-live.xml')), opts)?.kind).toBe('done');
  });

  test('the trap: RUNNING on the new record before it started is not done', () => {
    const early = fx('vm-after-live.xml').replace(/(<SEQ>1<\/SEQ>[\s\S]*?<RSTIME>)\d+(<\/RSTIME>)/, '$10$2');
    expect(parseVm(early).history[1].rstime_s).toBe(0);
    expect(judge(parseVm(early), opts)).toBeNull();
  });

  test('still migrating', () => {
    expect(judge(parseVm(fx('vm-migrating.xml')), { source_host_id: 1, dest_host_id: 0, seq_before: 3 })).toBeNull();
  });

  test('a failed live migration falls back to the source host', () => {
    const vm = parseVm(fx('vm-after-failed-live.xml'));
    expect(judge(vm, { source_host_id: 1, dest_host_id: 0, seq_before: 1 })?.kind).toBe('fell_back');
  });

  test('failure states', () => {
    expect(isFailureState(3, 37)).toBe(true); // BOOT_MIGRATE_FAILURE
    expect(isFailureState(3, 16)).toBe(true); // UNKNOWN
    expect(isFailureState(3, 4)).toBe(false); // MIGRATE
    expect(isFailureState(8, 0)).toBe(true); // POWEROFF
  });

  test('verification of the placement after live and cold migrations', () => {
    expect(verifyPlacement(parseVm(fx('vm-after-live.xml')), 1, 0, modeMapping('live'))).toBeNull();
    expect(verifyPlacement(parseVm(fx('vm-after-cold.xml')), 0, 5, modeMapping('cold'))).toBeNull();
    expect(verifyPlacement(parseVm(fx('vm-after-cold.xml')), 0, 5, modeMapping('live'))).toMatch(/ACTION 48, expected 2/);
    expect(verifyPlacement(parseVm(fx('vm-after-live.xml')), 0, 0, modeMapping('live'))).toMatch(/not on the destination 0/);
  });
});

describe('oned\'s own times from HISTORY', () => {
  test('live and cold migrations as recorded', () => {
    expect(onedTimes(parseVm(fx('vm-after-live.xml')).history, 0)).toEqual({ total_s: 1, prolog_s: null, stopped_s: 0, epilog_s: null, source_action: 2 });
    expect(onedTimes(parseVm(fx('vm-after-cold.xml')).history, 5)).toMatchObject({ total_s: 0, source_action: 48 });
    expect(onedTimes([], 0).total_s).toBeNull();
  });
});

describe('modes', () => {
  test('one.vm.migrate arguments per mode', () => {
    expect([modeMapping('live').live, modeMapping('suspend').migration_type, modeMapping('cold').migration_type, modeMapping('cold-hard').migration_type]).toEqual([true, 0, 1, 2]);
  });

  test('observed state sequences', () => {
    expect(statesFollow(['RUNNING', 'MIGRATE', 'RUNNING'], EXPECTED_STATES['live'])).toBe(true);
    expect(statesFollow(['SAVE_MIGRATE', 'BOOT', 'RUNNING'], EXPECTED_STATES['cold'])).toBe(true);
    expect(statesFollow(['SAVE_MIGRATE', 'BOOT', 'RUNNING'], EXPECTED_STATES['suspend'])).toBe(false);
    expect(statesFollow(['MIGRATE'], EXPECTED_STATES['live'])).toBe(false);
    expect(phaseOfState('SAVE_MIGRATE', 'suspend')).toBe('save');
    expect(phaseOfState('SAVE_MIGRATE', 'cold')).toBe('shutdown');
  });
});

describe('credentials', () => {
  test('user:password, the password may hold colons', () => {
    expect(parseAuthText('\n oneadmin:pa:ss \n', 'f')).toEqual({ user: 'oneadmin', password: 'pa:ss' });
    expect(() => parseAuthText('oneadmin', 'f')).toThrow(BackendSetupError);
  });

  test('ONE_AUTH and ONE_XMLRPC are honoured; a missing file is a setup error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'themis-auth-'));
    try {
      writeFileSync(path.join(dir, 'auth'), 'alice:secret\n');
      const c = await loadCredentials({ ONE_AUTH: path.join(dir, 'auth'), ONE_XMLRPC: 'http://127.0.0.1:1/RPC2' });
      expect(c).toMatchObject({ user: 'alice', session: 'alice:secret', endpoint: 'http://127.0.0.1:1/RPC2' });
      await expect(loadCredentials({ ONE_AUTH: path.join(dir, 'missing') })).rejects.toThrow(/no OpenNebula credentials/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('known_hosts', () => {
  const keyBlob = (type: string, body: string) => {
    const t = Buffer.from(type);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(t.length);
    return Buffer.concat([len, t, Buffer.from(body)]);
  };
  const k1 = keyBlob('ssh-ed25519', 'one');
  const k2 = keyBlob('ssh-ed25519', 'two');
  const rsa = keyBlob('ssh-rsa', 'three');
  const salt = Buffer.from('0123456789abcdef0123');
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[10.0.0.9]:2222').digest('base64')}`;
  const text = [
    `# comment`,
    `[127.0.0.2]:2200,other ssh-ed25519 ${k1.toString('base64')}`,
    `${hashed} ssh-ed25519 ${k1.toString('base64')}`,
    `*.lab,!bad.lab ssh-ed25519 ${k1.toString('base64')}`,
    `@revoked * ssh-ed25519 ${k2.toString('base64')}`,
  ].join('\n');
  const entries = parseKnownHosts(text);

  test('names with ports', () => {
    expect(knownHostsName('h', 22)).toBe('h');
    expect(knownHostsName('127.0.0.2', 2200)).toBe('[127.0.0.2]:2200');
  });

  test('match, hashed match, wildcard and negation', () => {
    expect(verifyHostKey(entries, '[127.0.0.2]:2200', k1)).toBe('match');
    expect(verifyHostKey(entries, '[10.0.0.9]:2222', k1)).toBe('match');
    expect(verifyHostKey(entries, 'a.lab', k1)).toBe('match');
    expect(verifyHostKey(entries, 'bad.lab', k1)).toBe('unknown');
  });

  test('changed, unknown and revoked keys', () => {
    expect(verifyHostKey(entries, '[127.0.0.2]:2201', k1)).toBe('unknown');
    expect(verifyHostKey(entries, 'a.lab', k2)).toBe('revoked');
    expect(verifyHostKey(entries, '[127.0.0.2]:2200', keyBlob('ssh-ed25519', 'other'))).toBe('changed');
    expect(verifyHostKey(entries, '[127.0.0.2]:2200', rsa)).toBe('unknown');
    expect(hostKeyAlgorithmsFor(entries, '[127.0.0.2]:2200')).toEqual(['ssh-ed25519']);
  });
});

describe('iperf3 probe', () => {
  test('real output of an interrupted reverse UDP stream', () => {
    const s = parseIperf3(fx('iperf3-reverse-interrupted.json'));
    expect(s.error).toBeNull();
    expect(s.packets_received).toBeGreaterThan(500);
    expect(s.gaps).toEqual([]);
    expect(s.outage_ms).toBe(0);
    expect(s.loss_pct).toBe(0);
    expect(s.tail_packets).toBeGreaterThan(0);
  });

  test('a silence that ends: its lost packets at the sending rate', () => {
    const real = JSON.parse(fx('iperf3-reverse-interrupted.json'));
    // 625 packets/s of 200 bytes; 0.2 s of silence, then 150 packets lost counted when traffic resumes
    const iv = (start: number, packets: number, lost: number) => ({ sum: { start, end: start + 0.1, seconds: 0.1, packets, lost_packets: lost } });
    real.intervals = [iv(0, 62, 0), iv(0.1, 0, 0), iv(0.2, 0, 0), iv(0.3, 200, 150), iv(0.4, 62, 0)];
    const s = parseIperf3(JSON.stringify(real));
    expect(s.gaps).toHaveLength(1);
    expect(s.gaps[0]).toMatchObject({ probe: 'iperf3', direction: 'from_vm', start_ms: 100, packets_lost: 150 });
    expect(s.gaps[0].duration_ms).toBeCloseTo(240, 0);
    expect(s.outage_ms).toBeCloseTo(240, 0);
    expect(s.loss_pct).toBeCloseTo((150 / (62 + 50 + 62 + 150)) * 100, 5);
  });

  test('a silence that never ends (the guest went away) is measured by its intervals', () => {
    const real = JSON.parse(fx('iperf3-reverse-interrupted.json'));
    const iv = (start: number, packets: number) => ({ sum: { start, end: start + 0.1, seconds: 0.1, packets, lost_packets: 0 } });
    real.intervals = [iv(0, 62), iv(0.1, 0), iv(0.2, 0), iv(0.3, 0)];
    const s = parseIperf3(JSON.stringify(real));
    expect(s.tail_packets).toBe(0);
    expect(s.gaps[0].packets_lost).toBe(Math.round(0.3 * 625));
  });

  test('not JSON is a clear error', () => {
    expect(() => parseIperf3('iperf3: error - unable to connect')).toThrow(/not JSON/);
  });

  test('client command line', () => {
    const args = iperf3ClientArgs('127.0.0.2', '127.0.0.3', 5201, iperf3Settings(1), 100);
    expect(args.join(' ')).toBe('iperf3 -c 127.0.0.2 -B 127.0.0.3 -p 5201 -u -R -b 512000 -l 64 -t 100 --interval 0.1 -J');
  });
});

describe('small helpers', () => {
  test('shell quoting and endpoints', () => {
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('-p')).toBe('-p');
    expect(parseEndpoint('admin@front:2222', 'root')).toEqual({ user: 'admin', host: 'front', port: 2222 });
    expect(parseEndpoint('front', 'root')).toEqual({ user: 'root', host: 'front', port: 22 });
  });
});
