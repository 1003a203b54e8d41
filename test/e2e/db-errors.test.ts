/**
 * Databases that cannot be used as asked, through the real CLI: bad input (exit 2, what to do), never an
 * internal error — and nothing left behind by a run that failed before writing. `themis sql` is sandboxed.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { themisCli as themis } from '../support/cli.js';
import { sleep, spawnThemis, waitForFile } from '../support/spawn.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'themis-db-errors-'));
  writeFileSync(join(dir, 'small.yaml'), 'name: small\nrepetitions: 5\n');
  writeFileSync(join(dir, 'long.yaml'), 'name: long\nrepetitions: 40000\nparameters: { memory_mib: 4096, dirty_rate_pages_s: 20000 }\naxes:\n  - grid: { mode: [live, hybrid] }\n');
  writeFileSync(join(dir, 'one.yaml'), 'name: one\nbackend: opennebula\nopennebula: { themis_user: nobody }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('databases that cannot be used', () => {
  it('a --db that is not a database: exit 2, no stack', () => {
    writeFileSync(join(dir, 'notes.duckdb'), 'not a database\n');
    const r = themis(dir, 'run', 'small.yaml', '--db', 'notes.duckdb', '--no-report');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: notes\.duckdb is not a DuckDB database/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('a second run, or sql, on a database a run is writing: exit 2 naming the other process', async () => {
    const run = spawnThemis(dir, 'run', 'long.yaml', '--db', 'busy.duckdb', '--no-report');
    await waitForFile(join(dir, 'busy.duckdb'));
    await sleep(300);
    for (const args of [['run', 'small.yaml', '--db', 'busy.duckdb', '--no-report'], ['sql', 'busy.duckdb', 'SELECT 1']]) {
      const r = themis(dir, ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: database busy\\.duckdb is in use by another Themis process \\(pid ${run.child.pid}\\)`));
    }
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
  });

  it('a setup error (exit 2) leaves no database file behind', () => {
    const r = themis(dir, 'run', 'one.yaml', '--db', 'one.duckdb', '--no-report');
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'one.duckdb'))).toBe(false);
    expect(existsSync(join(dir, 'one.duckdb.wal'))).toBe(false);
  });
});

describe('themis sql is sandboxed', () => {
  beforeAll(() => {
    expect(themis(dir, 'run', 'small.yaml', '--db', 'small.duckdb', '--no-report').code).toBe(0);
  });

  it('refuses to read or write files, or glob directories, unless --allow-files', () => {
    for (const q of [
      "COPY (SELECT 1) TO 'out.csv'",
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM glob('/root/*')",
    ]) {
      const r = themis(dir, 'sql', 'small.duckdb', q);
      expect(r.code, q).toBe(2);
      expect(r.stderr, q).toMatch(/^error: query failed: .*(disabled|external access)/i);
    }
    expect(existsSync(join(dir, 'out.csv'))).toBe(false);
    const allowed = themis(dir, 'sql', 'small.duckdb', "COPY (SELECT 1 AS x) TO 'out.csv'", '--allow-files');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(existsSync(join(dir, 'out.csv'))).toBe(true);
  });
});
