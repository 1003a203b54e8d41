/** scripts/opennebula/build.sh: cached builds are reused, and a machine without the source gets a clear message. */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { configureMonitord, configureOned, onedBuilt, onePrefix } from '../../support/oned.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const script = path.join(repoRoot, 'scripts/opennebula/build.sh');
const build = (env: NodeJS.ProcessEnv) => spawnSync('bash', [script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

describe('scripts/opennebula/build.sh', () => {
  test('a finished build is reused, not rebuilt', () => {
    if (!onedBuilt()) throw new Error("OpenNebula is not built: run 'bash scripts/opennebula/build.sh'");
    const r = build({ THEMIS_ONE_PREFIX: onePrefix() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cached at/);
  });

  test('without any source it fails naming OPENNEBULA_SOURCE', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'themis-build-'));
    try {
      const r = build({ THEMIS_ONE_PREFIX: path.join(dir, 'prefix'), THEMIS_SHARED: path.join(dir, 'no-shared'), OPENNEBULA_SOURCE: '' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/no OpenNebula source\. Set OPENNEBULA_SOURCE/);
      const bad = build({ THEMIS_ONE_PREFIX: path.join(dir, 'prefix'), OPENNEBULA_SOURCE: path.join(dir, 'missing.tar.xz') });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/OPENNEBULA_SOURCE=.*missing\.tar\.xz is neither a file nor a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('test configuration of the built oned', () => {
  test('127.0.0.1 only, the given ports, dummy drivers, no DRS, no hostname lookup', () => {
    if (!onedBuilt()) throw new Error("OpenNebula is not built: run 'bash scripts/opennebula/build.sh'");
    const oned = configureOned(readFileSync(path.join(onePrefix(), 'etc/oned.conf'), 'utf8'), { xmlrpc: 40123, grpc: 40125, hook_publisher: 40126, hook_logger: 40127 });
    expect(oned).toMatch(/^PORT = 40123$/m);
    expect(oned).toMatch(/^LISTEN_ADDRESS = "127\.0\.0\.1"$/m);
    expect(oned).not.toMatch(/0\.0\.0\.0/);
    expect(oned).toMatch(/^DRS_INTERVAL = -1$/m);
    expect(oned).toMatch(/^HOSTNAME = "127\.0\.0\.1"$/m);
    expect(oned).toMatch(/^VM_MAD = \[ NAME="dummy".*\n\s*TYPE="xml" \]/m);
    const mon = configureMonitord(readFileSync(path.join(onePrefix(), 'etc/monitord.conf'), 'utf8'), 40124);
    expect(mon).toMatch(/ADDRESS\s+= "127\.0\.0\.1"/);
    expect(mon).toMatch(/PORT\s+= 40124/);
    expect(mon).toMatch(/^IM_MAD = \[\n\s+NAME\s+= "dummy"/m);
  });
});
