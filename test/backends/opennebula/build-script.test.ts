/** scripts/opennebula/build.sh: cached builds are reused, and a machine without the source gets a clear message. */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onedBuilt, onePrefix } from '../../support/oned.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const script = path.join(repoRoot, 'scripts/opennebula/build.sh');
const build = (env: NodeJS.ProcessEnv) => spawnSync('bash', [script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

describe('scripts/opennebula/build.sh', () => {
  test('a finished build is reused, not rebuilt', () => {
    if (!onedBuilt()) throw new Error("OpenNebula is not built: run 'bash scripts/opennebula/build.sh'");
    const t0 = Date.now();
    const r = build({ THEMIS_ONE_PREFIX: onePrefix() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cached at/);
    expect(Date.now() - t0).toBeLessThan(30_000);
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
