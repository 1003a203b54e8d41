/**
 * The SQL views keep campaigns apart and come in a stable order: two campaigns of one sweep's shape in one file give
 * `live_vs_cold` and `convergence_map` rows per campaign (with `campaign_id`), ordered by campaign, backend, mode in
 * the mode table's order, dirty rate and cap; and the numeric cap compares as a number.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODES } from '../../core/modes.js';
import { Store } from '../../core/store/store.js';
import { themisCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'themis-views-'));
const db = join(dir, 'two.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return (await store.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    store.close();
  }
}

beforeAll(() => {
  const text = readFileSync('test/fixtures/store/store-v2.yaml', 'utf8');
  for (const [name, cap] of [['views-b', '64'], ['views-a', 'unlimited']]) {
    const sweep = join(dir, `${name}.yaml`);
    writeFileSync(sweep, text.replace('name: store-v2', `name: ${name}`).replace('max_bandwidth_mib_s: 64', `max_bandwidth_mib_s: ${cap}`));
    const r = themisCli(process.cwd(), 'run', sweep, '--db', db, '--no-report');
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

describe('views per campaign, ordered', () => {
  it('live_vs_cold: one row per campaign and mode, in campaign then mode-table order', async () => {
    const rows = await query('SELECT campaign_id, mode, trials FROM live_vs_cold');
    const modes = [...new Set(rows.map((r) => String(r.mode)))];
    expect(rows).toHaveLength(2 * modes.length);
    const key = (r: Record<string, unknown>) => [String(r.campaign_id), MODES.indexOf(String(r.mode) as (typeof MODES)[number])] as const;
    const sorted = [...rows].sort((a, b) => key(a)[0].localeCompare(key(b)[0]) || key(a)[1] - key(b)[1]);
    expect(rows).toEqual(sorted);
    expect(new Set(rows.map((r) => String(r.campaign_id).split('-').slice(0, 2).join('-')))).toEqual(new Set(['views-a', 'views-b']));
    const [{ n }] = await query('SELECT sum(trials)::INTEGER AS n FROM live_vs_cold');
    expect(n).toBe(144);
  });

  it('convergence_map: per campaign, ordered, the cap a number and unlimited flagged', async () => {
    const rows = await query('SELECT campaign_id, mode, dirty_rate_pages_s, max_bandwidth_mib_s, max_bandwidth_unlimited FROM convergence_map');
    const again = await query('SELECT campaign_id, mode, dirty_rate_pages_s, max_bandwidth_mib_s, max_bandwidth_unlimited FROM convergence_map');
    expect(rows).toEqual(again);
    const a = rows.filter((r) => String(r.campaign_id).startsWith('views-a'));
    const b = rows.filter((r) => String(r.campaign_id).startsWith('views-b'));
    expect(rows).toEqual([...a, ...b]);
    expect(a.every((r) => r.max_bandwidth_mib_s === Number.POSITIVE_INFINITY && r.max_bandwidth_unlimited === true)).toBe(true);
    expect(b.every((r) => r.max_bandwidth_mib_s === 64 && r.max_bandwidth_unlimited === false)).toBe(true);
    const [{ capped, unlimited }] = await query(`SELECT count(*) FILTER (WHERE max_bandwidth_mib_s = 64)::INTEGER AS capped,
      count(*) FILTER (WHERE max_bandwidth_unlimited)::INTEGER AS unlimited FROM trials`);
    expect({ capped, unlimited }).toEqual({ capped: 72, unlimited: 72 });
  });
});
