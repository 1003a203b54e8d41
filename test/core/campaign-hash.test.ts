/**
 * Behaviour kept through refactorings: the six simulator sweeps give the same trials bit for bit on every column
 * that existed when the fingerprints were taken (test/fixtures/campaign-hashes-before.json, schema version 2,
 * plus tcp_stall_ms since the simulator models it), and `rounds` differs from then exactly by the documented
 * change to QEMU's dirty-sync-count (core/store/migrate.ts).
 * A change *meant* to change simulated values regenerates the fixture, in a commit that says why:
 * `THEMIS_REGENERATE_CAMPAIGN_HASHES=1 npx vitest run test/core/campaign-hash.test.ts` (after `npx tsc`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignHashes, type TableColumns } from '../support/campaign-hash.js';
import { themisCli } from '../support/cli.js';

interface Fingerprints {
  columns: TableColumns;
  campaigns: Record<string, Record<string, string>>;
}

const FIXTURE = 'test/fixtures/campaign-hashes-before.json';
const before = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fingerprints;
const REGENERATE = process.env.THEMIS_REGENERATE_CAMPAIGN_HASHES === '1';
const dir = mkdtempSync(join(tmpdir(), 'themis-hash-'));
afterAll(() => {
  if (REGENERATE) writeFileSync(FIXTURE, JSON.stringify(before, null, 1) + '\n');
  rmSync(dir, { recursive: true, force: true });
});

/** The schema-2 `rounds` (completed passes) recovered from the stored dirty-sync-count. */
const PASSES_SQL = `SELECT sha256(string_agg(trial_id || '=' || coalesce((CASE
    WHEN mode IN ('cold', 'cold-hard') THEN rounds
    WHEN mode = 'suspend' THEN 0
    WHEN rounds = 3 AND (detail->>'converged_by') = 'downtime_limit' AND NOT EXISTS (SELECT 1 FROM rounds x
      WHERE x.trial_id = trials.trial_id AND x.campaign_id = trials.campaign_id AND x.phase = 'precopy') THEN 0
    WHEN downtime_ms IS NULL OR downtime_ms > 0 THEN rounds - 2
    ELSE rounds - 1 END)::VARCHAR, '∅') || ':' || mode || ':' || status, chr(10) ORDER BY trial_id)) AS h FROM trials`;

async function passesHash(db: string): Promise<string> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    return String((await c.runAndReadAll(PASSES_SQL)).getRowObjects()[0].h);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

describe('simulator campaigns before and after the architecture refactor', () => {
  for (const [sweep, expected] of Object.entries(before.campaigns)) {
    it(`${sweep}: every other column bit for bit, rounds = passes + QEMU's extra syncs`, async () => {
      const db = join(dir, `${sweep}.duckdb`);
      const r = themisCli(process.cwd(), 'run', resolve(`sweeps/${sweep}.yaml`), '--db', db, '--no-report');
      expect(r.code, r.stderr).toBe(0);
      if (REGENERATE) {
        before.campaigns[sweep] = { ...(await campaignHashes(db, before.columns)), rounds_column: await passesHash(db) };
        return;
      }
      const { rounds_column: rounds, ...tables } = expected;
      expect(await campaignHashes(db, before.columns)).toEqual(tables);
      expect(await passesHash(db)).toBe(rounds);
    });
  }
});
