/**
 * The lab's pure parts: its shape (names, addresses, limits), the configuration texts it writes, the template
 * of a guest, and the parser of libvirt's completed-job statistics (text recorded from the lab's libvirt 11.3).
 */
import { describe, expect, test } from 'vitest';
import { labShape, namespacesOf, xmlrpcEndpoint } from '../../backends/opennebula/lab/config.js';
import { qemuConfFor, sshdConfigFor } from '../../backends/opennebula/lab/host.js';
import { configureMonitord, configureOned, configureVmmExecKvm } from '../../backends/opennebula/lab/frontend.js';
import { templateText } from '../../backends/opennebula/lab/provision.js';
import { parseDomJobInfo } from '../../backends/opennebula/lab/inspect.js';

describe('lab shape', () => {
  test('names and addresses inside 198.18.0.0/15, interface names within 15 characters', () => {
    const s = labShape({ state_dir: '/x', hosts: 3 });
    expect(namespacesOf(s)).toEqual(['thl-fe', 'thl-h0', 'thl-h1', 'thl-h2']);
    expect(s.hosts.map((h) => h.address)).toEqual(['198.19.200.11', '198.19.200.12', '198.19.200.13']);
    expect(xmlrpcEndpoint(s)).toBe('http://198.19.200.1:2633/RPC2');
    for (const name of [s.root_link.veth, s.root_link.peer, ...s.hosts.map((h) => h.fe_veth)]) expect(name.length).toBeLessThanOrEqual(15);
    expect(s.vm.address).toBe('198.19.200.100');
    expect(s.supervisor.address).toBe('198.19.200.101');
  });

  test('refuses bad options', () => {
    expect(() => labShape({ hosts: 1 })).toThrow(/2–8/);
    expect(() => labShape({ prefix: 'Bad-Prefix' })).toThrow(/prefix/);
    expect(() => labShape({ subnet_octet: 300 })).toThrow(/subnet_octet/);
  });
});

describe('configuration texts', () => {
  const s = labShape({ state_dir: '/lab' });
  const h = s.hosts[1];

  test('qemu.conf: root, no cgroups/namespaces/security driver, migration on the host address', () => {
    const c = qemuConfFor(h);
    expect(c).toMatch(/^user = "root"$/m);
    expect(c).toMatch(/^cgroup_controllers = \[ \]$/m);
    expect(c).toMatch(/^security_driver = "none"$/m);
    expect(c).toMatch(/^migration_address = "198\.19\.200\.12"$/m);
    expect(c).toMatch(/^migration_host = "198\.19\.200\.12"$/m);
  });

  test('sshd: only the host address, key auth only, RUBYLIB for the drivers', () => {
    const c = sshdConfigFor(s, h, '/one/lib/ruby');
    expect(c).toMatch(/^ListenAddress 198\.19\.200\.12$/m);
    expect(c).toMatch(/^PasswordAuthentication no$/m);
    expect(c).toMatch(/^SetEnv RUBYLIB=\/one\/lib\/ruby$/m);
    expect(c).toMatch(/^AuthorizedKeysFile \/lab\/ssh\/authorized_keys$/m);
  });

  test('oned, monitord and the KVM driver defaults', () => {
    const oned = configureOned('PORT = 2633\nLISTEN_ADDRESS = "0.0.0.0"\nDRS_INTERVAL = 600\n', 2700);
    expect(oned).toMatch(/^PORT = 2700$/m);
    expect(oned).toMatch(/^DRS_INTERVAL = -1$/m);
    expect(configureMonitord('NETWORK = [\n    ADDRESS         = "::",\n]', '198.19.200.1')).toMatch(/ADDRESS\s+= "198\.19\.200\.1"/);
    const kvm = configureVmmExecKvm('#EMULATOR = /usr/libexec/qemu-kvm\nEMULATOR = /usr/bin/qemu-kvm-one\n');
    expect(kvm.match(/^EMULATOR\s*=.*$/gm)).toEqual(['EMULATOR = /usr/bin/qemu-system-x86_64']);
  });

  test('a disk-less guest template with its address on the kernel command line and THEMIS_TYPE in context', () => {
    const t = templateText(
      { name: 'themis-vm', address: '198.19.200.100', memory_mib: 256, type: 'vm' },
      { kernel: '/k', initrd: '/i', kernel_cmd: 'console=ttyS0 rdinit=/lab-init' },
      3,
      24,
    );
    expect(t).toContain('KERNEL_CMD="console=ttyS0 rdinit=/lab-init themis.ip=198.19.200.100/24"');
    expect(t).toContain('NIC=[NETWORK_ID="3", IP="198.19.200.100", MODEL="virtio"]');
    expect(t).toContain('THEMIS_TYPE="vm"');
    expect(t).toContain('THEMIS_USER="lab"');
    expect(t).toContain('MEMORY="256"');
  });
});

describe('libvirt job statistics', () => {
  const completed = `Job type:         Completed   
Operation:        Incoming migration
Time elapsed:     1848         ms
Time elapsed w/o network: 1845         ms
Data processed:   108.475 MiB
Data remaining:   0.000 B
Data total:       384.758 MiB
Iteration:        3           
Total downtime:   335          ms
Downtime w/o network: 332          ms
Setup time:       2            ms
`;

  test('a completed incoming migration', () => {
    expect(parseDomJobInfo(completed)).toEqual({
      operation: 'Incoming migration',
      elapsed_ms: 1848,
      downtime_ms: 335,
      data_processed_bytes: Math.round(108.475 * 1024 * 1024),
      iterations: 3,
    });
  });

  test('no completed job', () => {
    expect(parseDomJobInfo('Job type:         None        \n\n')).toBeNull();
  });
});
