/**
 * Synthetic campaigns written straight into DuckDB with `INSERT ... SELECT ... FROM range(n)`: a test and
 * benchmark fixture for the reports that does not depend on any backend. Every value is a seeded function of
 * the row number (DuckDB's `hash`), so the same (n, seed) gives the same database. The shapes are plausible,
 * not a model: live converges unless the dirty rate outpaces the bandwidth cap, cold costs seconds.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDatabase } from '../core/store/open.js';
import { createSchemaSql, SCHEMA_VERSION } from '../core/store/schema.js';

export interface SyntheticOptions {
  trials: number;
  seed?: number;
  /** Also write a small `qemu` campaign so simulated-vs-real figures have something to compare. */
  withQemu?: boolean;
  /** Trials (per campaign, first by index) that get rounds, probe gaps and events rows. */
  detailedTrials?: number;
}

/** Uniform in [0, 1) from the row number, a stream tag and the seed. */
const u = (tag: number, seed: number) => `((hash(i * 31 + ${tag}, ${seed}) % 1000003)::DOUBLE / 1000003.0)`;

function trialsInsertSql(campaign: string, backend: string, n: number, seed: number): string {
  // Categorical axes are cycled from different digits of i so every combination occurs.
  return `
INSERT INTO trial_results (campaign_id, trial_index, point_index, repetition, seed, backend, status, failure_reason,
  total_ms, downtime_ms, outage_ms, loss_pct, rtt_p50_ms, rtt_p99_ms, transferred_bytes, rounds, started_at, wall_ms)
WITH base AS (
  SELECT i,
    (['live','postcopy','hybrid','suspend','cold'])[1 + (i % 5)::INTEGER] AS mode,
    ([0, 5000, 20000, 50000, 100000])[1 + ((i // 5) % 5)::INTEGER]::DOUBLE AS dirty,
    (['32','128','unlimited'])[1 + ((i // 25) % 3)::INTEGER] AS bw,
    (['l2-announce','vxlan-learn','vxlan-fdb-push','routed-ospf'])[1 + ((i // 75) % 4)::INTEGER] AS network,
    ${u(1, seed)} AS u1, ${u(2, seed)} AS u2, ${u(3, seed)} AS u3, ${u(4, seed)} AS u4
  FROM range(${n}) t(i)
), shaped AS (
  SELECT *,
    CASE bw WHEN 'unlimited' THEN 1192.0 ELSE bw::DOUBLE END AS bw_mib_s,
    dirty * 4096.0 / 1048576.0 AS dirty_mib_s,
    CASE network WHEN 'l2-announce' THEN 2 + 50 * u3 WHEN 'vxlan-learn' THEN 1 + 5 * u3
      WHEN 'vxlan-fdb-push' THEN 150 + 80 * u3 ELSE 120 + 300 * u3 END AS reconverge_ms
  FROM base
), outcome AS (
  SELECT *,
    CASE
      WHEN mode IN ('live','hybrid') AND dirty_mib_s > 0.9 * bw_mib_s AND mode = 'live' THEN 'not_converged'
      WHEN mode = 'postcopy' AND u4 < 0.02 THEN 'vm_lost'
      WHEN mode = 'cold' AND u4 < 0.03 THEN 'boot_failed'
      WHEN u4 > 0.995 THEN 'timeout'
      ELSE NULL END AS failure_reason,
    CASE WHEN mode = 'live' THEN least(30, 1 + floor(4 * dirty_mib_s / bw_mib_s * (1 + u2)))
         WHEN mode = 'hybrid' THEN 2 WHEN mode = 'postcopy' THEN 1 ELSE 0 END AS rounds,
    CASE mode
      WHEN 'live' THEN 20 + 250 * u1 * u1 + 400 * dirty_mib_s / bw_mib_s
      WHEN 'postcopy' THEN 5 + 30 * u1
      WHEN 'hybrid' THEN 10 + 60 * u1
      WHEN 'suspend' THEN 307.2 / bw_mib_s * 1000 * (0.9 + 0.2 * u1)
      ELSE 5300 + 900 * u1 END AS downtime
  FROM shaped
)
SELECT '${campaign}', i, (i % 300)::INTEGER, (i // 300)::INTEGER,
  hash(i, ${seed}) % 4294967296, '${backend}',
  CASE WHEN failure_reason IS NULL THEN 'succeeded' ELSE 'failed' END, failure_reason,
  CASE WHEN failure_reason IS NULL THEN downtime + 307.2 / bw_mib_s * 1000 * (1 + rounds * 0.3) * (0.9 + 0.2 * u2) END,
  CASE WHEN failure_reason IS NULL THEN downtime END,
  CASE WHEN failure_reason IS NULL THEN downtime + reconverge_ms END,
  CASE WHEN failure_reason IS NULL THEN 100 * (downtime + reconverge_ms) / (downtime + reconverge_ms + 2000) END,
  0.2 + 0.05 * u3, 0.3 + 2 * u3,
  CASE WHEN failure_reason IS NULL THEN 322122547.2 * (1 + rounds * 0.3) END,
  rounds::INTEGER, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_milliseconds(i), 1.0 + u2
FROM outcome`;
}

/** The 300 points the trials cycle through (point = trial index mod 300), with the same categorical axes. */
function pointsInsertSql(campaign: string, n: number): string {
  return `
INSERT INTO points (campaign_id, point_index, point_id, mode, dirty_rate_pages_s, max_bandwidth_mib_s, network, memory_mib, params)
WITH base AS (
  SELECT i,
    (['live','postcopy','hybrid','suspend','cold'])[1 + (i % 5)::INTEGER] AS mode,
    ([0, 5000, 20000, 50000, 100000])[1 + ((i // 5) % 5)::INTEGER]::DOUBLE AS dirty,
    (['32','128','unlimited'])[1 + ((i // 25) % 3)::INTEGER] AS bw,
    (['l2-announce','vxlan-learn','vxlan-fdb-push','routed-ospf'])[1 + ((i // 75) % 4)::INTEGER] AS network
  FROM range(${Math.min(n, 300)}) t(i)
)
SELECT '${campaign}', i, 'p' || i::VARCHAR, mode, dirty, CASE bw WHEN 'unlimited' THEN 'inf'::DOUBLE ELSE bw::DOUBLE END, network, 512,
  json_object('mode', mode, 'dirty_rate_pages_s', dirty, 'max_bandwidth_mib_s', bw, 'network', network)
FROM base`;
}

function detailInsertSql(campaign: string, m: number): string[] {
  const ids = `SELECT trial_id, mode, rounds, downtime_ms, outage_ms, total_ms FROM trials
    WHERE campaign_id = '${campaign}' AND trial_index < ${m} AND status = 'succeeded'`;
  return [
    // Pre-copy rounds share the time before switch-over; the last "round" is the stop-and-copy.
    `INSERT INTO rounds SELECT '${campaign}', trial_id, r, CASE WHEN r = rounds THEN 'stopcopy' ELSE 'precopy' END,
       (total_ms - downtime_ms) * r / greatest(rounds, 1), CASE WHEN r = rounds THEN downtime_ms ELSE (total_ms - downtime_ms) / greatest(rounds, 1) END,
       1000.0 * (rounds - r + 1), 4096000.0 * (rounds - r + 1), 100.0 * (rounds - r), 0
     FROM (${ids}) t, range(0, 31) g(r) WHERE mode IN ('live','hybrid','postcopy') AND r <= rounds`,
    `INSERT INTO probe_gaps SELECT '${campaign}', trial_id, 'icmp', 'rtt', total_ms - downtime_ms, outage_ms, outage_ms
     FROM (${ids}) t`,
    `INSERT INTO events SELECT '${campaign}', trial_id, t_ms, 'synthetic', kind, NULL FROM (
       SELECT trial_id, 0.0 AS t_ms, 'migration_requested' AS kind FROM (${ids}) a
       UNION ALL SELECT trial_id, total_ms - downtime_ms, 'vm_paused' FROM (${ids}) b
       UNION ALL SELECT trial_id, total_ms, 'vm_resumed' FROM (${ids}) c)`,
  ];
}

function campaignInsertSql(campaign: string, backend: string, n: number): string {
  const spec = `name: ${campaign}\\nbackend: ${backend}\\nrepetitions: ${Math.ceil(n / 300)}\\naxes:\\n  - grid:\\n      mode: [live, postcopy, hybrid, suspend, cold]\\n      dirty_rate_pages_s: [0, 5000, 20000, 50000, 100000]\\n      max_bandwidth_mib_s: [32, 128, unlimited]\\n      network: [l2-announce, vxlan-learn, vxlan-fdb-push, routed-ospf]\\n`;
  return `INSERT INTO campaigns (campaign_id, name, spec_yaml, spec_sha256, spec_path, backend, themis_version, host, shard,
    planned_trials, started_at, finished_at, status, schema_version)
    VALUES ('${campaign}', '${campaign}', e'${spec}', sha256(e'${spec}'), 'sweeps/${campaign}.yaml',
    '${backend}', '0.1.0', 'synthetic-host', NULL, ${n}, TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-01 01:00:00+00',
    'finished', ${SCHEMA_VERSION})`;
}

/** Fills an open connection (schema created if missing). */
export async function fillSynthetic(con: DuckDBConnection, opts: SyntheticOptions): Promise<void> {
  const seed = opts.seed ?? 1;
  const detailed = opts.detailedTrials ?? 200;
  for (const sql of createSchemaSql()) await con.run(sql);
  const campaigns: [string, string, number][] = [['synthetic-sim', 'simulator', opts.trials]];
  if (opts.withQemu) campaigns.push(['synthetic-qemu', 'qemu', Math.max(30, Math.min(600, Math.floor(opts.trials / 10)))]);
  for (const [id, backend, n] of campaigns) {
    await con.run(campaignInsertSql(id, backend, n));
    await con.run(pointsInsertSql(id, n));
    await con.run(trialsInsertSql(id, backend, n, seed + (backend === 'qemu' ? 7 : 0)));
    for (const sql of detailInsertSql(id, detailed)) await con.run(sql);
  }
}

/** Creates a DuckDB file holding synthetic campaigns; returns when it is closed and flushed. */
export async function createSyntheticDb(path: string, opts: SyntheticOptions): Promise<void> {
  const db = await openDatabase(path);
  try {
    await fillSynthetic(db.connection, opts);
    await db.connection.run('CHECKPOINT');
  } finally {
    db.close();
  }
}
