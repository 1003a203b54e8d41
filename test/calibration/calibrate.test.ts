/**
 * Calibration must recover overheads it did not see: a "cloud" made of the simulator with known overheads is
 * the real campaign, and `themis calibrate` must find those overheads again from its timeline alone.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate } from '../../calibration/calibrate.js';
import { runCampaign } from '../../core/engine/engine.js';
import { buildPlan } from '../../core/plan/plan.js';
import { loadSweepFile, parseSweep } from '../../core/spec/load.js';
import { createBackend } from '../../simulator/backend.js';
import { themisCli as themis } from '../support/cli.js';

const SETTINGS = `# yaml-language-server: $schema=./schema.json
# the model's settings; this comment is replaced in the calibrated file
name: model
description: a small guest
backend: simulator
seed: 7
repetitions: 60
parameters:
  memory_mib: 256
  nonzero_share: 0.5
  link_bandwidth_mib_s: 200
  boot_s: 3
  shutdown_s: 1
  probe_interval_ms: 2
  dirty_rate_pages_s: 0
  bandwidth_jitter_share: 0.05
  boot_jitter_share: 0.1
`;

/** The hidden truth: what each mode's "orchestrator" does before, during and after the pause. */
const TRUTH = {
  live: { orchestrator_overhead_ms: 1800, orchestrator_paused_ms: 250, orchestrator_after_ms: 3300 },
  suspend: { orchestrator_overhead_ms: 500, orchestrator_paused_ms: 3400, orchestrator_after_ms: 900 },
  cold: { orchestrator_overhead_ms: 900, orchestrator_paused_ms: 2000, orchestrator_after_ms: 1600 },
} as const;

const modelSweep = `${SETTINGS}axes:\n  - grid:\n      mode: [live, suspend, cold]\n`;
const cloudSweep = `${SETTINGS.replace('name: model', 'name: cloud').replace('seed: 7', 'seed: 99')}axes:
  - zip:
      mode: [live, suspend, cold]
${(['orchestrator_overhead_ms', 'orchestrator_paused_ms', 'orchestrator_after_ms'] as const)
  .map((k) => `      ${k}: [${Object.values(TRUTH).map((t) => t[k]).join(', ')}]`)
  .join('\n')}
`;

describe('themis calibrate', () => {
  let dir: string;
  let db: string;
  let cloudId: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'themis-calibrate-test-'));
    db = join(dir, 'cloud.duckdb');
    writeFileSync(join(dir, 'model.yaml'), modelSweep);
    writeFileSync(join(dir, 'cloud.yaml'), cloudSweep);
    const outcome = await runCampaign({ spec: loadSweepFile(join(dir, 'cloud.yaml')), dbPath: db, backend: createBackend() });
    cloudId = outcome.campaign_id;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('recovers the hidden overheads of every mode from the timeline alone, and its sweep reproduces the real medians', async () => {
    const c = await calibrate({ db, campaignId: cloudId, sweepPath: join(dir, 'model.yaml') });
    expect(c.modes.map((m) => m.mode)).toEqual(['live', 'suspend', 'cold']);
    for (const m of c.modes) {
      const truth = TRUTH[m.mode as keyof typeof TRUTH];
      // different seeds for "cloud" and model: the medians differ by sampling only (jitter 5–10 %)
      expect(Math.abs(m.overheads.orchestrator_overhead_ms - truth.orchestrator_overhead_ms)).toBeLessThan(60);
      expect(Math.abs(m.overheads.orchestrator_paused_ms - truth.orchestrator_paused_ms)).toBeLessThan(200);
      expect(Math.abs(m.overheads.orchestrator_after_ms - truth.orchestrator_after_ms)).toBeLessThan(60);
      // real − the written sweep's own medians: both campaigns' sampling noise (60 trials each), nothing systematic
      for (const part of ['before_ms', 'outage_ms', 'after_ms'] as const) {
        expect(Math.abs(m.residual![part]), `${m.mode} ${part}`).toBeLessThan(25 + 0.05 * m.real![part]);
      }
      expect(m.uncalibrated.after_ms).toBe(0); // the model without overheads is done when the VM runs (live, suspend) or answers (cold: agent start)
    }
    // the written sweep is a normal simulator sweep whose points carry the fitted overheads
    const sweep = parseSweep(c.sweepText, 'calibrated.yaml');
    expect(sweep.name).toBe('model-calibrated');
    expect(sweep.description).toBe(`a small guest; orchestrator overheads calibrated on ${cloudId}`);
    const points = buildPlan(sweep).points.map((p) => ({ mode: p.params.mode, paused: p.params.orchestrator_paused_ms, memory: p.params.memory_mib }));
    expect(points).toEqual(c.modes.map((m) => ({ mode: m.mode, paused: m.overheads.orchestrator_paused_ms, memory: 256 })));
    expect(c.sweepText.startsWith('# yaml-language-server: $schema=./schema.json\n# Calibrated by `themis calibrate`')).toBe(true);
    expect(c.sweepText).not.toContain('this comment is replaced');
  });

  it('through the CLI: table on stdout, the sweep written whole; calibrating the calibrated sweep replaces its zip axis', () => {
    const out = join(dir, 'calibrated.yaml');
    const r = themis(dir, 'calibrate', 'cloud.duckdb', '--sweep', 'model.yaml', '--campaign', cloudId, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^calibrated against cloud-[0-9a-f]{12} \(simulator\)/);
    expect(r.stdout).toMatch(/^live\s+outage\s+[\d.]+\s+[\d.]+\s+paused_ms=\d+/m);
    expect(themis(dir, 'check', out).code).toBe(0);

    const again = themis(dir, 'calibrate', 'cloud.duckdb', '--sweep', out, '--campaign', cloudId);
    expect(again.code).toBe(0);
    const twice = parseSweep(again.stdout, 'again.yaml');
    expect(twice.name).toBe('model-calibrated');
    expect(twice.axes).toHaveLength(1);
    expect(again.stdout.match(/orchestrator overheads calibrated on/g)).toHaveLength(1);
    expect(again.stderr).toMatch(/^calibrated against/); // without --out the table goes to stderr
  });

  it('refuses what it cannot calibrate, with exit code 2 and nothing written', () => {
    const out = join(dir, 'never.yaml');
    const cases: [string, string[], RegExp][] = [
      ['zipped.yaml', [], /axes\[0\]\.zip sets mode; calibrate .* needs mode and the orchestrator overheads in 'parameters' or in a grid axis/],
      ['qemu.yaml', [], /calibrate needs a simulator sweep .*found backend qemu/],
      ['missing.yaml', [], /missing\.yaml:0:0: cannot read the sweep file: no such file/], // the sweep loader's own message, as for `themis run`
      ['model.yaml', ['--campaign', 'nope'], /no campaign 'nope'; it holds cloud-/],
      ['model.yaml', [], /no campaign of a real backend to learn from; it holds cloud-[0-9a-f]+ \(simulator\)/],
      ['postcopy.yaml', ['--campaign', 'CLOUD'], /no succeeded trial with probe gaps in the sweep's modes \(postcopy\); it has cold, live, suspend/],
    ];
    writeFileSync(join(dir, 'zipped.yaml'), `${SETTINGS}axes:\n  - zip:\n      mode: [live, cold]\n      memory_mib: [256, 512]\n`);
    writeFileSync(join(dir, 'qemu.yaml'), modelSweep.replace('backend: simulator', 'backend: qemu'));
    writeFileSync(join(dir, 'postcopy.yaml'), `${SETTINGS}axes:\n  - grid:\n      mode: [postcopy]\n`);
    for (const [sweep, extra, message] of cases) {
      const args = extra.map((a) => (a === 'CLOUD' ? cloudId : a));
      const r = themis(dir, 'calibrate', 'cloud.duckdb', '--sweep', sweep, ...args, '--out', out);
      expect(r.code, sweep).toBe(2);
      expect(r.stderr, sweep).toMatch(message);
      expect(() => readFileSync(out), sweep).toThrow();
    }
  });

  it('says when the real campaign pools several settings in one mode', async () => {
    const pooled = join(dir, 'pooled.duckdb');
    writeFileSync(join(dir, 'pooled.yaml'), `${SETTINGS.replace('name: model', 'name: pooled').replace('repetitions: 60', 'repetitions: 5')}axes:
  - grid:
      mode: [live]
      orchestrator_after_ms: [1000, 2000]
`);
    const run = await runCampaign({ spec: loadSweepFile(join(dir, 'pooled.yaml')), dbPath: pooled, backend: createBackend() });
    const r = themis(dir, 'calibrate', 'pooled.duckdb', '--sweep', 'model.yaml', '--campaign', run.campaign_id);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^note: live: the real campaign has 2 points in this mode; one set of overheads fits their pooled medians$/m);
    expect(r.stderr).not.toMatch(/note: (suspend|cold)/);
  });

  it("the committed lab sweep is calibrate's output on the committed lab dataset folder (like schema.json, kept in step)", async () => {
    const c = await calibrate({ db: 'datasets/opennebula-lab', sweepPath: 'sweeps/opennebula-lab-model.yaml', name: 'opennebula-lab-simulated' });
    expect(c.real.backend).toBe('opennebula');
    const committed = readFileSync('sweeps/opennebula-lab-simulated.yaml', 'utf8');
    expect(c.sweepText, 'regenerate it: docs/lab.md, "Lab vs qemu backend vs simulator"').toBe(committed);
    for (const m of c.modes) {
      for (const part of ['before_ms', 'outage_ms', 'after_ms'] as const) expect(Math.abs(m.residual![part])).toBeLessThan(25 + 0.02 * m.real![part]);
    }
    // a folder and the database merged from it are the same real campaign
    const lab = join(dir, 'lab.duckdb');
    expect(themis(dir, 'merge', lab, resolve('datasets/opennebula-lab')).code).toBe(0);
    const fromDb = await calibrate({ db: lab, sweepPath: 'sweeps/opennebula-lab-model.yaml', name: 'opennebula-lab-simulated' });
    expect(fromDb.modes).toEqual(c.modes);
  });
});
