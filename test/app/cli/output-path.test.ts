/**
 * Output paths are refused before any work (exit 2, a message naming the option, nothing written): a path under
 * a file, a virtual file system (under /proc a recursive mkdir blocked for ever), a folder where a file is
 * expected and the reverse. Before, these ran the whole campaign and then died with a stack trace (exit 1).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputPath } from '../../../app/cli/output-path.js';
import { UsageError } from '../../../core/errors.js';
import { themisCli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'themis-output-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SWEEP = 'name: out-path\nbackend: simulator\nrepetitions: 2\naxes:\n  - grid:\n      mode: [live, cold]\n';

describe('output paths are checked before any work', () => {
  it('accepts a new file in a new folder, and refuses what cannot be written, naming why', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    mkdirSync(join(dir, 'a-folder'));
    expect(() => checkOutputPath('--out', join(dir, 'new', 'deeper', 'r.html'))).not.toThrow();
    expect(() => checkOutputPath('--out', file)).not.toThrow(); // replaced
    const refusal = (option: string, path: string, kind?: 'file' | 'folder') => {
      try {
        checkOutputPath(option, path, kind);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refusal('--report', join(file, 'r.html'))).toBe(`--report ${join(file, 'r.html')}: cannot write there (${file} is not a folder)`);
    expect(refusal('--db', '/proc/themis-nope/x.duckdb')).toBe('--db /proc/themis-nope/x.duckdb: cannot write there (/proc is on procfs, which holds no files)');
    expect(refusal('--out', '/sys/x.json')).toMatch(/on sysfs/);
    expect(refusal('--out', join(dir, 'a-folder'))).toMatch(/it is a folder; expected a file name/);
    expect(refusal('--out', file, 'folder')).toMatch(/it is a file; expected a folder/);
  });

  it('themis run exits 2 before simulating when --report or --db cannot be written, and writes nothing', () => {
    const cwd = mkdtempSync(join(dir, 'run-'));
    writeFileSync(join(cwd, 'sweep.yaml'), SWEEP);
    writeFileSync(join(cwd, 'blocker'), 'x');
    const r = themisCli(cwd, 'run', 'sweep.yaml', '--report', 'blocker/r.html');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --report blocker/r.html: cannot write there (' + join(cwd, 'blocker') + ' is not a folder)\n');
    expect(r.stderr).not.toMatch(/at .*\.js/);
    const db = themisCli(cwd, 'run', 'sweep.yaml', '--db', '/proc/themis-nope/x.duckdb');
    expect(db.code).toBe(2);
    expect(db.stderr).toMatch(/--db \/proc\/themis-nope\/x\.duckdb: cannot write there/);
    expect(readdirSync(cwd).sort()).toEqual(['blocker', 'sweep.yaml']);
    expect(existsSync(join(cwd, 'results'))).toBe(false);
  });

  it('report, export, schema and merge check their outputs the same way', () => {
    const cwd = mkdtempSync(join(dir, 'cmds-'));
    writeFileSync(join(cwd, 'sweep.yaml'), SWEEP);
    expect(themisCli(cwd, 'run', 'sweep.yaml', '--no-report').code).toBe(0);
    const db = 'results/out-path.duckdb';
    for (const args of [
      ['report', db, '--out', cwd],
      ['export', db, '--format', 'dataset', '--out', join(cwd, 'sweep.yaml')],
      ['schema', '--out', '/sys/themis.json'],
      ['merge', '/proc/themis.duckdb', db],
    ]) {
      const r = themisCli(cwd, ...args);
      expect([args[0], r.code]).toEqual([args[0], 2]);
      expect(r.stderr).toMatch(/^error: .*cannot write there \(.+\)\n$/);
    }
  });
});
