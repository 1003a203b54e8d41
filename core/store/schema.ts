/**
 * The DuckDB schema every backend's trials land in, and the views for common questions.
 * Parameter columns are generated from the parameter schema, so a new parameter is a new typed column.
 */
import { z } from 'zod';
import { PARAMETER_NAMES, defaultParameters, trialParametersSchema, type ParameterName } from '../spec/parameters.js';
import { TRIAL_TIMELINE_SQL } from './timeline.js';
import { OUT, OUTCOMES, OUTCOME_NAMES } from '../results/outcomes.js';
import { MODES } from '../modes.js';

/**
 * Version of the layout below, stored in `themis_meta` and read on open (migrate.ts): 3 added an outcome
 * (auto-converge's highest throttle), `campaigns.schema_version`, and made the simulator's round count QEMU's;
 * 4 made a number-or-'unlimited' parameter (max_bandwidth_mib_s) a DOUBLE column, unlimited as +inf.
 */
export const SCHEMA_VERSION = 4;

function innerType(name: ParameterName): z.ZodType {
  let t: z.ZodType = trialParametersSchema.shape[name];
  while (t instanceof z.ZodDefault || t instanceof z.ZodOptional) t = t.unwrap() as z.ZodType;
  return t;
}

/**
 * Whether a parameter is a number or the word 'unlimited' (max_bandwidth_mib_s). Its column is a DOUBLE holding
 * +inf for unlimited — not NULL: an unlimited cap is larger than every cap, so `>`, ORDER BY, count(DISTINCT)
 * and GROUP BY treat it as the value it is (NULL would drop it from comparisons and distinct counts), and it is
 * what the simulator computes with (core/spec/max-bandwidth.ts). `trials` adds a BOOLEAN beside it
 * (unlimitedFlagColumn) for `WHERE max_bandwidth_unlimited`.
 */
export function isUnlimitedParameter(name: string): boolean {
  if (!(name in trialParametersSchema.shape)) return false;
  const t = innerType(name as ParameterName);
  return t instanceof z.ZodUnion && t.options.some((o) => o instanceof z.ZodLiteral && o.value === 'unlimited');
}

/** The `trials` view's BOOLEAN beside an unlimited-able parameter: max_bandwidth_mib_s → max_bandwidth_unlimited. */
export function unlimitedFlagColumn(name: string): string {
  return `${name.replace(/_mib_s$/, '')}_unlimited`;
}

/** DuckDB type of a parameter column, from its zod type. */
export function parameterColumnType(name: ParameterName): 'DOUBLE' | 'BOOLEAN' | 'VARCHAR' {
  const t = innerType(name);
  if (t instanceof z.ZodBoolean) return 'BOOLEAN';
  if (t instanceof z.ZodNumber || isUnlimitedParameter(name)) return 'DOUBLE';
  return 'VARCHAR'; // enums
}

/** SQL turning a parameter's text form (`String(value)`: '64', 'unlimited', 'true') into its column type. */
export function parameterFromTextSql(name: ParameterName, text: string): string {
  if (isUnlimitedParameter(name)) return `CASE WHEN ${text} = 'unlimited' THEN 'inf'::DOUBLE ELSE ${text}::DOUBLE END`;
  return `${text}::${parameterColumnType(name)}`;
}

/**
 * SQL giving a parameter column's value as a reader writes it: 64 not 64.0, 'unlimited' not inf. Text-based, so
 * it reads a file of schema 3 or older too (a report opens files read-only, unconverted: there the column is text).
 */
export function parameterTextSql(name: string, column: string): string {
  const text = `regexp_replace(${column}::VARCHAR, '\.0$', '')`;
  return isUnlimitedParameter(name) ? `CASE WHEN ${column}::VARCHAR IN ('inf', 'unlimited') THEN 'unlimited' ELSE ${text} END` : text;
}

/** The parameter's default as a SQL literal of its column type. */
function defaultLiteral(name: ParameterName): string {
  const value: unknown = defaultParameters()[name];
  if (typeof value === 'number' || typeof value === 'boolean') {
    return parameterColumnType(name) === 'VARCHAR' ? `'${String(value)}'` : String(value);
  }
  return parameterFromTextSql(name, `'${String(value).replaceAll("'", "''")}'`);
}

export function parameterColumns(): { name: ParameterName; type: string }[] {
  return PARAMETER_NAMES.map((name) => ({ name, type: parameterColumnType(name) }));
}

/** Every statement that creates or extends the schema, in order (idempotent: run on every open for writing). */
export function createSchemaSql(): string[] {
  return [...campaignTablesSql(), ...pointsAndResultsSql(), ...detailTablesSql(), ...viewsSql()];
}

function campaignTablesSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS themis_meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS campaigns (
  campaign_id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  spec_yaml VARCHAR NOT NULL,
  spec_sha256 VARCHAR NOT NULL,
  spec_path VARCHAR,
  backend VARCHAR NOT NULL,
  themis_version VARCHAR NOT NULL,
  host VARCHAR NOT NULL,
  shard VARCHAR,
  planned_trials BIGINT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status VARCHAR NOT NULL,
  schema_version INTEGER
)`,
    // The layout version a campaign's rows follow; NULL: written before version 3 (migrate.ts converts them).
    `ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS schema_version INTEGER`,
  ];
}

/** Points and trial results, and the `trials` view that joins them with every parameter and outcome column. */
function pointsAndResultsSql(): string[] {
  const paramCols = parameterColumns()
    .filter((c) => c.name !== 'mode')
    .map((c) => `  "${c.name}" ${c.type}`)
    .join(',\n');
  const paramNames = parameterColumns()
    .filter((c) => c.name !== 'mode')
    .map((c) => `  p."${c.name}"${isUnlimitedParameter(c.name) ? `, p."${c.name}" = 'inf'::DOUBLE AS ${unlimitedFlagColumn(c.name)}` : ''}`)
    .join(',\n');
  return [
    // A point's parameters are stored once, not once per trial: the `trials` view joins them back. Ingesting a
    // million trials then writes 20 narrow columns instead of 70 (9 s → under 2 s here).
    `CREATE TABLE IF NOT EXISTS points (
  campaign_id VARCHAR NOT NULL,
  point_index INTEGER NOT NULL,
  point_id VARCHAR NOT NULL,
  mode VARCHAR NOT NULL,
${paramCols},
  params JSON NOT NULL,
  PRIMARY KEY (campaign_id, point_index)
)`,
    // A database made by an older Themis lacks the parameters added since: they get their column, holding the
    // default (the value those campaigns ran with), so the view below and new campaigns work on old files.
    ...parameterColumns()
      .filter((c) => c.name !== 'mode')
      .map((c) => `ALTER TABLE points ADD COLUMN IF NOT EXISTS "${c.name}" ${c.type} DEFAULT ${defaultLiteral(c.name)}`),
    `CREATE TABLE IF NOT EXISTS trial_results (
  campaign_id VARCHAR NOT NULL,
  trial_index BIGINT NOT NULL,
  point_index INTEGER NOT NULL,
  repetition INTEGER NOT NULL,
  seed UBIGINT NOT NULL,
  backend VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  failure_reason VARCHAR,
${OUTCOMES.map((o) => `  ${o.name} ${o.sql},`).join('\n')}
  started_at TIMESTAMPTZ NOT NULL,
  wall_ms DOUBLE NOT NULL,
  detail JSON
)`,
    // A database made before an outcome existed gets its column, NULL for the trials stored then (not measured).
    ...OUTCOMES.map((o) => `ALTER TABLE trial_results ADD COLUMN IF NOT EXISTS ${o.name} ${o.sql}`),
    `CREATE OR REPLACE VIEW trials AS
SELECT r.campaign_id, p.point_id || '-r' || r.repetition::VARCHAR AS trial_id, r.trial_index, p.point_id, r.repetition,
  r.seed, r.backend, p.mode,
${paramNames},
  p.params, r.status, r.failure_reason, ${OUTCOME_NAMES.map((n) => `r.${n}`).join(', ')},
  r.started_at, r.wall_ms, r.detail
FROM trial_results r JOIN points p ON p.campaign_id = r.campaign_id AND p.point_index = r.point_index`,
  ];
}

function detailTablesSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS rounds (
  campaign_id VARCHAR NOT NULL,
  trial_id VARCHAR NOT NULL,
  round INTEGER NOT NULL,
  phase VARCHAR NOT NULL,
  start_ms DOUBLE NOT NULL,
  duration_ms DOUBLE NOT NULL,
  pages_sent DOUBLE NOT NULL,
  bytes_sent DOUBLE NOT NULL,
  dirty_pages_after DOUBLE NOT NULL,
  throttle_pct DOUBLE NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS probe_gaps (
  campaign_id VARCHAR NOT NULL,
  trial_id VARCHAR NOT NULL,
  probe VARCHAR NOT NULL,
  direction VARCHAR NOT NULL,
  start_ms DOUBLE NOT NULL,
  duration_ms DOUBLE NOT NULL,
  packets_lost DOUBLE NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS events (
  campaign_id VARCHAR NOT NULL,
  trial_id VARCHAR NOT NULL,
  t_ms DOUBLE NOT NULL,
  source VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  detail JSON
)`,
  ];
}

/** Modes in core/modes.ts's order, for a stable ORDER BY (live before cold, not alphabetical; outside the GROUP BY). */
const MODE_RANK = `list_position([${MODES.map((m) => `'${m}'`).join(', ')}], mode)`;

function viewsSql(): string[] {
  return [
    // Live vs cold (and every other mode) per campaign: what a report's first table shows.
    `CREATE OR REPLACE VIEW live_vs_cold AS
SELECT * FROM (SELECT campaign_id, backend, mode,
  count(*) AS trials,
  avg(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS success_rate,
${[OUT.downtime_ms, OUT.outage_ms, OUT.total_ms].map((o) => `  median(${o}) FILTER (WHERE status = 'succeeded') AS ${o}_p50,
  quantile_cont(${o}, 0.95) FILTER (WHERE status = 'succeeded') AS ${o}_p95`).join(',\n')}
FROM trials GROUP BY campaign_id, backend, mode)
ORDER BY campaign_id, backend, ${MODE_RANK}`,
    // Request → outage → done, per succeeded trial with probe gaps (core/store/timeline.ts).
    `CREATE OR REPLACE VIEW trial_timeline AS ${TRIAL_TIMELINE_SQL}`,
    // Where live migration stops converging, per campaign: dirty rate × bandwidth cap (unlimited last: +inf).
    `CREATE OR REPLACE VIEW convergence_map AS
SELECT * FROM (SELECT campaign_id, backend, mode, dirty_rate_pages_s, max_bandwidth_mib_s, max_bandwidth_unlimited,
  count(*) AS trials,
  avg(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS success_rate,
  median(${OUT.rounds}) AS ${OUT.rounds}_p50,
  median(${OUT.total_ms}) FILTER (WHERE status = 'succeeded') AS ${OUT.total_ms}_p50
FROM trials GROUP BY ALL)
ORDER BY campaign_id, backend, ${MODE_RANK}, dirty_rate_pages_s, max_bandwidth_mib_s`,
  ];
}
