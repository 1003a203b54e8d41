/**
 * `themis calibrate` on the committed real QEMU dataset datasets/qemu-validation: the guest and host facts it
 * learns equal the same statistics computed by plain SQL over the dataset's Parquet, and the sweep it writes
 * sets them in `parameters` with the real figure beside each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate, type Calibration } from '../../calibration/calibrate.js';
import { MIN_PRECOPY_MS, MIN_WALK_SHARE } from '../../calibration/guest-facts.js';
import { buildPlan } from '../../core/plan/plan.js';
import { parseSweep } from '../../core/spec/load.js';
import { themisCli as themis } from '../support/cli.js';

const DATASET = 'datasets/qemu-validation';
const MODEL = `# the model of the validation guest
name: validation-model
backend: simulator
seed: 11
repetitions: 20
parameters:
  memory_mib: 384
  working_set_mib: 256
  dirty_rate_pages_s: 4000
  max_bandwidth_mib_s: 48
  downtime_limit_ms: 50
  nonzero_share: 0.6 # a guess, replaced
axes:
  - grid:
      mode: [live]
`;

const fact = (name: string) => `TRY_CAST(json_extract(detail, '$.qemu_migration.${name}') AS DOUBLE)`;

/** The same figures, by plain SQL over the Parquet files (DuckDB's median is the type-7 median calibrate uses). */
const PLAIN_SQL = {
  nonzero_share: `SELECT median(${fact('first_pass_normal_pages')} / (${fact('first_pass_normal_pages')} + ${fact('first_pass_zero_pages')})) AS v
    FROM 't' WHERE ${fact('first_pass_normal_pages')} + ${fact('first_pass_zero_pages')} >= ${MIN_WALK_SHARE} * ${fact('ram_pages')}`,
  precopy_rate_share: `SELECT least(1, median(${fact('precopy_rate_mib_s')} / ${fact('cap_mib_s')})) AS v FROM 't'
    WHERE mode IN ('live', 'hybrid') AND ${fact('cap_mib_s')} IS NOT NULL AND ${fact('precopy_ms')} >= ${MIN_PRECOPY_MS}`,
  // Theil–Sen: the median of the pairwise slopes, then the median of the residuals
  switchover_line: `WITH p AS (SELECT ${fact('downtime_bytes')} / 1048576 AS x, ${fact('downtime_ms')} AS y FROM 't'
      WHERE mode = 'live' AND status = 'succeeded' AND ${fact('downtime_bytes')} IS NOT NULL AND ${fact('downtime_ms')} IS NOT NULL),
    s AS (SELECT median((b.y - a.y) / (b.x - a.x)) AS slope FROM p a JOIN p b ON a.x < b.x)
    SELECT slope, (SELECT median(y - slope * x) FROM p) AS intercept, (SELECT count(*) FROM p) AS n,
      (SELECT median(x / y * 1000) FROM p WHERE y > 0) AS ratio FROM s`,
};

async function plain(sql: string): Promise<Record<string, number>> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const text = sql.replaceAll("'t'", `'${DATASET}/trials.parquet'`);
    const row = (await con.runAndReadAll(text)).getRowObjectsJS()[0];
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

describe('calibrate learns guest and host facts from a real qemu campaign', () => {
  let dir: string;
  let c: Calibration;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'themis-facts-'));
    writeFileSync(join(dir, 'model.yaml'), MODEL);
    c = await calibrate({ db: DATASET, sweepPath: join(dir, 'model.yaml') });
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each fact equals the plain-SQL statistic of the dataset, and is physically plausible', async () => {
    const byName = new Map(c.facts.map((f) => [f.parameter, f]));
    expect([...byName.keys()]).toEqual(['nonzero_share', 'switchover_rate_mib_s', 'switchover_cost_ms', 'precopy_rate_share']);
    const share = byName.get('nonzero_share')!;
    expect(share.value).toBeCloseTo((await plain(PLAIN_SQL.nonzero_share)).v, 3);
    expect(share.value).toBeGreaterThan(0.05); // the working sets are non-zero …
    expect(share.value).toBeLessThan(0.95); // … and most of a fresh guest's RAM is zero
    expect(share.trials).toBeGreaterThanOrEqual(80);
    const pre = byName.get('precopy_rate_share')!;
    expect(pre.value).toBeCloseTo((await plain(PLAIN_SQL.precopy_rate_share)).v, 3);
    expect(pre.note).toMatch(/by cap: 48 MiB\/s → [\d.]+ \(\d+\), 96 MiB\/s/);
    const line = await plain(PLAIN_SQL.switchover_line);
    const rate = byName.get('switchover_rate_mib_s')!;
    const cost = byName.get('switchover_cost_ms')!;
    expect(rate.trials).toBe(line.n);
    if (line.slope > 0 && line.intercept >= 0) {
      expect(rate.value).toBeCloseTo(1000 / line.slope, -1);
      expect(cost.value).toBeCloseTo(line.intercept, 1);
    } else {
      // no physical line: no fixed cost, and the rate of the line through 0 (the median payload ÷ downtime)
      expect(cost.value).toBe(0);
      expect(rate.value).toBeCloseTo(line.ratio, 0);
    }
    expect(rate.value).toBeGreaterThan(10); // MiB/s: the switch-over is not throttled to the 48–256 MiB/s caps
    expect(cost.value).toBeLessThan(1000);
  });

  it('the written sweep sets each fact in parameters with the real figure beside it, and plans with them', () => {
    const sweep = parseSweep(c.sweepText, 'calibrated.yaml');
    const [point] = buildPlan(sweep).points;
    for (const f of c.facts) {
      expect(point.params[f.parameter]).toBe(f.value);
      expect(c.sweepText).toMatch(new RegExp(`^  ${f.parameter}: ${f.value} # learnt from ${f.trials} real trials of ${c.real.campaign_id}: .*median`, 'm'));
    }
    expect(c.sweepText).not.toContain('a guess, replaced');
  });

  it('through the CLI: the facts table first, exit 0; a sweep that zips a fact is refused with exit 2', () => {
    const r = themis(dir, 'calibrate', join(process.cwd(), DATASET), '--sweep', 'model.yaml', '--out', 'out.yaml');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^guest and host facts learnt from qemu-validation-[0-9a-f]{12}/);
    expect(r.stdout).toMatch(/^nonzero_share\s+0\.\d+\s+\d+\s+ram\.normal/m);
    expect(themis(dir, 'check', 'out.yaml').code).toBe(0);
    writeFileSync(join(dir, 'zip.yaml'), `${MODEL}  - zip:\n      switchover_cost_ms: [1, 2]\n      ospf_hops: [1, 2]\n`);
    const bad = themis(dir, 'calibrate', join(process.cwd(), DATASET), '--sweep', 'zip.yaml', '--out', 'never.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/zip\.yaml: axes\[1\]\.zip sets switchover_cost_ms; calibrate learns it from the real campaign/);
  }, 300_000);
});
