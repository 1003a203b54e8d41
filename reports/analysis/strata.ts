/**
 * What a report must keep apart: the parameters each campaign varies within a mode (read from `points`, one
 * row per point, so it costs nothing on a million trials; a setting zipped with the mode is part of the mode) and the campaigns themselves. A report breaks its statistics down
 * by the varied axes unless the user names others with `--by` (`none`: no breakdown), and keeps two campaigns
 * of one backend apart as campaigns (the `campaign` axis) instead of pooling them under their backend.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { parameterColumns } from '../../core/store/schema.js';
import { queryRows, sqlIdent } from '../source.js';

/** Varied axes beyond this many are folded (pooled, and the report says so) when `--by` is not given. */
export const MAX_DEFAULT_BY = 3;
/** The pseudo-axis that keeps campaigns apart; its values are campaign ids. */
export const CAMPAIGN_AXIS = 'campaign';

export interface Strata {
  /** Per campaign (id), the parameters (not mode) with more than one value among its points, in parameter order. */
  varied: Record<string, string[]>;
  /** Distinct values per varied axis, over all campaigns. */
  distinct: Record<string, number>;
  /** The axes the report breaks down by (user's --by, or the varied axes up to the cap). */
  by: string[];
  /** Varied axes not in `by`: pooled everywhere, and said so. */
  folded: string[];
  /** True when the user named the axes. */
  explicit: boolean;
  /** Some backend holds two or more campaigns: statistics are per campaign (the `campaign` axis). */
  perCampaign: boolean;
}

async function variedPerCampaign(con: DuckDBConnection): Promise<{ varied: Record<string, string[]>; distinct: Record<string, number> }> {
  const cols = parameterColumns().map((c) => c.name).filter((n) => n !== 'mode');
  const counts = cols.map((c) => `count(DISTINCT ${sqlIdent(c)})::INTEGER AS ${sqlIdent(c)}`).join(', ');
  let rows: Record<string, unknown>[];
  let totals: Record<string, unknown>;
  try {
    const within = 'WHERE campaign_id IN (SELECT campaign_id FROM campaigns)';
    // Within a mode: a setting tied to the mode (a calibrated sweep's overheads, zipped with it) is no stratum.
    const maxima = cols.map((c) => `max(${sqlIdent(c)}) AS ${sqlIdent(c)}`).join(', ');
    rows = await queryRows(
      con,
      `SELECT campaign_id, ${maxima} FROM (SELECT campaign_id, mode, ${counts} FROM points ${within} GROUP BY campaign_id, mode) GROUP BY campaign_id ORDER BY campaign_id`,
    );
    [totals] = await queryRows(con, `SELECT ${counts} FROM points ${within}`);
  } catch {
    return { varied: {}, distinct: {} }; // a file without `points` (not written by Themis): nothing is known to vary
  }
  const varied: Record<string, string[]> = {};
  for (const r of rows) varied[String(r.campaign_id)] = cols.filter((c) => Number(r[c]) > 1);
  const all = new Set(Object.values(varied).flat());
  const distinct = Object.fromEntries(cols.filter((c) => all.has(c)).map((c) => [c, Number(totals?.[c] ?? 0)]));
  return { varied, distinct };
}

/**
 * The default breakdown: every varied axis, fewest values first (a categorical design axis before a swept
 * rate), at most MAX_DEFAULT_BY of them; the rest are folded.
 */
export function defaultBy(distinct: Record<string, number>, order: readonly string[]): { by: string[]; folded: string[] } {
  const axes = order.filter((a) => a in distinct);
  const ranked = [...axes].sort((a, b) => distinct[a] - distinct[b] || axes.indexOf(a) - axes.indexOf(b));
  const keep = new Set(ranked.slice(0, MAX_DEFAULT_BY));
  return { by: axes.filter((a) => keep.has(a)), folded: axes.filter((a) => !keep.has(a)) };
}

export async function resolveStrata(con: DuckDBConnection, by: readonly string[] | undefined): Promise<Strata> {
  const { varied, distinct } = await variedPerCampaign(con);
  const order = parameterColumns().map((c) => c.name as string);
  const [m] = await queryRows(
    con,
    'SELECT coalesce(max(n), 0)::INTEGER AS n FROM (SELECT count(DISTINCT campaign_id) AS n FROM trials GROUP BY backend)',
  );
  const perCampaign = Number(m?.n ?? 0) > 1;
  if (by !== undefined) {
    const named = by.filter((a) => a !== CAMPAIGN_AXIS);
    return { varied, distinct, by: named, folded: order.filter((a) => a in distinct && !named.includes(a)), explicit: true, perCampaign: perCampaign || by.includes(CAMPAIGN_AXIS) };
  }
  return { varied, distinct, ...defaultBy(distinct, order), explicit: false, perCampaign };
}

/** The axes statistics are grouped by: the campaign first when campaigns are kept apart, then `by`. */
export function strataAxes(s: Strata): string[] {
  return [...(s.perCampaign ? [CAMPAIGN_AXIS] : []), ...s.by];
}

/** One sentence for the report: what the breakdown is and what was pooled. */
export function strataNote(s: Strata): string {
  const parts: string[] = [];
  if (s.perCampaign) parts.push('Campaigns are kept apart (two or more share a backend).');
  const varied = Object.keys(s.distinct);
  if (varied.length === 0) parts.push('The campaigns vary no parameter besides the mode.');
  else parts.push(`Varied: ${varied.map((a) => `${a} (${s.distinct[a]} values)`).join(', ')}.`);
  if (s.by.length > 0) parts.push(`${s.explicit ? 'Broken down by (--by)' : 'Broken down by'}: ${s.by.join(', ')}.`);
  if (s.folded.length > 0) {
    parts.push(`Pooled over ${s.folded.join(', ')}${s.explicit ? '' : ` (more than ${MAX_DEFAULT_BY} varied axes; name them with --by)`}: statistics mix their values.`);
  }
  return parts.join(' ');
}
