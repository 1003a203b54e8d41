/**
 * `themis serve`: the local web workbench. One Fastify server, bound to 127.0.0.1 unless told otherwise,
 * serving one hand-written page (no external requests) and a JSON API over one DuckDB file: campaigns with
 * their summaries, HTML reports, read-only SQL, and starting a campaign from a sweep file with live progress
 * over Server-Sent Events. Requests naming another host (DNS rebinding) or writes from another origin are
 * refused before any route runs.
 */
import type { SweepSpec } from '../../core/spec/sweep.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createBackend } from '../../backends/registry.js';
import type { Backend, BackendName } from '../../core/backend.js';
import { themisVersion } from '../../core/version.js';
import { loadAssets } from './assets.js';
import { CampaignsView } from './campaigns-view.js';
import type { WorkbenchContext } from './context.js';
import { DbGate } from './db-gate.js';
import { toApiError } from './errors.js';
import { allowedHosts, isAllowedHost, isAllowedOrigin } from './host-check.js';
import { MAX_ROWS } from './query.js';
import { ReportCache } from './report-cache.js';
import { registerDataRoutes } from './routes/data.js';
import { registerRunRoutes } from './routes/runs.js';
import { RunManager } from './run-manager.js';

export interface WorkbenchOptions {
  /** DuckDB file; it need not exist yet (the first run creates it) */
  db: string;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: any free port */
  port?: number;
  /** directory of the sweep files the page may start; default ./sweeps */
  sweepsDir?: string;
  /** backend factory; default backends/registry.ts (tests may pass a configured simulator) */
  createBackend?: (name: BackendName, sweep?: SweepSpec) => Promise<Backend>;
}

export interface Workbench {
  url: string;
  close(): Promise<void>;
}

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const BASE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

function registerPage(app: FastifyInstance, ctx: WorkbenchContext): void {
  const assets = loadAssets();
  for (const [url, asset] of assets) {
    app.get(url, async (_req, reply) =>
      reply.header('content-security-policy', PAGE_CSP).header('cache-control', 'no-cache').type(asset.type).send(asset.body),
    );
  }
  app.get('/api/status', async () => ({
    version: themisVersion(),
    db: ctx.dbPath,
    sweeps_dir: ctx.sweepsDir,
    max_rows: MAX_ROWS,
    run: ctx.runs.latestRun,
  }));
}

function guard(app: FastifyInstance, allowed: () => ReadonlySet<string>): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!isAllowedHost(req.headers.host, allowed())) {
      return reply.code(403).send({ error: `host ${JSON.stringify(req.headers.host ?? '')} is not served here`, code: 'forbidden' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && !isAllowedOrigin(req.headers.origin, allowed())) {
      return reply.code(403).send({ error: 'cross-origin requests are refused', code: 'forbidden' });
    }
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(BASE_HEADERS)) reply.header(k, v);
    return payload;
  });
  app.setErrorHandler(async (err, req, reply) => {
    const fastifyStatus = (err as { statusCode?: number }).statusCode;
    if (fastifyStatus !== undefined && fastifyStatus >= 400 && fastifyStatus < 500) {
      return reply.code(fastifyStatus).send({ error: (err as Error).message, code: 'bad_request' });
    }
    const { status, body } = toApiError(err);
    // A bug, not a user error: keep the stack where the operator sees it (the page gets the message).
    if (body.code === 'internal') process.stderr.write(`themis serve: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}\n`);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(async (req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url}`, code: 'not_found' }));
}

export async function startWorkbench(opts: WorkbenchOptions): Promise<Workbench> {
  const host = opts.host ?? '127.0.0.1';
  const dbPath = resolve(opts.db);
  const gate = new DbGate();
  const reports = new ReportCache(dbPath);
  const campaigns = new CampaignsView(dbPath, gate);
  const runs = new RunManager({
    dbPath,
    gate,
    createBackend: opts.createBackend ?? createBackend,
    onEnded: () => reports.invalidate(),
  });
  const ctx: WorkbenchContext = { dbPath, sweepsDir: resolve(opts.sweepsDir ?? 'sweeps'), gate, runs, campaigns, reports, baseHeaders: BASE_HEADERS };

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 256 * 1024 });
  // Filled once the port is known; no request can arrive before.
  let allowed: ReadonlySet<string> = new Set();
  try {
    // Only JSON bodies: a cross-site HTML form can send text/plain without a preflight, JSON it cannot.
    app.removeContentTypeParser('text/plain');
    guard(app, () => allowed);
    registerPage(app, ctx);
    registerDataRoutes(app, ctx);
    registerRunRoutes(app, ctx);
    await app.listen({ host, port: opts.port ?? 0 });
  } catch (err) {
    await app.close().catch(() => undefined);
    reports.dispose();
    throw err;
  }
  const port = (app.server.address() as AddressInfo).port;
  allowed = allowedHosts(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    close: async () => {
      // Stop the run first: its end closes the SSE streams, and the engine marks the campaign interrupted.
      await runs.close();
      await app.close();
      reports.dispose();
    },
  };
}
