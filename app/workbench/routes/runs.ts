/** Sweep files and the run: list and check sweeps, start one, follow it over SSE, cancel it. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { WorkbenchContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { RUN_MODES, type RunInfo } from '../run-manager.js';
import { openSse } from '../sse.js';
import { listSweeps } from '../sweeps.js';
import { parseInput, runIdParam } from './validate.js';

const sweepParam = z.object({ name: z.string().min(1).max(260) });
const runBody = z.object({
  sweep: z.string().min(1).max(260),
  mode: z.enum(RUN_MODES as [string, ...string[]]).default('new'),
});

export function registerRunRoutes(app: FastifyInstance, ctx: WorkbenchContext): void {
  app.get('/api/sweeps', async () => ({ sweeps: listSweeps(ctx.sweepsDir) }));

  app.get('/api/sweeps/:name', async (req) => {
    const { name } = parseInput(sweepParam, req.params, 'sweep name');
    return (await ctx.sweepChecker.load(ctx.sweepsDir, name)).check;
  });

  app.post('/api/runs', async (req, reply) => {
    const body = parseInput(runBody, req.body, 'request body');
    const loaded = await ctx.sweepChecker.load(ctx.sweepsDir, body.sweep);
    if (!loaded.ok) {
      return reply.code(400).send({ error: `${body.sweep} is not a valid sweep`, code: 'bad_sweep', diagnostics: loaded.check.diagnostics });
    }
    const info = ctx.runs.start(body.sweep, loaded.spec, loaded.check.campaign_id!, body.mode as RunInfo['mode']);
    return reply.code(202).send(info);
  });

  app.get('/api/runs/current', async () => ({ run: ctx.runs.latestRun }));

  app.get('/api/runs/:id', async (req) => {
    const { id } = parseInput(runIdParam, req.params, 'run id');
    const info = ctx.runs.get(id);
    if (!info) throw new NotFoundError(`no run ${id}`);
    return info;
  });

  app.post('/api/runs/:id/cancel', async (req) => {
    const { id } = parseInput(runIdParam, req.params, 'run id');
    const info = ctx.runs.cancel(id);
    if (!info) throw new NotFoundError(`no run ${id}`);
    return info;
  });

  // `snapshot` at once, `progress` while it runs, `end` once, then the server closes the stream.
  app.get('/api/runs/:id/events', async (req, reply) => {
    const { id } = parseInput(runIdParam, req.params, 'run id');
    if (!ctx.runs.get(id)) throw new NotFoundError(`no run ${id}`);
    reply.hijack();
    let unsubscribe = () => {};
    const stream = openSse(reply.raw, ctx.baseHeaders, () => unsubscribe());
    const sub = ctx.runs.subscribe(id, (event, info) => {
      stream.send(event, info);
      if (event === 'end') stream.end();
    });
    if (!sub) return stream.end();
    unsubscribe = sub.unsubscribe;
    stream.send('snapshot', sub.info);
    if (sub.info.ended_at !== null) {
      stream.send('end', sub.info);
      stream.end();
    }
  });
}
