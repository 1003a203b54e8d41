/** Every figure of the report, in reading order, realized against an open database. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { axisExpressions } from '../analysis/axes.js';
import { resolveStrata, type Strata } from '../analysis/strata.js';
import { queryRows } from '../source.js';
import { backendsFigure } from './backends.js';
import { byAxisFigure } from './by-axis.js';
import { convergenceFigure } from './convergence.js';
import { dirtyRateFigure } from './dirty-rate.js';
import { distributionFigure } from './distribution.js';
import { realize, type Figure, type FigureDef } from './figure.js';
import { chartContext } from './panels.js';
import { successFigure } from './success.js';
import { timelineFigure } from './timeline.js';
import { timelinePartsFigure } from './timeline-parts.js';
import { HAS_COMPARED_MODES_SQL } from '../analysis/campaigns.js';

/** `by` as the user named it (undefined: what the campaigns vary), or the strata a report already resolved. */
export async function figureDefs(con: DuckDBConnection, by: readonly string[] | undefined | Strata): Promise<FigureDef[]> {
  const strata = by !== undefined && !Array.isArray(by) ? (by as Strata) : await resolveStrata(con, by as readonly string[] | undefined);
  const ctx = chartContext(strata);
  const [dirty] = await axisExpressions(con, ['dirty_rate_pages_s']);
  // Simulated vs real needs two backends; with one, skip its quantile scan altogether.
  const [b] = await queryRows(con, 'SELECT count(DISTINCT backend)::INTEGER AS n FROM trials');
  // Campaigns compared needs a mode measured by two campaigns.
  const [c] = await queryRows(con, HAS_COMPARED_MODES_SQL);
  const byAxis = byAxisFigure(ctx);
  return [
    distributionFigure(ctx),
    ...(byAxis ? [byAxis] : []),
    successFigure(ctx),
    dirtyRateFigure(dirty.expr, ctx),
    convergenceFigure(dirty.expr, ctx),
    timelineFigure,
    ...(Number(b.n) > 1 ? [backendsFigure] : []),
    ...(Number(c.n) > 0 ? [timelinePartsFigure] : []),
  ];
}

export async function buildFigures(con: DuckDBConnection, by: readonly string[] | undefined | Strata): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const def of await figureDefs(con, by)) {
    const f = await realize(con, def);
    if (f) out.push(f);
  }
  return out;
}
