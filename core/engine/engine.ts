/**
 * Runs a campaign: plan → backend → store. Knows no backend by name. Trials already stored are skipped on
 * --resume; an abort (Ctrl-C) stops scheduling, lets running trials finish as results, and keeps all stored
 * (a batch backend's chunks stop at once; results it held uncommitted are stored only when few: ABORT_KEEP_ROWS).
 */
import { existsSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { isBatchRunner, type Backend, type BackendName, type BatchRunner, type CampaignContext, type FailureReason, type TrialResult } from '../backend.js';
import { BackendSetupError, CampaignConflictError } from '../errors.js';
import { errText } from '../error-text.js';
import { buildPlan, shardRange, trialAt, type Plan, type Shard } from '../plan/plan.js';
import { addTrialResult, emptyBatch, type ResultBatch } from '../results/batch.js';
import { failedTrialResult } from '../results/recorder.js';
import type { CampaignSpec } from '../spec/sweep.js';
import { Store } from '../store/store.js';
import { themisVersion } from '../version.js';
import { Halt } from './halt.js';
import { silentProgress, type Progress } from './progress.js';
import { todoBlocks, todoIndices, todoOf, type Todo } from './todo.js';

export interface RunOptions {
  spec: CampaignSpec;
  dbPath: string;
  backend: Backend;
  shard?: Shard;
  /** Continue an interrupted campaign, skipping stored trials. */
  resume?: boolean;
  /** Replace the campaign's stored rows and start over. */
  fresh?: boolean;
  /** With resume: delete the stored failed trials with these reasons first, so they run again. */
  retryFailed?: readonly FailureReason[];
  progress?: Progress;
  signal?: AbortSignal;
}

export interface RunOutcome {
  campaign_id: string;
  plan: Plan;
  /** Trials of this run's shard */
  planned: number;
  skipped: number;
  ran: number;
  status: 'finished' | 'interrupted';
}

/**
 * A campaign id names the sweep and its exact text, so --resume finds its campaign again. Shards of one
 * campaign share the id (each file's campaign row records its shard), so `themis merge` of all shards gives
 * the same trials table as one unsharded run.
 */
export function campaignIdOf(spec: CampaignSpec): string {
  return `${spec.sweep.name}-${spec.source_sha256.slice(0, 12)}`;
}

export async function runCampaign(options: RunOptions): Promise<RunOutcome> {
  const { spec, backend } = options;
  const progress = options.progress ?? silentProgress();
  const signal = options.signal ?? new AbortController().signal;
  const plan = buildPlan(spec.sweep);
  const { start, end } = options.shard ? shardRange(plan, options.shard) : { start: 0, end: plan.size };
  const campaign_id = campaignIdOf(spec);
  const context: CampaignContext = { campaign_id, spec, spec_dir: dirname(spec.source_path) };

  // Nothing written on bad input: a file this run creates is removed again if it fails before writing a campaign.
  const created = !existsSync(options.dbPath);
  let wrote = false;
  const store = await Store.open(options.dbPath, { memoryLimit: WRITER_MEMORY_LIMIT });
  try {
    const existing = await store.findCampaign(campaign_id);
    if (existing && !options.resume && !options.fresh) {
      const realBackend = spec.sweep.backend !== 'simulator';
      if (existing.status !== 'finished' || realBackend) {
        throw new CampaignConflictError(
          `${options.dbPath} already holds campaign ${campaign_id} (${existing.status}, ${existing.stored_trials} of ${end - start} ` +
            `trials stored): --resume continues it, --fresh replaces it, or choose another --db`,
        );
      }
    }
    // Prepare before writing anything: a setup problem leaves the database as it was.
    await backend.prepare(context, signal);
    wrote = true;
    if (existing && (options.fresh || (!options.resume && existing.status === 'finished'))) await store.deleteCampaign(campaign_id);
    const resuming = existing !== null && options.resume === true;
    if (resuming && options.retryFailed?.length) await store.deleteFailedTrials(campaign_id, options.retryFailed);
    if (resuming) await store.setCampaignStatus(campaign_id, 'running');
    else {
      await store.insertCampaign({
        campaign_id,
        name: spec.sweep.name,
        spec_yaml: spec.source_yaml,
        spec_sha256: spec.source_sha256,
        spec_path: spec.source_path,
        backend: spec.sweep.backend,
        themis_version: themisVersion(),
        host: hostname(),
        shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null,
        planned_trials: end - start,
        status: 'running',
      });
    }
    await store.loadPoints(campaign_id, plan);
    const { todo, skipped } = todoOf(start, end, resuming ? await store.storedTrialRanges(campaign_id) : []);

    progress.start(todo.count, `${spec.sweep.name} (${spec.sweep.backend})`);
    let ran = 0;
    const halt = new Halt();
    try {
      const ctx: RunContext = { plan, todo, store, campaignId: campaign_id, backendName: spec.sweep.backend, progress, signal, halt };
      ran = isBatchRunner(backend) ? await runInBatches(backend, ctx) : await runOneByOne(backend, ctx);
    } catch (err) {
      if (!halt.caught(err)) throw err;
    } finally {
      progress.stop();
    }
    const status = !halt.halted && ran + skipped >= end - start ? 'finished' : 'interrupted';
    await store.setCampaignStatus(campaign_id, status);
    if (halt.error) throw halt.error;
    return { campaign_id, plan, planned: end - start, skipped, ran, status };
  } finally {
    await backend.dispose().catch(() => undefined);
    store.close();
    if (created && !wrote) removeDatabaseFile(options.dbPath);
  }
}

function removeDatabaseFile(path: string): void {
  for (const f of [path, `${path}.wal`]) rmSync(f, { force: true });
}

/** DuckDB's memory for a campaign's writer (Store.open): its working set is a transaction's batches. */
const WRITER_MEMORY_LIMIT = '128MB';

/** About one DuckDB row group of trials per transaction: below that DuckDB goes through its WAL, 4× slower. */
const TRIALS_PER_TRANSACTION = 122_880;
/**
 * …or this many rows of all tables, whichever comes first: a batch of failing trials can carry 30 rounds each, and
 * holding a row group of those trials would hold 4 M rows (measured: 1 GiB peak RSS at 3 M trials before this bound).
 */
const ROWS_PER_TRANSACTION = 262_144;
/** …and never hold results longer than this, so a slow batch backend still stores as it goes. */
const MAX_HOLD_MS = 2_000;

/** What both ways of running trials need. */
interface RunContext {
  plan: Plan;
  todo: Todo;
  store: Store;
  campaignId: string;
  backendName: BackendName;
  progress: Progress;
  signal: AbortSignal;
  halt: Halt;
}

/** Held results are kept on abort when they are at most this many rows (trials, rounds, gaps, events: ~0.25 s to store). */
const ABORT_KEEP_ROWS = 50_000;

/**
 * Batches stream in and are committed ~one row group at a time. On Ctrl-C the backend's generator is ended
 * (its workers stop), a commit in flight is interrupted (rolled back whole), and held results are kept only
 * when few: storing 8192 trials with all their rows takes ~1 s, and --resume recomputes them identically.
 */
async function runInBatches(backend: Backend & BatchRunner, ctx: RunContext): Promise<number> {
  const { plan, store, progress, signal } = ctx;
  let ran = 0;
  let pending: ResultBatch[] = [];
  let pendingTrials = 0;
  let pendingRows = 0;
  let heldSince = Date.now();
  const flush = async () => {
    if (pending.length === 0) return;
    try {
      progress.storing?.(pendingTrials);
      await store.appendBatches(ctx.campaignId, ctx.backendName, plan, pending);
      ran += pendingTrials;
      progress.stored?.(ran); // after the commit returned: these trials survive a crash now
    } catch (err) {
      if (!signal.aborted) throw err; // interrupted by Ctrl-C: nothing of it was stored
    }
    pending = [];
    pendingTrials = 0;
    pendingRows = 0;
  };
  const interruptCommit = () => store.interrupt();
  signal.addEventListener('abort', interruptCommit, { once: true });
  try {
    // The indices go to the backend in bounded blocks (todo.ts): no array of the whole campaign is ever made.
    blocks: for (const indices of todoBlocks(ctx.todo)) {
      for await (const batch of backend.runBatches(plan, indices, signal)) {
        if (pending.length === 0) heldSince = Date.now();
        pending.push(batch);
        pendingTrials += batch.nTrials;
        pendingRows += batch.nTrials + batch.nRounds + batch.nProbeGaps + batch.nEvents;
        progress.advance(batch.nTrials);
        if (signal.aborted) break blocks;
        const full = pendingTrials >= TRIALS_PER_TRANSACTION || pendingRows >= ROWS_PER_TRANSACTION;
        if (full || Date.now() - heldSince > MAX_HOLD_MS) await flush();
      }
      if (signal.aborted) break;
    }
    if (!signal.aborted || pendingRows <= ABORT_KEEP_ROWS) await flush();
  } finally {
    signal.removeEventListener('abort', interruptCommit);
  }
  return ran;
}

/** Trials one at a time per backend slot; each result is stored in its own transaction as soon as it ends. */
async function runOneByOne(backend: Backend, ctx: RunContext): Promise<number> {
  const { plan, todo, store, progress, signal } = ctx;
  const indices = todoIndices(todo);
  let ran = 0;
  // Appends must not interleave on one connection: chain them.
  let storing = Promise.resolve();
  const worker = async () => {
    while (!signal.aborted && !ctx.halt.halted) {
      const next = indices.next();
      if (next.done) break;
      const index = next.value;
      const trial = trialAt(plan, index);
      const startedAt = Date.now();
      const t0 = performance.now();
      const result = await backend.runTrial(trial, signal).catch((err: unknown) => (ctx.halt.caught(err) ? null : crashed(err)));
      if (result === null) break; // the backend is gone: not a result, nothing stored
      const batch = emptyBatch(1);
      addTrialResult(batch, index, result, startedAt, performance.now() - t0);
      progress.advance(1);
      storing = storing.then(async () => {
        progress.storing?.(1);
        await store.appendBatch(ctx.campaignId, ctx.backendName, plan, batch);
        ran++; // not inside `stored?.(…)`: an absent callback would skip evaluating its argument
        progress.stored?.(ran); // inside the chain: commits are serial, so the count is monotone
      });
      await storing;
    }
  };
  const slots = Math.max(1, Math.min(backend.maxConcurrency, todo.count));
  await Promise.all(Array.from({ length: slots }, worker));
  return ran;
}

/** A backend that throws instead of returning a failed result has crashed; the campaign goes on. */
function crashed(err: unknown): TrialResult {
  if (err instanceof BackendSetupError) throw err;
  return failedTrialResult('backend_crashed', errText(err));
}
