/**
 * One campaign run at a time, in this process: the engine runs it through the database gate (so no read of
 * the file overlaps the writer), reports progress to every listener (the SSE streams), and stops on cancel
 * through an AbortController — the engine then lets running trials finish and keeps what is stored.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Backend, BackendName } from '../../core/backend.js';
import { runCampaign, type RunOutcome } from '../../core/engine/engine.js';
import type { Progress } from '../../core/engine/progress.js';
import type { CampaignSpec, SweepSpec } from '../../core/spec/sweep.js';
import { DbGate } from './db-gate.js';
import { DB_LOCKED_MESSAGE, isLockConflict, RunBusyError } from './errors.js';

export type RunState = 'starting' | 'running' | 'finished' | 'interrupted' | 'failed';
export type RunMode = 'new' | 'resume' | 'fresh';
export const RUN_MODES: readonly RunMode[] = ['new', 'resume', 'fresh'];

export interface RunInfo {
  run_id: number;
  sweep: string;
  campaign_id: string;
  campaign_name: string;
  backend: string;
  mode: RunMode;
  state: RunState;
  /** trials this run has to do (known once the engine starts) */
  total_trials: number | null;
  /** trials committed to DuckDB by this run (what survives a crash; the bar counts these) */
  done_trials: number;
  /** trials the backend finished, stored or not yet */
  computed_trials: number;
  /** 'storing' while a commit runs (then `storing_trials` are being written), else 'running' */
  phase: 'running' | 'storing';
  storing_trials: number;
  started_at: string;
  ended_at: string | null;
  elapsed_ms: number;
  rate_trials_s: number | null;
  cancel_requested: boolean;
  error: string | null;
  outcome: Omit<RunOutcome, 'plan'> | null;
}

export type RunListener = (event: 'progress' | 'end', info: RunInfo) => void;

/** Progress events are pushed at most this often; start, end, cancel and commits are always pushed at once. */
const PUSH_EVERY_MS = 200;
/** While a run is active an event goes out at least this often, so the page's clock never freezes (a long commit). */
const TICK_MS = 1000;

class Run {
  readonly controller = new AbortController();
  readonly listeners = new Set<RunListener>();
  readonly t0 = performance.now();
  info: RunInfo;
  done: Promise<void> = Promise.resolve();
  private lastPush = 0;
  private ticker: NodeJS.Timeout | undefined;

  constructor(id: number, sweep: string, spec: CampaignSpec, campaignId: string, mode: RunMode) {
    this.info = {
      run_id: id,
      sweep,
      campaign_id: campaignId,
      campaign_name: spec.sweep.name,
      backend: spec.sweep.backend,
      mode,
      state: 'starting',
      total_trials: null,
      done_trials: 0,
      computed_trials: 0,
      phase: 'running',
      storing_trials: 0,
      started_at: new Date().toISOString(),
      ended_at: null,
      elapsed_ms: 0,
      rate_trials_s: null,
      cancel_requested: false,
      error: null,
      outcome: null,
    };
  }

  get active(): boolean {
    return this.info.state === 'starting' || this.info.state === 'running';
  }

  snapshot(): RunInfo {
    const elapsed_ms = this.info.ended_at ? this.info.elapsed_ms : Math.round(performance.now() - this.t0);
    const seconds = elapsed_ms / 1000;
    return { ...this.info, elapsed_ms, rate_trials_s: seconds > 0 ? Math.round(this.info.done_trials / seconds) : null };
  }

  push(event: 'progress' | 'end', force = false): void {
    const now = performance.now();
    if (!force && now - this.lastPush < PUSH_EVERY_MS) return;
    this.lastPush = now;
    const info = this.snapshot();
    for (const l of this.listeners) {
      try {
        l(event, info);
      } catch {
        // A listener whose connection broke must not stop the run.
      }
    }
  }

  progress(): Progress {
    return {
      start: (total) => {
        this.info.state = 'running';
        this.info.total_trials = total;
        this.ticker ??= setInterval(() => this.push('progress', true), TICK_MS);
        this.push('progress', true);
      },
      advance: (n) => {
        this.info.computed_trials += n;
        this.push('progress');
      },
      storing: (trials) => {
        this.info.phase = 'storing';
        this.info.storing_trials = trials;
        this.push('progress', true);
      },
      stored: (n) => {
        this.info.phase = 'running';
        this.info.storing_trials = 0;
        this.info.done_trials = n;
        this.push('progress', true);
      },
      stop: () => {
        this.stopTicking();
        this.push('progress', true);
      },
    };
  }

  stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

export interface RunManagerOptions {
  dbPath: string;
  gate: DbGate;
  createBackend: (name: BackendName, sweep?: SweepSpec) => Promise<Backend>;
  /** Called after every run, whatever its end (caches of the file are stale then). */
  onEnded?: (info: RunInfo) => void;
}

export class RunManager {
  private nextId = 1;
  private latest: Run | null = null;
  private readonly runs = new Map<number, Run>();

  constructor(private readonly opts: RunManagerOptions) {}

  get activeRun(): RunInfo | null {
    return this.latest?.active ? this.latest.snapshot() : null;
  }

  get latestRun(): RunInfo | null {
    return this.latest?.snapshot() ?? null;
  }

  get(id: number): RunInfo | null {
    return this.runs.get(id)?.snapshot() ?? null;
  }

  /** Starts a run in the background and returns at once; RunBusyError while another is active. */
  start(sweep: string, spec: CampaignSpec, campaignId: string, mode: RunMode): RunInfo {
    if (this.latest?.active || this.opts.gate.busy) throw new RunBusyError(`run ${this.latest?.info.run_id} is still going; cancel it or wait`);
    const run = new Run(this.nextId++, sweep, spec, campaignId, mode);
    this.latest = run;
    this.runs.set(run.info.run_id, run);
    for (const id of this.runs.keys()) if (this.runs.size > 20 && id !== run.info.run_id) this.runs.delete(id);
    run.done = this.execute(run, spec);
    return run.snapshot();
  }

  private async execute(run: Run, spec: CampaignSpec): Promise<void> {
    try {
      const outcome = await this.opts.gate.write(async () => {
        mkdirSync(dirname(this.opts.dbPath), { recursive: true });
        const backend = await this.opts.createBackend(spec.sweep.backend, spec.sweep);
        return runCampaign({
          spec,
          dbPath: this.opts.dbPath,
          backend,
          resume: run.info.mode === 'resume',
          fresh: run.info.mode === 'fresh',
          progress: run.progress(),
          signal: run.controller.signal,
        });
      });
      const { plan: _plan, ...rest } = outcome;
      run.info.outcome = rest;
      run.info.state = outcome.status;
    } catch (err) {
      run.info.state = 'failed';
      const message = err instanceof Error ? err.message : String(err);
      run.info.error = isLockConflict(err) ? DB_LOCKED_MESSAGE : message;
    }
    run.stopTicking();
    run.info.phase = 'running';
    run.info.elapsed_ms = Math.round(performance.now() - run.t0);
    run.info.ended_at = new Date().toISOString();
    try {
      this.opts.onEnded?.(run.snapshot());
    } finally {
      run.push('end', true);
      run.listeners.clear();
    }
  }

  /** Asks the run to stop; the engine finishes running trials and stores them. */
  cancel(id: number): RunInfo | null {
    const run = this.runs.get(id);
    if (!run) return null;
    if (run.active && !run.controller.signal.aborted) {
      run.info.cancel_requested = true;
      run.controller.abort();
      run.push('progress', true);
    }
    return run.snapshot();
  }

  /**
   * Listens to a run until it ends. Returns null when the run is unknown; for an ended run the listener is not
   * kept (the caller sends the final snapshot itself).
   */
  subscribe(id: number, listener: RunListener): { info: RunInfo; unsubscribe: () => void } | null {
    const run = this.runs.get(id);
    if (!run) return null;
    if (run.active) run.listeners.add(listener);
    return { info: run.snapshot(), unsubscribe: () => run.listeners.delete(listener) };
  }

  /** Cancels the active run and waits for it to end, at most `timeoutMs`. */
  async close(timeoutMs = 60_000): Promise<void> {
    const run = this.latest;
    if (!run?.active) return;
    this.cancel(run.info.run_id);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([run.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
