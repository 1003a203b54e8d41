/**
 * The exported notebook runs with what it names: nbclient executes every cell on a python3 kernel (duckdb,
 * pandas, pyarrow, altair from scripts/install-python-packages.sh) and none fails; counts come back as integers.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNotebook } from '../../reports/notebook.js';
import { syntheticFixture, type Fixture } from './helpers.js';

const HELPER = join(process.cwd(), 'test', 'reports', 'python', 'run_notebook.py');
let fx: Fixture;

beforeAll(async () => {
  fx = await syntheticFixture({ trials: 1200, withQemu: true, seed: 5 });
});
afterAll(() => fx?.cleanup());

describe('exported notebook', () => {
  it('executes every cell without an error under nbclient', async () => {
    const out = join(fx.dir, 'analysis.ipynb');
    await writeNotebook({ db: fx.db, out });
    const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { cell_type: string; source: string[]; outputs?: { data: Record<string, unknown> }[] }[] };
    const charts = nb.cells.filter((c) => c.cell_type === 'code' && c.source.join('').startsWith('chart('));
    expect(charts.length).toBeGreaterThan(3);
    for (const c of charts) {
      expect(c.source.join('').split('\n')).toHaveLength(1); // one line of Altair, not 100 lines of JSON
      expect(Object.keys(c.outputs![0].data)).toEqual(expect.arrayContaining(['application/vnd.vegalite.v5+json', 'image/svg+xml']));
    }
    const r = spawnSync('python3', [HELPER, out, '--timeout', '120'], { encoding: 'utf8', timeout: 240_000 });
    if (r.error || (r.status !== 0 && !r.stdout.trim())) {
      throw new Error(`cannot run the notebook (scripts/install-python-packages.sh installs what it needs): ${r.error ?? r.stderr.slice(-2000)}`);
    }
    const facts = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code_cells: number; ran: number; errors: number; error: string | null; texts: string[] };
    expect(facts.error).toBeNull();
    expect(facts.errors).toBe(0);
    expect(facts.ran).toBe(facts.code_cells);
    // The per-mode table (third result: campaigns, then per mode): counts print as integers.
    const perMode = facts.texts.find((t) => t.includes('succeeded') && t.includes('downtime_ms_p50'))!;
    expect(perMode).toBeDefined();
    expect(perMode).not.toMatch(/\b\d+\.0\b/);
  }, 300_000);
});
