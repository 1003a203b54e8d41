/**
 * The real side of a validation: the real campaign's points, each with the values of the parameters the real
 * backend applied (its typed columns: facts of the run), and its trials with their outcomes. Parameters the
 * backend never applies (backends/registry.ts unappliedParametersOf) are not facts of the run — the simulator
 * sweep supplies them — and a parameter column the data lacks is taken from the sweep too (and said in a note).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../../core/errors.js';
import { PARAMETER_NAMES } from '../../core/spec/parameters.js';
import { classifyMergeInput, datasetFile } from '../../core/store/merge-input.js';
import { sqlIdent, sqlString } from '../../core/store/import-columns.js';
import { isUnlimitedParameter, parameterTextSql } from '../../core/store/schema.js';
import { unappliedParametersOf } from '../../backends/registry.js';
import type { RealCampaign } from '../real-campaign.js';
import { VALIDATED_OUTCOMES, type OutcomeValues, type ValidatedOutcome } from './outcomes.js';

export type ParamValue = string | number | boolean | null;

export interface RealPoint {
  point_id: string;
  mode: string;
  /** The applied parameters' values, from the typed columns */
  values: Record<string, ParamValue>;
  /** Keys of the point's `params` the simulator has no parameter for (a newer or foreign dataset), with their values */
  unknown: Record<string, unknown>;
}

export interface RealTrial {
  trial_id: string;
  point_id: string;
  status: string;
  outcomes: OutcomeValues;
}

export interface RealSide {
  campaign: RealCampaign;
  points: RealPoint[];
  trials: RealTrial[];
  /** Parameters taken from the real rows (applied by the real backend and present as columns) */
  applied: string[];
  /** Parameters the real backend applies but the data has no column for: the sweep's value is used */
  missing: string[];
}

/** Real trials one validation reads at most (each becomes one paired row in memory). */
export const MAX_VALIDATED_TRIALS = 1_000_000;

/**
 * The `trials` columns of the data as the user gave it: a dataset folder's own file (the merge fills a column
 * it lacks with the parameter's default, which would hide that it is missing), or the database's view.
 */
export async function presentColumns(con: DuckDBConnection, input: string): Promise<Set<string>> {
  const kind = classifyMergeInput(input);
  const describe = async (relation: string) =>
    new Set((await con.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)).getRowObjectsJS().map((r) => String(r.column_name)));
  if (kind.kind === 'duckdb') return describe('trials');
  const folders = kind.kind === 'root' ? kind.shards : [kind.path];
  const sets: Set<string>[] = [];
  for (const folder of folders) sets.push(await describe(`read_parquet(${sqlString(datasetFile(folder, 'trials'))}, hive_partitioning = false)`));
  // a column counts as present only when every shard has it
  return new Set([...(sets[0] ?? [])].filter((c) => sets.every((s) => s.has(c))));
}

export async function readRealSide(con: DuckDBConnection, campaign: RealCampaign, present: Set<string>): Promise<RealSide> {
  const id = sqlString(campaign.campaign_id);
  const [count] = (await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM trials WHERE campaign_id = ${id}`)).getRowObjectsJS();
  const n = Number(count.n);
  if (n > MAX_VALIDATED_TRIALS) {
    throw new UsageError(`campaign ${campaign.campaign_id}: ${n} trials; validate reads at most ${MAX_VALIDATED_TRIALS} (choose a smaller campaign)`);
  }
  const unapplied = new Set(unappliedParametersOf(campaign.backend) ?? []);
  const appliedAll = PARAMETER_NAMES.filter((p) => !unapplied.has(p));
  const applied = appliedAll.filter((p) => p === 'mode' || present.has(p));
  const missing = appliedAll.filter((p) => !applied.includes(p));
  const pointRows = (
    await con.runAndReadAll(
      `SELECT DISTINCT ON (point_id) point_id, ${applied.map(appliedColumnSql).join(', ')}, params::VARCHAR AS params_json
       FROM trials WHERE campaign_id = ${id} ORDER BY point_id, trial_index`,
    )
  ).getRowObjectsJS();
  const known = new Set<string>(PARAMETER_NAMES);
  const points = pointRows.map((r): RealPoint => {
    const params = JSON.parse(String(r.params_json)) as Record<string, unknown>;
    return {
      point_id: String(r.point_id),
      mode: String(r.mode),
      values: Object.fromEntries(applied.map((p) => [p, isUnlimitedParameter(p) ? unlimitedOrNumber(r[p]) : plainValue(r[p])])),
      unknown: Object.fromEntries(Object.entries(params).filter(([k]) => !known.has(k))),
    };
  });
  const outcomeSql = VALIDATED_OUTCOMES.map((o) => (present.has(o) ? `${o}::DOUBLE AS ${o}` : `NULL::DOUBLE AS ${o}`)).join(', ');
  const trialRows = (
    await con.runAndReadAll(`SELECT trial_id, point_id, status, ${outcomeSql} FROM trials WHERE campaign_id = ${id} ORDER BY trial_index`)
  ).getRowObjectsJS();
  const trials = trialRows.map((r) => ({
    trial_id: String(r.trial_id),
    point_id: String(r.point_id),
    status: String(r.status),
    outcomes: Object.fromEntries(VALIDATED_OUTCOMES.map((o) => [o, r[o] === null ? null : Number(r[o])])) as Record<ValidatedOutcome, number | null>,
  }));
  return { campaign, points, trials, applied, missing };
}

/**
 * A parameter column as the pairing compares it. An unlimited-able column (schema 4: DOUBLE, +inf for unlimited;
 * text in older files) is read as its text form, since DuckDB's JS rows give +inf as null.
 */
function appliedColumnSql(p: string): string {
  return isUnlimitedParameter(p) ? `${parameterTextSql(p, sqlIdent(p))} AS ${sqlIdent(p)}` : sqlIdent(p);
}

function unlimitedOrNumber(v: unknown): ParamValue {
  if (v === null || v === undefined) return null;
  return String(v) === 'unlimited' ? 'unlimited' : Number(v);
}

function plainValue(v: unknown): ParamValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v);
}
