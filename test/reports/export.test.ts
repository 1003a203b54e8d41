import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, TimestampMicrosecond } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportData } from '../../reports/export.js';
import { sqlRows, syntheticFixture, type Fixture } from './helpers.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await syntheticFixture({ trials: 70_000, seed: 5 });
});
afterAll(() => fx?.cleanup());

describe('exportData', () => {
  it('writes Arrow IPC with proper types that reads back equal to SQL', async () => {
    const out = join(fx.dir, 'trials.arrow');
    await exportData({ db: fx.db, format: 'arrow', out, table: 'trials' });
    const table = tableFromIPC(readFileSync(out));
    const [ref] = await sqlRows(
      fx.db,
      `SELECT count(*)::DOUBLE n, sum(downtime_ms) d, count(downtime_ms)::DOUBLE dn, max(trial_index)::DOUBLE mi,
         epoch_us(min(started_at))::DOUBLE t0, count(DISTINCT mode)::DOUBLE modes FROM trials`,
    );
    expect(table.numRows).toBe(ref.n);
    // 70,000 rows span more than one record batch.
    expect(table.batches.length).toBeGreaterThan(1);
    const field = (name: string) => table.schema.fields.find((f) => f.name === name)!;
    expect(String(field('downtime_ms').type)).toBe('Float64');
    expect(String(field('trial_index').type)).toBe('Int64');
    expect(String(field('seed').type)).toBe('Uint64');
    expect(String(field('repetition').type)).toBe('Int32');
    expect(String(field('mode').type)).toBe('Utf8');
    expect(String(field('params').type)).toBe('Utf8');
    const ts = field('started_at').type as TimestampMicrosecond;
    expect(String(ts)).toBe('Timestamp<MICROSECOND, UTC>');
    expect(ts.timezone).toBe('UTC');
    let sum = 0;
    let nonNull = 0;
    let maxIndex = -1n;
    for (const v of table.getChild('downtime_ms')!) if (v !== null) { sum += v; nonNull++; }
    for (const v of table.getChild('trial_index')!) if (v > maxIndex) maxIndex = v;
    expect(nonNull).toBe(ref.dn);
    expect(sum).toBeCloseTo(Number(ref.d), 3);
    expect(Number(maxIndex)).toBe(ref.mi);
    // Timestamp read back in ms since epoch.
    expect(table.getChild('started_at')!.get(0)).toBe(Number(ref.t0) / 1000);
    expect(new Set(table.getChild('mode')!.toArray()).size).toBe(ref.modes);
  });

  it('keeps non-ASCII text, nulls, booleans and unsigned integers exact in Arrow', async () => {
    const out = join(fx.dir, 'mixed.arrow');
    const query = `SELECT * FROM (VALUES ('é≈🙂', true, 18446744073709551615::UBIGINT, -1::TINYINT, 1.5::FLOAT),
      (NULL, NULL, NULL, NULL, NULL), ('', false, 0::UBIGINT, 7::TINYINT, -2::FLOAT)) t(s, b, u, i, f)`;
    await exportData({ db: fx.db, format: 'arrow', out, query });
    const t = tableFromIPC(readFileSync(out));
    expect(t.toArray().map((r) => ({ ...r.toJSON() }))).toEqual([
      { s: 'é≈🙂', b: true, u: 18446744073709551615n, i: -1, f: 1.5 },
      { s: null, b: null, u: null, i: null, f: null },
      { s: '', b: false, u: 0n, i: 7, f: -2 },
    ]);
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Utf8', 'Bool', 'Uint64', 'Int8', 'Float32']);
  });

  it('writes Parquet that DuckDB reads back identical', async () => {
    const out = join(fx.dir, 'live.parquet');
    const query = `SELECT trial_id, mode, downtime_ms, status FROM trials WHERE mode = 'live'`;
    await exportData({ db: fx.db, format: 'parquet', out, query });
    const [diff] = await sqlRows(
      fx.db,
      `SELECT (SELECT count(*) FROM (${query} EXCEPT ALL SELECT * FROM read_parquet('${out}')))::DOUBLE AS missing,
              (SELECT count(*) FROM read_parquet('${out}'))::DOUBLE AS n, (SELECT count(*) FROM (${query}))::DOUBLE AS ref`,
    );
    expect(diff.missing).toBe(0);
    expect(diff.n).toBe(diff.ref);
  });

  it('writes CSV with a header', async () => {
    const out = join(fx.dir, 'campaigns.csv');
    await exportData({ db: fx.db, format: 'csv', out, table: 'campaigns' });
    expect(readFileSync(out, 'utf8').split(',')[0]).toBe('campaign_id');
    // spec_yaml holds newlines inside a quoted field: read it back with a CSV reader, not by lines.
    const back = await sqlRows(fx.db, `SELECT campaign_id, spec_yaml FROM read_csv('${out}', header = true)`);
    const ref = await sqlRows(fx.db, `SELECT campaign_id, spec_yaml FROM campaigns`);
    expect(back).toEqual(ref);
  });

  it('refuses an unknown table and leaves no file behind', async () => {
    const out = join(fx.dir, 'nope.parquet');
    await expect(exportData({ db: fx.db, format: 'parquet', out, table: 'nope; DROP TABLE trials' })).rejects.toThrow(/no table/);
    expect(() => readFileSync(out)).toThrow();
  });
});
