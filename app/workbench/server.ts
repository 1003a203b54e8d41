/**
 * `themis serve`: the local web workbench. One Fastify server, bound to 127.0.0.1 unless told otherwise,
 * serving one hand-written page (no external requests) and a JSON API over one DuckDB file: campaigns with
 * their summaries, HTML reports, read-only SQL, and starting a campaign from a sweep file with live progress
 * over Server-Sent Events. Requests naming another host (DNS rebinding) or writes from another origin are
 * refused before any route runs.
 */
import type { SweepSpec } from '../../core/spec/sweep.js';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
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
import { allowedHosts, isAllowedHost, isAllowedOrigin, isLoopbackHost } from './host-check.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query.js';
import { MAX_QUEUED_QUERIES, MAX_RUNNING_QUERIES, QueryLimiter, type LimiterOptions } from './query-limiter.js';
import { SweepChecker } from './sweep-checker.js';
import { newToken, offeredTokens, TOKEN_HEADER, tokenCookie, tokenMatches } from './token.js';
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
  /** require a token (token.ts); default: exactly when `host` is not loopback (isLoopbackHost) */
  token?: boolean;
  /** caps of one SQL query; default query.ts DEFAULT_QUERY_LIMITS */
  queryLimits?: Partial<QueryLimits>;
  /** SQL queries running and waiting at once; default query-limiter.ts */
  queryConcurrency?: Partial<Pick<LimiterOptions, 'maxRunning' | 'maxQueued' | 'maxWaitMs'>>;
  /** the compiled sweep worker (tests running the sources pass dist's); default beside sweep-checker.js */
  sweepWorkerUrl?: URL;
}

export interface Workbench {
  url: string;
  /** the token requests need, or null when none is required; print it once (serve.ts) */
  token: string | null;
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
    max_rows: ctx.queryLimits.maxRows,
    max_bytes: ctx.queryLimits.maxBytes,
    queries: ctx.queries.stats,
    sweep_checks: ctx.sweepChecker.stats,
    run: ctx.runs.latestRun,
  }));
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * The token, when one is required: `?token=` on a GET sets the cookie and redirects to the bare URL; every
 * other request must offer it (cookie, bearer or header). Returns true when the request was answered here.
 */
async function checkToken(req: FastifyRequest, reply: FastifyReply, token: string): Promise<boolean> {
  const url = new URL(req.url, 'http://workbench');
  const inQuery = url.searchParams.get('token');
  if (req.method === 'GET' && inQuery !== null && tokenMatches(inQuery, token)) {
    url.searchParams.delete('token');
    await reply.code(303).header('set-cookie', tokenCookie(token)).header('location', url.pathname + url.search).send();
    return true;
  }
  const offered = offeredTokens({ authorization: req.headers.authorization, header: one(req.headers[TOKEN_HEADER]), cookie: req.headers.cookie });
  // Every offered token is compared (no early exit on the first), each in constant time.
  if (offered.map((t) => tokenMatches(t, token)).includes(true)) return false;
  await reply.code(401).send({
    error: 'this workbench needs its token: open the URL `themis serve` printed (…/?token=…), or send it as `Authorization: Bearer …`',
    code: 'unauthorized',
  });
  return true;
}

function guard(app: FastifyInstance, allowed: () => ReadonlySet<string>, token: string | null): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!isAllowedHost(req.headers.host, allowed())) {
      return reply.code(403).send({ error: `host ${JSON.stringify(req.headers.host ?? '')} is not served here`, code: 'forbidden' });
    }
    if (token !== null && (await checkToken(req, reply, token))) return reply;
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
    const { status, body, headers } = toApiError(err);
    for (const [k, v] of Object.entries(headers ?? {})) reply.header(k, v);
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
  const queryLimits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...opts.queryLimits };
  const queries = new QueryLimiter({
    maxRunning: MAX_RUNNING_QUERIES,
    maxQueued: MAX_QUEUED_QUERIES,
    maxWaitMs: queryLimits.timeoutMs,
    ...opts.queryConcurrency,
    what: 'queries',
  });
  const sweepChecker = new SweepChecker({ workerUrl: opts.sweepWorkerUrl });
  const ctx: WorkbenchContext = {
    dbPath,
    sweepsDir: resolve(opts.sweepsDir ?? 'sweeps'),
    gate,
    runs,
    campaigns,
    reports,
    baseHeaders: BASE_HEADERS,
    queryLimits,
    queries,
    sweepChecker,
  };
  const token = (opts.token ?? !isLoopbackHost(host)) ? newToken() : null;

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 256 * 1024 });
  // Filled once the port is known; no request can arrive before.
  let allowed: ReadonlySet<string> = new Set();
  try {
    // Only JSON bodies: a cross-site HTML form can send text/plain without a preflight, JSON it cannot.
    app.removeContentTypeParser('text/plain');
    guard(app, () => allowed, token);
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
    token,
    close: async () => {
      // Stop the run first: its end closes the SSE streams, and the engine marks the campaign interrupted.
      await runs.close();
      await sweepChecker.close();
      await app.close();
      reports.dispose();
    },
  };
}
