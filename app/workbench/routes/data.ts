/** Read routes: campaigns with their per-mode summaries, a campaign's HTML report, read-only SQL. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { WorkbenchContext } from '../context.js';
import { RunInProgressError } from '../db-gate.js';
import { NotFoundError } from '../errors.js';
import { queryCapped } from '../query.js';
import { campaignIdParam, parseInput } from './validate.js';

/** The report's own CSP (it inlines vega and evaluates its specs); the header repeats it for the response. */
const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:";

const sqlBody = z.object({ sql: z.string().max(100_000) });

export function registerDataRoutes(app: FastifyInstance, ctx: WorkbenchContext): void {
  app.get('/api/campaigns', async () => ({ ...(await ctx.campaigns.list()), run: ctx.runs.activeRun }));

  app.get('/api/campaigns/:id', async (req) => {
    const { id } = parseInput(campaignIdParam, req.params, 'campaign id');
    const { campaign, stale } = await ctx.campaigns.find(id);
    if (!campaign) throw new NotFoundError(`no campaign ${JSON.stringify(id)} in the database`);
    return { campaign, stale };
  });

  app.get('/api/campaigns/:id/report', async (req, reply) => {
    const { id } = parseInput(campaignIdParam, req.params, 'campaign id');
    let html = ctx.reports.cached(id);
    if (html === null) {
      const { campaign } = await ctx.campaigns.find(id);
      if (!campaign) throw new NotFoundError(`no campaign ${JSON.stringify(id)} in the database`);
      html = await ctx.gate.read(() => ctx.reports.html(id));
    }
    return reply.header('content-security-policy', REPORT_CSP).type('text/html; charset=utf-8').send(html);
  });

  app.post('/api/sql', async (req) => {
    const { sql } = parseInput(sqlBody, req.body, 'request body');
    if (ctx.gate.busy) throw new RunInProgressError();
    // A turn first (429 when too many wait), then the gate: a query waiting for its turn does not hold a run back.
    return ctx.queries.run(() => ctx.gate.read(() => queryCapped(ctx.dbPath, sql, ctx.queryLimits)));
  });
}
