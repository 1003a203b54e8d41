/**
 * `themis run`: a campaign from a sweep file into DuckDB, optionally one shard of it (`--shard i/N`, or
 * `--shard auto` from a Slurm array task's or a Kubernetes Indexed Job's environment), optionally published as
 * `<root>/shard=NNNN/` of a partitioned dataset root (`--dataset-root`, core/store/dataset-root.ts).
 * Every option is checked before anything is written.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createBackend } from '../../backends/registry.js';
import type { FailureReason } from '../../core/backend.js';
import { runCampaign, type RunOutcome } from '../../core/engine/engine.js';
import { terminalProgress } from '../../core/engine/progress.js';
import { checkOutputPath } from './output-path.js';
import { UsageError } from '../../core/errors.js';
import { buildPlan, type Shard } from '../../core/plan/plan.js';
import { checkShardFitsPlan, shardFromEnvironment } from '../../core/plan/shard-env.js';
import { loadSweepFile } from '../../core/spec/load.js';
import type { CampaignSpec } from '../../core/spec/sweep.js';
import { Store } from '../../core/store/store.js';

export interface RunCommandOptions {
  /** the report's breakdown (default: the axes the sweep varies) */
  by?: string[];
  db?: string;
  report: string | boolean;
  resume?: boolean;
  fresh?: boolean;
  shard?: Shard | 'auto';
  shardCount?: number;
  datasetRoot?: string;
  /** run again the stored failures with these reasons (implies --resume) */
  retryFailed?: FailureReason[];
}

/** The shard to run, from the option or the scheduler's environment, checked against the plan. */
export function resolveShard(spec: CampaignSpec, o: RunCommandOptions, env: NodeJS.ProcessEnv): Shard | undefined {
  if (o.shardCount !== undefined && o.shard !== 'auto') throw new UsageError('--shard-count: only with --shard auto');
  if (o.datasetRoot !== undefined && o.shard === undefined) {
    throw new UsageError('--dataset-root: expected --shard auto or --shard i/N (the root holds one folder per shard)');
  }
  if (o.shard === undefined) return undefined;
  const auto = o.shard === 'auto' ? shardFromEnvironment(env, o.shardCount) : undefined;
  const shard = auto ?? (o.shard as Shard);
  const source = auto ? `--shard auto (${auto.source})` : `--shard ${shard.index}/${shard.count}`;
  checkShardFitsPlan(buildPlan(spec.sweep), shard, `${spec.source_path}: ${source}`);
  return { index: shard.index, count: shard.count };
}

/** Ctrl-C once: stop scheduling and keep what is stored. Twice: leave at once. */
function interruptController(): AbortController {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${signal}: stopping after the running trials (stored trials are kept; --resume continues)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller;
}

/** The run's line and, when it finished, the per-mode table (an interrupted run exits at once instead). */
async function printSummary(dbPath: string, outcome: RunOutcome, shown: string): Promise<void> {
  let summary = '(--resume completes it)';
  if (outcome.status === 'finished') {
    const { modeSummary, formatModeSummary } = await import('../../reports/summary.js');
    const store = await Store.open(dbPath, { readOnly: true });
    try {
      summary = formatModeSummary(await modeSummary(store.connection, outcome.campaign_id));
    } finally {
      store.close();
    }
  }
  process.stdout.write(
    `campaign ${outcome.campaign_id}: ${outcome.status}, ${outcome.ran} trials run` +
      (outcome.skipped ? `, ${outcome.skipped} already stored` : '') +
      ` of ${outcome.planned}\n${summary}\ndatabase: ${shown}\n`,
  );
}

export async function runCommand(sweepPath: string, o: RunCommandOptions): Promise<void> {
  if (o.resume && o.fresh) throw new UsageError('--resume and --fresh contradict each other');
  if (o.retryFailed && o.fresh) throw new UsageError('--retry-failed and --fresh contradict each other');
  const spec = loadSweepFile(sweepPath);
  const shard = resolveShard(spec, o, process.env);
  if (o.datasetRoot !== undefined && o.resume && o.db === undefined) {
    throw new UsageError("--resume with --dataset-root: expected --db FILE (the shard's database to continue); found none");
  }
  if (o.datasetRoot !== undefined) checkOutputPath('--dataset-root', o.datasetRoot, 'folder');
  const name = spec.sweep.name + (shard ? `.shard-${shard.index}-of-${shard.count}` : '');
  // A shard published to a root keeps its database only when asked to (--db): by default it is scratch space.
  const scratch = o.datasetRoot !== undefined && o.db === undefined ? mkdtempSync(join(tmpdir(), 'themis-shard-')) : undefined;
  const dbPath = o.db ?? (scratch ? join(scratch, `${name}.duckdb`) : join('results', `${name}.duckdb`));
  if (!scratch) checkOutputPath('--db', dbPath);
  if (typeof o.report === 'string') checkOutputPath('--report', o.report);
  else if (o.report && o.datasetRoot === undefined) checkOutputPath('--report', join('results', `${name}.html`));
  try {
    mkdirSync(dirname(dbPath), { recursive: true });
    const backend = await createBackend(spec.sweep.backend, spec.sweep);
    const controller = interruptController();
    const outcome = await runCampaign({
      spec, dbPath, backend, shard, resume: o.resume || o.retryFailed !== undefined, retryFailed: o.retryFailed, fresh: o.fresh, progress: terminalProgress(), signal: controller.signal,
    });
    await printSummary(dbPath, outcome, scratch ? '(scratch, removed)' : dbPath);
    if (outcome.status === 'interrupted') {
      if (o.datasetRoot !== undefined) process.stdout.write(`dataset: not published (interrupted)\n`);
      process.exitCode = 130;
      return;
    }
    if (o.datasetRoot !== undefined && shard) {
      const { publishShardDataset } = await import('../../core/store/dataset-root.js');
      const { folder } = await publishShardDataset({ db: dbPath, root: o.datasetRoot, shard, campaignId: outcome.campaign_id });
      process.stdout.write(`dataset: ${folder}\n`);
    }
    const wantReport = o.datasetRoot === undefined ? o.report !== false : typeof o.report === 'string';
    if (wantReport) {
      const reportPath = typeof o.report === 'string' ? o.report : join('results', `${name}.html`);
      const { writeHtmlReport } = await import('../../reports/html.js');
      await writeHtmlReport({ db: dbPath, out: reportPath, campaignId: outcome.campaign_id, by: o.by });
      process.stdout.write(`report: ${reportPath}\n`);
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
