/**
 * The README's main job and the CLI's contract, run as a user would: the built `themis` command in a
 * fresh directory (npm test compiles dist/ first).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THEMIS, themisCli as themis } from '../support/cli.js';

describe('themis CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'themis-cli-'));
    mkdirSync(join(dir, 'sweeps'));
    cpSync('sweeps/live-vs-cold.yaml', join(dir, 'sweeps/live-vs-cold.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the main job: database, report, and a summary that matches SQL on the database', () => {
    const run = themis(dir, 'run', 'sweeps/live-vs-cold.yaml');
    expect(run.stderr).toBe(''); // no TTY: no progress bar, and nothing went wrong
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('database: results/live-vs-cold.duckdb');
    expect(run.stdout).toContain('report: results/live-vs-cold.html');
    expect(existsSync(join(dir, 'results/live-vs-cold.duckdb'))).toBe(true);
    const html = readFileSync(join(dir, 'results/live-vs-cold.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/); // self-contained

    const sql = themis(dir, 'sql', 'results/live-vs-cold.duckdb',
      `SELECT mode, count(*) AS n, count(*) FILTER (WHERE status = 'succeeded') AS ok,
              quantile_cont(downtime_ms, 0.5) FILTER (WHERE status = 'succeeded') AS downtime_p50,
              quantile_cont(total_ms, 0.5) FILTER (WHERE status = 'succeeded') AS total_p50
       FROM trials GROUP BY mode ORDER BY mode`, '--format', 'json');
    expect(sql.code).toBe(0);
    const rows = JSON.parse(sql.stdout) as { mode: string; n: number | string; ok: number | string; downtime_p50: number; total_p50: number }[];
    expect(rows.map((r) => [r.mode, Number(r.n)])).toEqual([['cold', 800], ['live', 800]]);
    const summaryLine = (mode: string) => run.stdout.split('\n').find((l) => l.startsWith(`simulator  ${mode}`)) ?? '';
    // the summary's columns found by their header ('downtime_ms p50', …): which outcomes it shows depends on the data
    const header = (run.stdout.split('\n').find((l) => l.startsWith('backend')) ?? '').trim().split(/\s{2,}/);
    const column = (name: string) => header.indexOf(name);
    expect(column('total_ms p50')).toBeGreaterThan(0);
    for (const r of rows) {
      const cells = summaryLine(r.mode).trim().split(/\s{2,}/);
      expect(Number(cells[column('trials')])).toBe(Number(r.n));
      expect(Number(cells[column('succeeded')])).toBe(Number(r.ok));
      expect(Number(cells[column('downtime_ms p50')])).toBeCloseTo(r.downtime_p50, r.downtime_p50 >= 1000 ? -1 : 0);
      expect(Number(cells[column('total_ms p50')])).toBeCloseTo(r.total_p50, -1);
    }
    // Live migration pauses the VM far less than cold migration does: the point of the main job.
    const [cold, live] = rows;
    expect(live.downtime_p50 * 20).toBeLessThan(cold.downtime_p50);
  });

  it('running the same simulated campaign again replaces it instead of duplicating it', () => {
    expect(themis(dir, 'run', 'sweeps/live-vs-cold.yaml', '--no-report').code).toBe(0);
    const n = themis(dir, 'sql', 'results/live-vs-cold.duckdb', 'SELECT count(*) AS n, count(DISTINCT campaign_id) AS c FROM trials', '--format', 'csv');
    expect(n.stdout).toBe('n,c\n1600,1\n');
  });

  it('rejects a bad sweep with exit code 2, a located message, and writes nothing', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'bad.yaml'), 'name: bad\nparameters:\n  dirty_rate: 5\n');
    const r = themis(bad, 'run', 'bad.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: bad.yaml:3:3: parameters.dirty_rate: unknown key 'dirty_rate' — did you mean 'dirty_rate_pages_s'? (all keys: 'themis schema')\n");
    expect(existsSync(join(bad, 'results'))).toBe(false);
    const missing = themis(bad, 'check', 'nope.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml:0:0: cannot read the sweep file: no such file');
  });

  it('stops on Ctrl-C keeping what it stored (exit 130), and --resume finishes the campaign', async () => {
    const big = join(dir, 'big');
    mkdirSync(big);
    writeFileSync(join(big, 'big.yaml'), 'name: big\nrepetitions: 150000\nstore: { rounds: none, probe_gaps: none, events: none }\naxes:\n  - grid: { mode: [live, cold] }\n');
    const child = spawn(process.execPath, [THEMIS, 'run', 'big.yaml', '--no-report'], { cwd: big });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Interrupt once the database exists, i.e. the campaign has started.
    const deadline = Date.now() + 60_000;
    while (!existsSync(join(big, 'results/big.duckdb')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(stderr).toContain('SIGINT: stopping after the running trials');
    expect(code).toBe(130);
    expect(stdout).toMatch(/campaign big-[0-9a-f]{12}: interrupted, \d+ trials run of 300000/);
    const stored = Number(/interrupted, (\d+) trials run/.exec(stdout)?.[1]);
    expect(stored).toBeLessThan(300_000);

    const resumed = themis(big, 'run', 'big.yaml', '--no-report', '--resume');
    expect(resumed.code).toBe(0);
    // Under load the interrupt may land before the first commit: then nothing was stored and the run line says so.
    const already = stored > 0 ? `, ${stored} already stored` : '';
    expect(resumed.stdout).toContain(`finished, ${300_000 - stored} trials run${already} of 300000`);
    const n = themis(big, 'sql', 'results/big.duckdb', 'SELECT count(DISTINCT trial_id) AS n FROM trials', '--format', 'csv');
    expect(n.stdout).toBe('n\n300000\n');
  });

  it('checks a sweep and prints the size of its plan', () => {
    const r = themis(dir, 'check', 'sweeps/live-vs-cold.yaml');
    expect(r).toMatchObject({ code: 0, stdout: "sweeps/live-vs-cold.yaml: ok — campaign 'live-vs-cold' on simulator: 8 points × 200 repetitions = 1600 trials\n" });
  });

  it('keeps sql read-only and reports a bad query as bad input', () => {
    const w = themis(dir, 'sql', 'results/live-vs-cold.duckdb', 'DELETE FROM trial_results');
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/read-only/);
    expect(themis(dir, 'sql', 'results/live-vs-cold.duckdb', 'SELEC 1').code).toBe(2);
    expect(themis(dir, 'sql', 'nothere.duckdb', 'SELECT 1').code).toBe(2);
  });

  it('answers unknown commands and options with exit code 2', () => {
    expect(themis(dir, 'frobnicate').code).toBe(2);
    expect(themis(dir, 'run', 'sweeps/live-vs-cold.yaml', '--shard', '3/2').code).toBe(2);
    expect(themis(dir, '--version')).toMatchObject({ code: 0 });
  });

  it('prints the JSON Schema that sweeps/schema.json holds', () => {
    const r = themis(dir, 'schema');
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync('sweeps/schema.json', 'utf8')));
  });
});
