/**
 * The DuckDB store. Batches of results go through small staging tables (appended column by column) and
 * one INSERT … SELECT per table, all inside one transaction: a trial is stored whole or not at all.
 * Parameters are appended once per point and joined in, so a million trials do not repeat 50 columns each.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openDatabase } from './open.js';
import { StoreInterruptedError } from '../errors.js';
import { FAILURE_REASONS, type BackendName, type FailureReason } from '../backend.js';
import { pointSeedHash, repetitionSeed } from '../plan/seed.js';
import { canonicalJson, type Plan } from '../plan/plan.js';
import type { ResultBatch } from '../results/batch.js';
import { OUTCOMES, OUTCOME_NAMES } from '../results/outcomes.js';
import { parameterColumns, parameterFromTextSql, SCHEMA_VERSION } from './schema.js';
import { migrateSchema } from './migrate.js';
import { appendColumns, type ColumnValues } from './append.js';

export interface CampaignRow {
  campaign_id: string;
  name: string;
  spec_yaml: string;
  spec_sha256: string;
  spec_path: string | null;
  backend: BackendName;
  themis_version: string;
  host: string;
  shard: string | null;
  planned_trials: number;
  status: 'running' | 'finished' | 'interrupted' | 'failed';
}

/**
 * Staging tables in the shape of a batch's columns (batch.ts, written by append.ts as their typed arrays' own
 * types); the trials' outcome columns come from the declaration. `failure_code` is the batch's index into
 * FAILURE_REASONS (-1: none), turned into the reason's text by the INSERT.
 */
const STAGING_SQL = [
  `CREATE TEMP TABLE IF NOT EXISTS stage_trials (trial_index INTEGER, seed UINTEGER, succeeded UTINYINT, failure_code TINYINT,
     ${OUTCOME_NAMES.map((name) => `${name} DOUBLE`).join(', ')}, started_at_ms DOUBLE, wall_ms DOUBLE, detail VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_rounds (trial_index INTEGER, round INTEGER, phase VARCHAR, start_ms DOUBLE,
     duration_ms DOUBLE, pages_sent DOUBLE, bytes_sent DOUBLE, dirty_pages_after DOUBLE, throttle_pct DOUBLE)`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_probe_gaps (trial_index INTEGER, probe VARCHAR, direction VARCHAR, start_ms DOUBLE,
     duration_ms DOUBLE, packets_lost DOUBLE)`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_events (trial_index INTEGER, t_ms DOUBLE, source VARCHAR, kind VARCHAR, detail VARCHAR)`,
];

/** SQL for the failure reason of code `col` (batch.ts failureReasonCode). */
const failureReasonSql = (col: string) =>
  `CASE WHEN ${col} >= 0 THEN [${FAILURE_REASONS.map((r) => `'${r}'`).join(', ')}][${col} + 1] END`;

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

export class Store {
  private interruptRequested = false;
  private pointsLoaded: string | null = null;
  private repetitions = 1;
  /** pointSeedHash per point of the loaded plan: a trial's seed is then one mix of it with the repetition. */
  private pointHashes = new Uint32Array(0);

  private constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /**
   * `memoryLimit`: DuckDB's memory_limit for a writer. DuckDB's own default (80 % of RAM) lets a million-trial run
   * grow past 1 GiB; a campaign's batches need little (engine: 128MB — measured 1 M trials: 256MB → 667 MiB peak
   * RSS, 128MB → 572 MiB, same speed); a merge of many shards needs more (256MB default). THEMIS_DUCKDB_MEMORY
   * overrides both.
   */
  static async open(path: string, options: { readOnly?: boolean; memoryLimit?: string } = {}): Promise<Store> {
    const { instance, connection } = await openDatabase(path, { readOnly: options.readOnly });
    const store = new Store(instance, connection, path);
    if (!options.readOnly) {
      // Checkpointing every 16 MiB of WAL made each batch commit cost ~250 ms; checkpoint at close instead.
      await connection.run("SET checkpoint_threshold = '4GB'");
      await connection.run(`SET memory_limit = ${quote(process.env.THEMIS_DUCKDB_MEMORY ?? options.memoryLimit ?? '256MB')}`);
      await store.ensureSchema();
    }
    return store;
  }

  private async ensureSchema(): Promise<void> {
    await this.transaction(() => migrateSchema(this.connection, this.path));
  }

  /**
   * Stops the transaction in progress (Ctrl-C): its running statement is interrupted, or its staging throws at
   * the next chunk, and it rolls back whole. No effect when idle: the next transaction starts afresh.
   */
  interrupt(): void {
    this.interruptRequested = true;
    this.connection.interrupt();
  }

  /** Awaited between staged chunks: lets signals in, and ends an interrupted transaction. */
  private readonly betweenChunks = async (): Promise<void> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.interruptRequested) throw new StoreInterruptedError();
  };

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  async findCampaign(campaignId: string): Promise<{ status: string; stored_trials: number } | null> {
    const r = await this.connection.runAndReadAll(
      `SELECT status, (SELECT count(*) FROM trial_results WHERE campaign_id = $id) AS n FROM campaigns WHERE campaign_id = $id`,
      { id: campaignId },
    );
    const row = r.getRowObjects()[0];
    return row ? { status: String(row.status), stored_trials: Number(row.n) } : null;
  }

  async deleteCampaign(campaignId: string): Promise<void> {
    await this.transaction(async () => {
      for (const table of ['trial_results', 'points', 'rounds', 'probe_gaps', 'events', 'campaigns']) {
        await this.connection.run(`DELETE FROM ${table} WHERE campaign_id = $id`, { id: campaignId });
      }
    });
  }

  async insertCampaign(c: CampaignRow): Promise<void> {
    await this.connection.run(
      `INSERT INTO campaigns BY NAME SELECT $campaign_id AS campaign_id, $name AS name, $spec_yaml AS spec_yaml,
        $spec_sha256 AS spec_sha256, $spec_path AS spec_path, $backend AS backend, $themis_version AS themis_version,
        $host AS host, $shard AS shard, $planned_trials AS planned_trials, now() AS started_at, NULL AS finished_at,
        $status AS status, ${SCHEMA_VERSION} AS schema_version`,
      { ...c, spec_path: c.spec_path ?? '', shard: c.shard ?? '' },
    );
  }

  async setCampaignStatus(campaignId: string, status: CampaignRow['status']): Promise<void> {
    const finished = status === 'running' ? 'NULL' : 'now()';
    await this.connection.run(`UPDATE campaigns SET status = $status, finished_at = ${finished} WHERE campaign_id = $id`, {
      status,
      id: campaignId,
    });
  }

  /**
   * --retry-failed: deletes a campaign's stored failed trials with these reasons and their rounds, probe gaps
   * and events, in one transaction; the engine then runs them as missing indices. Reasons come from the closed
   * list FAILURE_REASONS (checked again here, since they are written into the SQL). Returns how many.
   */
  async deleteFailedTrials(campaignId: string, reasons: readonly FailureReason[]): Promise<number> {
    const bad = reasons.filter((r) => !(FAILURE_REASONS as readonly string[]).includes(r));
    if (bad.length > 0) throw new Error(`not failure reasons: ${bad.join(', ')}`);
    const list = reasons.map((r) => `'${r}'`).join(', ');
    let n = 0;
    await this.transaction(async () => {
      const c = this.connection;
      await c.run(`CREATE OR REPLACE TEMP TABLE retry_trials AS SELECT trial_id, trial_index FROM trials
        WHERE campaign_id = $id AND status = 'failed' AND failure_reason IN (${list})`, { id: campaignId });
      n = Number((await c.runAndReadAll('SELECT count(*) FROM retry_trials')).getColumns()[0][0]);
      for (const table of ['rounds', 'probe_gaps', 'events']) {
        await c.run(`DELETE FROM ${table} WHERE campaign_id = $id AND trial_id IN (SELECT trial_id FROM retry_trials)`, { id: campaignId });
      }
      await c.run(`DELETE FROM trial_results WHERE campaign_id = $id AND trial_index IN (SELECT trial_index FROM retry_trials)`, { id: campaignId });
      await c.run('DROP TABLE retry_trials');
    });
    return n;
  }

  /**
   * Plan indices of the trials already stored for a campaign (for --resume), as sorted half-open ranges [lo, hi):
   * runs of consecutive indices found in SQL, so a resume of ten million trials reads a few rows, not ten million.
   */
  async storedTrialRanges(campaignId: string): Promise<[number, number][]> {
    const r = await this.connection.runAndReadAll(
      `SELECT min(trial_index)::DOUBLE AS lo, (max(trial_index) + 1)::DOUBLE AS hi FROM (
         SELECT trial_index, trial_index - row_number() OVER (ORDER BY trial_index) AS run FROM trial_results WHERE campaign_id = $id)
       GROUP BY run ORDER BY lo`,
      { id: campaignId },
    );
    return r.getRowsJS().map(([lo, hi]) => [Number(lo), Number(hi)]);
  }

  /** Plan indices of the trials already stored for a campaign, one by one (small campaigns, tests). */
  async storedTrialIndices(campaignId: string): Promise<Set<number>> {
    const r = await this.connection.runAndReadAll(`SELECT trial_index FROM trial_results WHERE campaign_id = $id`, { id: campaignId });
    // A campaign stopped before its first commit has no rows, and an empty result has no columns at all.
    const column = r.getColumns()[0] ?? [];
    return new Set(column.map((v) => Number(v)));
  }

  /**
   * Stores the plan's points (each parameter in its column type) for a campaign; trials refer to them by
   * index and the `trials` view joins them back. `params` keeps the values the sweep set for the point.
   */
  async loadPoints(campaignId: string, plan: Plan): Promise<void> {
    const cols = parameterColumns();
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE stage_points (point_index INTEGER, point_id VARCHAR, params VARCHAR,
      ${cols.map((c) => `"${c.name}" VARCHAR`).join(', ')})`);
    for (const sql of STAGING_SQL) await this.connection.run(sql);
    const columns: ColumnValues[] = [
      Int32Array.from(plan.points, (_, i) => i),
      plan.points.map((p) => p.point_id),
      plan.points.map((p) => canonicalJson(p.values)),
      ...cols.map((c) => plan.points.map((p) => String(p.params[c.name]))),
    ];
    await appendColumns(this.connection, 'stage_points', columns, plan.points.length);
    await this.transaction(async () => {
      await this.connection.run('DELETE FROM points WHERE campaign_id = $id', { id: campaignId });
      // BY NAME: a database made before a parameter existed has that column appended at the end (schema.ts)
      await this.connection.run(`INSERT INTO points BY NAME SELECT ${quote(campaignId)} AS campaign_id, point_index, point_id, mode,
        ${cols.filter((c) => c.name !== 'mode').map((c) => `${parameterFromTextSql(c.name, `"${c.name}"`)} AS "${c.name}"`).join(', ')}, params::JSON AS params
        FROM stage_points`);
    });
    await this.connection.run('DROP TABLE stage_points');
    this.pointsLoaded = campaignId;
    this.repetitions = plan.repetitions;
    this.pointHashes = Uint32Array.from(plan.points, (p) => pointSeedHash(plan.campaignSeed, p.point_id));
  }

  /**
   * Appends batches in one transaction. `loadPoints` must have been called for this campaign.
   * Large transactions are much cheaper: from ~123k rows (a DuckDB row group) up, DuckDB writes the data
   * straight to the database file instead of through the WAL (1 M trials: 8 s in 8k-trial commits, 2 s in 131k).
   */
  async appendBatches(campaignId: string, backend: BackendName, plan: Plan, batches: readonly ResultBatch[]): Promise<void> {
    if (this.pointsLoaded !== campaignId) throw new Error('Store.appendBatches: loadPoints was not called for this campaign');
    await this.transaction(async () => {
      let rounds = false;
      let gaps = false;
      let events = false;
      for (const batch of batches) {
        await this.stageBatch(plan, batch);
        rounds ||= batch.nRounds > 0;
        gaps ||= batch.nProbeGaps > 0;
        events ||= batch.nEvents > 0;
      }
      await this.insertStaged(campaignId, backend, rounds, gaps, events);
    });
  }

  async appendBatch(campaignId: string, backend: BackendName, plan: Plan, batch: ResultBatch): Promise<void> {
    await this.appendBatches(campaignId, backend, plan, [batch]);
  }

  /** Appends a batch's columns to the staging tables, as they are (append.ts); seeds are derived from the plan. */
  private async stageBatch(plan: Plan, batch: ResultBatch): Promise<void> {
    const t = batch.trials;
    const count = batch.nTrials;
    const seeds = new Uint32Array(count);
    const reps = plan.repetitions;
    for (let i = 0; i < count; i++) {
      const index = t.index[i];
      const point = Math.floor(index / reps);
      seeds[i] = repetitionSeed(this.pointHashes[point], index - point * reps);
    }
    const stage = (table: string, columns: ColumnValues[], rows: number) =>
      rows > 0 ? appendColumns(this.connection, table, columns, rows, this.betweenChunks) : Promise.resolve();
    await stage('stage_trials', [t.index, seeds, t.succeeded, t.failure_reason, ...t.outcomes, t.started_at_ms, t.wall_ms, t.detail], count);
    const r = batch.rounds;
    await stage('stage_rounds', [r.trial, r.round, r.phase, r.start_ms, r.duration_ms, r.pages_sent, r.bytes_sent,
      r.dirty_pages_after, r.throttle_pct], batch.nRounds);
    const g = batch.probe_gaps;
    await stage('stage_probe_gaps', [g.trial, g.probe, g.direction, g.start_ms, g.duration_ms, g.packets_lost], batch.nProbeGaps);
    const e = batch.events;
    await stage('stage_events', [e.trial, e.t_ms, e.source, e.kind, e.detail], batch.nEvents);
  }

  private async insertStaged(campaignId: string, backend: BackendName, rounds: boolean, gaps: boolean, events: boolean): Promise<void> {
    const reps = this.repetitions;
    const cid = quote(campaignId);
    const trialId = `p.point_id || '-r' || (s.trial_index % ${reps})::VARCHAR`;
    const joinPoint = `JOIN points p ON p.campaign_id = ${cid} AND p.point_index = s.trial_index // ${reps}`;
    const c = this.connection;
    // By name: a database made before an outcome existed has that column at the end (schema.ts).
    await c.run(`INSERT INTO trial_results BY NAME SELECT ${cid} AS campaign_id, s.trial_index, s.trial_index // ${reps} AS point_index,
      s.trial_index % ${reps} AS repetition, s.seed::UBIGINT AS seed, ${quote(backend)} AS backend,
      CASE WHEN s.succeeded = 1 THEN 'succeeded' ELSE 'failed' END AS status, ${failureReasonSql('s.failure_code')} AS failure_reason,
      ${OUTCOMES.map((o) => `s.${o.name}::${o.sql} AS ${o.name}`).join(', ')},
      make_timestamptz((s.started_at_ms * 1000)::BIGINT) AS started_at, s.wall_ms, s.detail::JSON AS detail
      FROM stage_trials s`);
    if (rounds) {
      await c.run(`INSERT INTO rounds SELECT ${cid}, ${trialId}, s.round, s.phase, s.start_ms, s.duration_ms, s.pages_sent,
        s.bytes_sent, s.dirty_pages_after, s.throttle_pct FROM stage_rounds s ${joinPoint}`);
    }
    if (gaps) {
      await c.run(`INSERT INTO probe_gaps SELECT ${cid}, ${trialId}, s.probe, s.direction, s.start_ms, s.duration_ms,
        s.packets_lost FROM stage_probe_gaps s ${joinPoint}`);
    }
    if (events) {
      await c.run(`INSERT INTO events SELECT ${cid}, ${trialId}, s.t_ms, s.source, s.kind, s.detail::JSON
        FROM stage_events s ${joinPoint}`);
    }
    for (const table of ['stage_trials', 'stage_rounds', 'stage_probe_gaps', 'stage_events']) await c.run(`DELETE FROM ${table}`);
  }

  private async transaction(work: () => Promise<void>): Promise<void> {
    this.interruptRequested = false;
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await work();
      await this.connection.run('COMMIT');
    } catch (err) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}
