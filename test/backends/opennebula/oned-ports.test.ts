/**
 * Every port an oned of the test suite opens is a free one: two test oneds run side by side (and a user's own
 * oned on 2633/2101/2102/4124 does not break `npm test`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { configureOned, onedBuilt, onePrefix, startOned, type OnedInstance } from '../../support/oned.js';

describe('the ports of a test oned', () => {
  test('no fixed port of the shipped oned.conf is left (XML-RPC, gRPC, the hook manager)', () => {
    if (!onedBuilt()) throw new Error("OpenNebula is not built: run 'bash scripts/opennebula/build.sh'");
    const shipped = readFileSync(path.join(onePrefix(), 'etc/oned.conf'), 'utf8');
    const c = configureOned(shipped, { xmlrpc: 40123, grpc: 40124, hook_publisher: 40125, hook_logger: 40126 });
    expect(c).toMatch(/^PORT = 40123$/m);
    expect(c).toMatch(/^GRPC_PORT = 40124$/m);
    expect(c).toMatch(/ARGUMENTS = "-p 40125 -l 40126 -b 127\.0\.0\.1"/);
    const active = c.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
    for (const fixed of ['2633', '2634', '2101', '2102']) expect(active).not.toMatch(new RegExp(`\\b${fixed}\\b`));
  });

  test('two test oneds start at once and both answer', async () => {
    const started = await Promise.allSettled([
      startOned({ themis_user: 'a', vm_ip: '127.0.0.2', supervisor_ip: '127.0.0.3', hosts: 1 }),
      startOned({ themis_user: 'b', vm_ip: '127.0.0.4', supervisor_ip: '127.0.0.5', hosts: 1 }),
    ]);
    const ok = started.filter((s): s is PromiseFulfilledResult<OnedInstance> => s.status === 'fulfilled').map((s) => s.value);
    try {
      const errors = started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason).slice(0, 600));
      expect(errors).toEqual([]);
      for (const one of ok) expect(await one.client.version()).toMatch(/^\d+\.\d+/);
    } finally {
      await Promise.all(ok.map((one) => one.stop()));
    }
  }, 240_000);
});
