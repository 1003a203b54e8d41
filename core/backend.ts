/**
 * The one interface between the engine and every backend (simulator, qemu, opennebula), and the
 * result a trial produces. Whatever moved, a trial ends as these rows.
 */
import type { TrialParameters } from './spec/parameters.js';
import type { CampaignSpec } from './spec/sweep.js';
import type { Plan } from './plan/plan.js';
import type { ResultBatch } from './results/batch.js';
import type { Outcomes } from './results/outcomes.js';

export const BACKEND_NAMES = ['simulator', 'qemu', 'opennebula'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Closed list: a failed migration is a row with one of these, never a crash. */
export const FAILURE_REASONS = [
  'not_converged',
  'timeout',
  'aborted',
  'vm_lost',
  'boot_failed',
  'orchestrator_error',
  'agent_unreachable',
  'verification_failed',
  'backend_crashed',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export type TrialStatus = 'succeeded' | 'failed';

/** One trial of the plan: one repetition of one point. */
export interface Trial {
  readonly trial_id: string;
  readonly point_id: string;
  /** Position in the campaign's full plan (stable across shards and resumes). */
  readonly index: number;
  readonly repetition: number;
  /** 32-bit seed derived from the campaign seed, point and repetition. */
  readonly seed: number;
  readonly params: TrialParameters;
}

/** One pre-copy round, switch-over, post-copy phase or cold phase. Times are ms since the migration request. */
export interface RoundRow {
  round: number;
  /** e.g. 'precopy', 'stopcopy', 'postcopy', 'shutdown', 'disk-copy', 'boot', 'agent', 'save', 'restore' */
  phase: string;
  start_ms: number;
  duration_ms: number;
  pages_sent: number;
  bytes_sent: number;
  dirty_pages_after: number;
  throttle_pct: number;
}

/** A run of consecutive lost probes seen by the supervisor. */
export interface ProbeGapRow {
  probe: string;
  /** 'rtt' for echo probes, or 'to_vm' / 'from_vm' for one-way streams */
  direction: string;
  start_ms: number;
  duration_ms: number;
  packets_lost: number;
}

export interface EventRow {
  t_ms: number;
  /** who saw it: 'simulator', 'qmp', 'oned', 'prober', 'themis', ... */
  source: string;
  kind: string;
  detail: Record<string, unknown> | null;
}

/**
 * What runTrial returns: the outcome columns (core/results/outcomes.ts) plus the detail rows. Build it with
 * the one TrialRecorder (core/results/recorder.ts), so every backend fills a failed trial the same way.
 */
export interface TrialResult extends Outcomes {
  status: TrialStatus;
  failure_reason: FailureReason | null;
  rounds_detail: RoundRow[];
  probe_gaps: ProbeGapRow[];
  events: EventRow[];
  /** Backend facts worth keeping per trial (accelerator, hosts, versions), stored as JSON. */
  detail: Record<string, unknown>;
}

/** What a backend knows of the campaign it serves. */
export interface CampaignContext {
  readonly campaign_id: string;
  readonly spec: CampaignSpec;
  /** Where the sweep file lives, to resolve relative paths in backend options. */
  readonly spec_dir: string;
}

export interface Backend {
  readonly name: BackendName;
  /** Trials this backend can run at once (qemu: 1; opennebula: 1 per VM under test). */
  readonly maxConcurrency: number;
  /** Build images, discover VMs, check credentials. Throws BackendSetupError for a clear, user-facing refusal. */
  prepare(campaign: CampaignContext, signal: AbortSignal): Promise<void>;
  /** Never throws for a failed migration: a failure is a TrialResult with a reason. */
  runTrial(trial: Trial, signal: AbortSignal): Promise<TrialResult>;
  /** Releases everything prepare and runTrial created; safe to call more than once. */
  dispose(): Promise<void>;
}

/**
 * Optional fast path for backends that run many cheap trials (the simulator): the engine hands over plan
 * indices and appends the columnar batches as they arrive, each batch in one transaction.
 */
export interface BatchRunner {
  runBatches(plan: Plan, indices: Int32Array, signal: AbortSignal): AsyncIterable<ResultBatch>;
}

export function isBatchRunner(b: Backend): b is Backend & BatchRunner {
  return typeof (b as Partial<BatchRunner>).runBatches === 'function';
}
