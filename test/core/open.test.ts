import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { duckdbConfig, openDatabase } from '../../core/store/open.js';

describe('openDatabase (every DuckDB file is opened through the store)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'themis-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes DuckDB the same configuration the callers passed it themselves before', () => {
    expect(duckdbConfig()).toEqual({});
    expect(duckdbConfig({ readOnly: true })).toEqual({ access_mode: 'READ_ONLY' });
    expect(duckdbConfig({ readOnly: true, sandbox: true })).toEqual({
      access_mode: 'READ_ONLY',
      enable_external_access: 'false',
      lock_configuration: 'true',
    });
  });

  it('read-only refuses writes, the sandbox refuses file access, close releases the file', async () => {
    const path = join(dir, 'a.duckdb');
    const rw = await openDatabase(path);
    await rw.connection.run('CREATE TABLE t AS SELECT 1 AS x');
    rw.close();
    const ro = await openDatabase(path, { readOnly: true });
    await expect(ro.connection.run('INSERT INTO t VALUES (2)')).rejects.toThrow(/read-only/i);
    ro.close();
    const sandboxed = await openDatabase(path, { readOnly: true, sandbox: true });
    await expect(sandboxed.connection.run(`COPY t TO '${join(dir, 'out.csv')}'`)).rejects.toThrow();
    await expect(sandboxed.connection.run('SET enable_external_access = true')).rejects.toThrow();
    expect((await sandboxed.connection.runAndReadAll('SELECT x FROM t')).getRowsJS()).toEqual([[1]]);
    sandboxed.close();
  });
});
