/**
 * `themis validate` on a tiny real dataset (36 real QEMU TCG trials cut from datasets/qemu-tcg) against a simulator
 * sweep that mirrors it: the pairing, the figures against a plain DuckDB SQL over the same rows (the sweep run
 * on its own, as `themis run` runs it), bounds and exit codes through the built CLI, a dataset that lacks a
 * parameter column, and real points the sweep does not cover. Real DuckDB, real simulator.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate, type Validation } from '../../calibration/validate/validate.js';
import { runCampaign } from '../../core/engine/engine.js';
import { buildPlan } from '../../core/plan/plan.js';
import { loadSweepFile } from '../../core/spec/load.js';
import { createBackend } from '../../simulator/backend.js';
import { themisCli as themis } from '../support/cli.js';
import { mirrorSweep, SUBSET, writeRealDataset } from './validate-fixture.js';

let dir: string;
let v: Validation;
const real = () => join(dir, 'real');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'themis-validate-test-'));
  await writeRealDataset(real());
  writeFileSync(join(dir, 'model.yaml'), mirrorSweep());
  v = await validate({ sweepPath: join(dir, 'model.yaml'), against: real() });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The cap as text in either layout: the dataset's (schema 3: '32', 'unlimited') and a fresh run's (schema 4: 32, inf). */
const capText = (t: string) => `replace(regexp_replace(${t}.max_bandwidth_mib_s::VARCHAR, '\\.0$', ''), 'inf', 'unlimited')`;

describe('themis validate: pairing and figures', () => {
  it('pairs every real trial with the sweep point of its mode, dirty rate and cap, once', () => {
    expect(v.real).toMatchObject({ campaign_id: 'qemu-matrix-295399185a4a', backend: 'qemu', trials: 36, points: 12 });
    expect(v.sweep).toMatchObject({ points: 12, simulated_points: 12, repetitions: 7 });
    expect(v.axes.sort()).toEqual(['dirty_rate_pages_s', 'max_bandwidth_mib_s']);
    expect(new Set(v.pairs.map((p) => p.trial_id)).size).toBe(36);
    const plan = buildPlan(loadSweepFile(join(dir, 'model.yaml')).sweep);
    for (const p of v.pairs) {
      const sim = plan.points.find((q) => q.point_id === p.sim_point_id)!;
      expect(sim.params.mode).toBe(p.mode);
      expect(sim.params.dirty_rate_pages_s).toBe(p.axes.dirty_rate_pages_s);
      expect(String(sim.params.max_bandwidth_mib_s)).toBe(String(p.axes.max_bandwidth_mib_s));
    }
    expect(v.modes.map((m) => m.mode)).toEqual(['live', 'suspend', 'all']);
    expect(v.notes.join('\n')).toMatch(/from the sweep \(the qemu backend does not apply them.*\): nonzero_share=0\.66, link_bandwidth_mib_s=350/);
  });

  it('computes the same figures as a plain SQL over the real rows and the sweep run on its own', async () => {
    const simDb = join(dir, 'sim.duckdb');
    const run = await runCampaign({ spec: loadSweepFile(join(dir, 'model.yaml')), dbPath: simDb, backend: createBackend() });
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    try {
      await c.run(`ATTACH '${simDb}' AS sim (READ_ONLY)`);
      await c.run(`CREATE TEMP TABLE pairs AS
        WITH s AS (
          SELECT mode, dirty_rate_pages_s, max_bandwidth_mib_s, count(*) FILTER (WHERE status = 'succeeded') * 2 >= count(*) AS conv,
            median(total_ms) FILTER (WHERE status = 'succeeded') AS total_ms, median(downtime_ms) FILTER (WHERE status = 'succeeded') AS downtime_ms,
            median(outage_ms) FILTER (WHERE status = 'succeeded') AS outage_ms, median(transferred_bytes) FILTER (WHERE status = 'succeeded') AS transferred_bytes,
            quantile_disc(rounds, 0.5) FILTER (WHERE status = 'succeeded') AS rounds
          FROM sim.trials WHERE campaign_id = '${run.campaign_id}' GROUP BY ALL)
        SELECT r.mode, r.status = 'succeeded' AS real_conv, s.conv AS sim_conv, r.rounds AS real_rounds, s.rounds AS sim_rounds,
          ${['total_ms', 'downtime_ms', 'outage_ms', 'transferred_bytes'].map((m) => `abs(s.${m} - r.${m}) / r.${m} * 100 AS ${m}_err`).join(', ')}
        FROM read_parquet('${join(real(), 'trials.parquet')}') r
        JOIN s ON s.mode = r.mode AND s.dirty_rate_pages_s = r.dirty_rate_pages_s AND ${capText('s')} = ${capText('r')}
        WHERE ${SUBSET.replaceAll('mode', 'r.mode').replaceAll('dirty_rate', 'r.dirty_rate').replaceAll('max_bandwidth', 'r.max_bandwidth')}`);
      const sql = (await c.runAndReadAll(`SELECT mode, count(*)::INTEGER AS trials, count(*) FILTER (WHERE real_conv AND sim_conv)::INTEGER AS compared,
          ${['total_ms', 'downtime_ms', 'outage_ms', 'transferred_bytes'].map((m) => `
          quantile_cont(${m}_err, 0.5) FILTER (WHERE real_conv AND sim_conv) AS ${m}_p50,
          quantile_cont(${m}_err, 0.9) FILTER (WHERE real_conv AND sim_conv) AS ${m}_p90`).join(',')},
          count(*) FILTER (WHERE real_conv AND sim_conv AND real_rounds = sim_rounds)::INTEGER AS rounds_exact,
          count(*) FILTER (WHERE real_conv AND sim_conv AND abs(real_rounds - sim_rounds) <= 1)::INTEGER AS rounds_within_one,
          count(*) FILTER (WHERE real_conv AND NOT sim_conv)::INTEGER AS real_yes_sim_no,
          count(*) FILTER (WHERE NOT real_conv AND NOT sim_conv)::INTEGER AS real_no_sim_no
        FROM pairs GROUP BY GROUPING SETS ((mode), ()) ORDER BY mode NULLS LAST`)).getRowObjectsJS();
      expect(sql).toHaveLength(3);
      for (const row of sql) {
        const f = v.modes.find((m) => m.mode === (row.mode ?? 'all'))!;
        expect(f.trials).toBe(row.trials);
        expect(f.both_converged).toBe(row.compared);
        for (const m of ['total_ms', 'downtime_ms', 'outage_ms', 'transferred_bytes'] as const) {
          expect(f.errors[m].p50!, `${f.mode} ${m}`).toBeCloseTo(Number(row[`${m}_p50`]), 9);
          expect(f.errors[m].p90!, `${f.mode} ${m}`).toBeCloseTo(Number(row[`${m}_p90`]), 9);
        }
        expect(f.rounds.exact).toBe(row.rounds_exact);
        expect(f.rounds.within_one).toBe(row.rounds_within_one);
        expect(f.convergence.real_yes_sim_no).toBe(row.real_yes_sim_no);
        expect(f.convergence.real_no_sim_no).toBe(row.real_no_sim_no);
      }
      // live at 10,000 pages/s under a 32 MiB/s cap: QEMU did not converge in 20 s (3 trials), nor does the simulator
      expect(v.modes[0].convergence).toEqual({ real_yes_sim_yes: 15, real_yes_sim_no: 0, real_no_sim_yes: 0, real_no_sim_no: 3 });
      // the figures are not trivially zero: the simulator and QEMU differ, and the error says by how much
      expect(v.modes[2].errors.downtime_ms.p50!).toBeGreaterThan(0);
    } finally {
      c.closeSync();
      inst.closeSync();
    }
  });
});

describe('themis validate through the CLI', () => {
  it('prints the table; a bound that holds exits 0, one exceeded exits 4 naming it; a bad bound exits 2', () => {
    const ok = themis(dir, 'validate', 'model.yaml', '--against', 'real', '--max-error', 'transferred_bytes=50%');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^validated model\.yaml \(simulator: 12 points × 7 repetitions\) against qemu-matrix-295399185a4a \(qemu: 36 trials, 12 points\)/);
    expect(ok.stdout).toMatch(/^live\s+18\s+15\s+[\d.]+%/m);
    expect(ok.stdout).toMatch(/^real converged\s+\d+\s+\d+$/m);
    expect(ok.stdout).toMatch(/^ok transferred_bytes=50%: median \|error\| of transferred_bytes over all modes is [\d.]+ %/m);

    const bad = themis(dir, 'validate', 'model.yaml', '--against', 'real', '--max-error', 'total_ms=1000%,suspend.downtime_ms=0.001%');
    expect(bad.code).toBe(4);
    expect(bad.stdout).toMatch(/^ok total_ms=1000%/m);
    expect(bad.stderr).toMatch(/^error: FAILED suspend\.downtime_ms=0\.001%: median \|error\| of downtime_ms over suspend is [\d.]+ % \(18 trials\), bound 0\.001 %$/m);
    expect(bad.stderr).not.toMatch(/total_ms=1000%/);

    for (const bound of ['total_ms<10%', 'rtt_p50_ms=10%']) {
      const r = themis(dir, 'validate', 'model.yaml', '--against', 'real', '--max-error', bound);
      expect(r.code, bound).toBe(2);
      expect(r.stderr, bound).toMatch(/^error: --max-error: /);
    }
    // an output that cannot be written is refused before any work
    const html = themis(dir, 'validate', 'model.yaml', '--against', 'real', '--html', 'model.yaml/page.html');
    expect(html.code).toBe(2);
    expect(html.stderr).toMatch(/^error: --html model\.yaml\/page\.html: cannot write there \(.*model\.yaml is not a folder\)$/m);
  });

  it('a dataset without a parameter column uses the sweep\'s value and says so', () => {
    const lacking = join(dir, 'lacking');
    return writeRealDataset(lacking, { drop: 'timeout_s' }).then(() => {
      writeFileSync(join(dir, 'model-60.yaml'), mirrorSweep().replace('timeout_s: 20', 'timeout_s: 60'));
      const r = themis(dir, 'validate', 'model-60.yaml', '--against', 'lacking');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^note: the data has no column timeout_s: the sweep's value \(60\) is used$/m);
      // with the column there, the same sweep does not cover the real points (they ran with 20 s)
      const covered = themis(dir, 'validate', 'model-60.yaml', '--against', 'real');
      expect(covered.code).toBe(2);
      expect(covered.stderr).toMatch(/timeout_s = 20, but the sweep fixes timeout_s = 60/);
    });
  });

  it('a sweep that does not cover a real point, or a real parameter it cannot set, is an error naming the point and the parameter', async () => {
    writeFileSync(join(dir, 'no-2000.yaml'), mirrorSweep({ dirtyRates: '0, 10000' }));
    writeFileSync(join(dir, 'big.yaml'), mirrorSweep({ memory: 1024 }));
    writeFileSync(join(dir, 'varied.yaml'), mirrorSweep({ extraGrid: '      nonzero_share: [0.5, 0.7]\n' }).replace('  nonzero_share: 0.66\n', ''));
    await writeRealDataset(join(dir, 'foreign'), { add: '2 AS vcpus' });
    const cases: [string, string, RegExp][] = [
      ['no-2000.yaml', 'real', /^error: real point [0-9a-f]{16} \(mode=(live|suspend), max_bandwidth_mib_s=(32|unlimited), dirty_rate_pages_s=2000\) is not covered by the simulator sweep: dirty_rate_pages_s = 2000, but the sweep's values of dirty_rate_pages_s are 0, 10000/m],
      ['big.yaml', 'real', /is not covered by the simulator sweep: memory_mib = 512, but the sweep fixes memory_mib = 1024/],
      ['varied.yaml', 'real', /matches 2 points of the simulator sweep: the sweep varies nonzero_share, which the real rows do not set/],
      ['model.yaml', 'foreign', /^error: real point [0-9a-f]{16} \(mode=\w+, .*\): parameter vcpus = 2 is one the simulator has no parameter for/m],
    ];
    for (const [sweep, against, message] of cases) {
      const r = themis(dir, 'validate', sweep, '--against', against);
      expect(r.code, sweep).toBe(2);
      expect(r.stderr, sweep).toMatch(message);
      expect(r.stdout, sweep).toBe('');
    }
    writeFileSync(join(dir, 'qemu.yaml'), mirrorSweep().replace('backend: simulator', 'backend: qemu'));
    const qemu = themis(dir, 'validate', 'qemu.yaml', '--against', 'real');
    expect(qemu.code).toBe(2);
    expect(qemu.stderr).toMatch(/validate needs a simulator sweep .*found backend qemu/);
  });
});
