/**
 * The simulator's working memory for one trial: outcome numbers, phase rows, events, unavailability
 * intervals and probe gaps, all in typed arrays that are reused from trial to trial. The model writes here;
 * simulate.ts turns it into a TrialResult or copies it into a columnar ResultBatch. Nothing in it survives
 * a trial: `reset` clears every field the model reads.
 */
import { FAILURE_REASONS, type FailureReason } from '../core/backend.js';
import { newDirtyModel, type DirtyModel } from './workload.js';

/** Phase names of the rounds table (codes index this list). */
export const PHASES = ['precopy', 'stopcopy', 'postcopy', 'shutdown', 'disk-copy', 'boot', 'agent', 'orchestrator'] as const;
export const PH_PRECOPY = 0;
export const PH_STOPCOPY = 1;
export const PH_POSTCOPY = 2;
export const PH_SHUTDOWN = 3;
export const PH_DISK_COPY = 4;
export const PH_BOOT = 5;
export const PH_AGENT = 6;
/** The orchestrator's work while the VM is stopped (orchestrator_paused_ms). */
export const PH_ORCHESTRATOR = 7;

/** Event kinds with the names of their (at most two) numeric detail fields. */
export const EVENT_KINDS: readonly { kind: string; keys: readonly string[] }[] = [
  { kind: 'migration-requested', keys: [] },
  { kind: 'migration-started', keys: [] },
  { kind: 'throttle-changed', keys: ['throttle_pct'] },
  { kind: 'vm-paused', keys: [] },
  { kind: 'postcopy-started', keys: ['remaining_pages'] },
  { kind: 'vm-resumed', keys: [] },
  { kind: 'announce', keys: ['round'] },
  { kind: 'network-reconverged', keys: ['after_move_ms'] },
  { kind: 'migration-completed', keys: [] },
  { kind: 'migration-cancelled', keys: ['timeout_s'] },
  { kind: 'link-failure', keys: [] },
  { kind: 'vm-lost', keys: [] },
  { kind: 'shutdown-started', keys: [] },
  { kind: 'disk-copy-started', keys: ['bytes'] },
  { kind: 'boot-started', keys: [] },
  { kind: 'guest-booted', keys: [] },
  { kind: 'agent-ready', keys: [] },
  { kind: 'postcopy-completed', keys: ['faults', 'fault_stall_ms'] },
  { kind: 'vm-resumed-at-source', keys: [] },
];
export const EV_REQUESTED = 0;
export const EV_STARTED = 1;
export const EV_THROTTLE = 2;
export const EV_PAUSED = 3;
export const EV_POSTCOPY_STARTED = 4;
export const EV_RESUMED = 5;
export const EV_ANNOUNCE = 6;
export const EV_RECONVERGED = 7;
export const EV_COMPLETED = 8;
export const EV_CANCELLED = 9;
export const EV_LINK_FAILURE = 10;
export const EV_VM_LOST = 11;
export const EV_SHUTDOWN = 12;
export const EV_DISK_COPY = 13;
export const EV_BOOT = 14;
export const EV_BOOTED = 15;
export const EV_AGENT_READY = 16;
export const EV_POSTCOPY_COMPLETED = 17;
export const EV_RESUMED_AT_SOURCE = 18;

/** Trial `detail` JSON, one constant text per way a trial ends (no string building per trial). */
export const ENDINGS = [
  { detail: { converged_by: 'downtime_limit' } },
  { detail: { converged_by: 'postcopy' } },
  { detail: { converged_by: 'stop_and_copy' } },
  { detail: { converged_by: 'cold_boot' } },
  { detail: { ended_by: 'timeout' } },
  { detail: { ended_by: 'link_failure' } },
] as const;
export const ENDING_TEXT = ENDINGS.map((e) => JSON.stringify(e.detail));
export const END_DOWNTIME_LIMIT = 0;
export const END_POSTCOPY = 1;
export const END_STOP_AND_COPY = 2;
export const END_COLD_BOOT = 3;
export const END_TIMEOUT = 4;
export const END_LINK_FAILURE = 5;

export const FAIL_NONE = -1;
export const FAIL_NOT_CONVERGED = FAILURE_REASONS.indexOf('not_converged');
export const FAIL_ABORTED = FAILURE_REASONS.indexOf('aborted');
export const FAIL_TIMEOUT = FAILURE_REASONS.indexOf('timeout');
export const FAIL_VM_LOST = FAILURE_REASONS.indexOf('vm_lost');

export function failureName(code: number): FailureReason | null {
  return code < 0 ? null : FAILURE_REASONS[code];
}

function grown(a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Slots of the interval arrays (down, busy, gaps): fixed, since they are written on every trial's hot path.
 * The model records at most 2 of each per trial: down = the pause until reconverged (or an aborted pause,
 * or a failed disk copy), plus the open-ended loss of a post-copy VM; busy = the pre-copy rounds and the
 * post-copy push; gaps ≤ merged down intervals. 4 is twice that; a model change that needs more must raise
 * it, and the add methods throw rather than write past the end (a typed array would drop the value silently).
 */
export const INTERVALS_PER_TRIAL = 4;

function intervalOverflow(what: string, startMs: number): Error {
  return new Error(
    `simulator scratch: a trial recorded more than ${INTERVALS_PER_TRIAL} ${what} intervals (the next from ${startMs} ms); ` +
      'raise INTERVALS_PER_TRIAL in simulator/scratch.ts',
  );
}

function grownU8(a: Uint8Array<ArrayBuffer>, need: number): Uint8Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Uint8Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export class Scratch {
  // --- outcome (NaN = SQL NULL)
  failure = FAIL_NONE;
  ending = END_DOWNTIME_LIMIT;
  totalMs = 0;
  downtimeMs = 0;
  outageMs = 0;
  /** the TCP probe's longest time without progress (tcp-stall.ts) */
  tcpStallMs = 0;
  lossPct = 0;
  rttP50Ms = 0;
  rttP99Ms = 0;
  transferredBytes = 0;
  /** completed pre-copy passes (what hybrid's postcopy_after_rounds counts) */
  passes = 0;
  /** QEMU's dirty-sync-count: the `rounds` outcome (core/results/outcomes.ts) */
  syncs = 0;

  // --- per-trial constants derived from the parameters and the seeded draws
  pageBytes = 4096;
  pageWireBytes = 4104;
  totalPages = 0;
  nonzeroPages = 0;
  /** bytes of the first full pass: non-zero pages in full, zero pages as headers */
  firstPassBytes = 0;
  /** achieved pre-copy rate (and the measured bandwidth): min(link × jitter, max-bandwidth × precopy_rate_share), bytes/ms */
  precopyBytesPerMs = 0;
  /** line rate (bursts, page requests, disk copy): link × jitter, bytes/ms */
  linkBytesPerMs = 0;
  /** unthrottled switch-over payload: min(link × jitter, switchover_rate_mib_s), bytes/ms */
  switchoverBytesPerMs = 0;
  /** link failure after this much data-flow time, ms (Infinity: none) */
  failAfterFlowMs = Number.POSITIVE_INFINITY;
  flowedMs = 0;
  dirty: DirtyModel = newDirtyModel();

  // --- where pre-copy stopped (read by the switch-over / post-copy that follows)
  cursorMs = 0;
  /** pages in the dirty bitmap (still to send; during the first pass zero pages included) */
  pendingPages = 0;
  /** wire bytes of those pages (zero pages as 9-byte headers) */
  pendingBytes = 0;
  /** of them, pages of the initial all-dirty bitmap not sent yet */
  pendingFirstPages = 0;
  /** of those, zero pages (they come last in the first pass: the guest's free memory lies together) */
  pendingZeroPages = 0;
  /** time of the last bitmap sync, ms */
  lastSyncMs = 0;
  /** pages and bytes sent since the last sync (the current precopy row) */
  rowSentPages = 0;
  rowSentBytes = 0;
  /** post-copy page requests (NaN: no post-copy phase) */
  postcopyFaults = Number.NaN;
  /** throttle in force at the end of pre-copy, % */
  throttlePct = 0;

  // --- timeline facts the network and prober need (ms since request; NaN when it did not happen)
  pauseStartMs = Number.NaN;
  resumeMs = Number.NaN;
  /** when the VM's port exists at the destination (cold: boot start) */
  moveAtMs = Number.NaN;
  /** first frame the VM sends from the destination (announce, or boot traffic); NaN: none */
  firstFrameAtMs = Number.NaN;
  reconvergedAtMs = Number.NaN;
  /** the VM stops answering for good (vm_lost) */
  lostAtMs = Number.NaN;

  /** Detail switches: the fast path turns off rows/events nobody will store (the numbers do not depend on them). */
  rowsOn = true;
  eventsOn = true;

  // --- rounds rows
  nRows = 0;
  rowPhase = new Uint8Array(64);
  rowStart = new Float64Array(64);
  rowDuration = new Float64Array(64);
  rowPages = new Float64Array(64);
  rowBytes = new Float64Array(64);
  rowDirtyAfter = new Float64Array(64);
  rowThrottle = new Float64Array(64);

  // --- events
  nEvents = 0;
  evT = new Float64Array(32);
  evKind = new Uint8Array(32);
  evA = new Float64Array(32);
  evB = new Float64Array(32);

  // --- intervals: VM unreachable [downStart, downEnd); migration traffic while the VM answers [busyStart, busyEnd)
  nDown = 0;
  downStart = new Float64Array(INTERVALS_PER_TRIAL);
  downEnd = new Float64Array(INTERVALS_PER_TRIAL);
  nBusy = 0;
  busyStart = new Float64Array(INTERVALS_PER_TRIAL);
  busyEnd = new Float64Array(INTERVALS_PER_TRIAL);

  // --- probe gaps
  nGaps = 0;
  gapStart = new Float64Array(INTERVALS_PER_TRIAL);
  gapDuration = new Float64Array(INTERVALS_PER_TRIAL);
  gapLost = new Float64Array(INTERVALS_PER_TRIAL);

  reset(): void {
    this.failure = FAIL_NONE;
    this.ending = END_DOWNTIME_LIMIT;
    this.totalMs = 0;
    this.downtimeMs = 0;
    this.outageMs = 0;
    this.tcpStallMs = 0;
    this.lossPct = 0;
    this.rttP50Ms = 0;
    this.rttP99Ms = 0;
    this.transferredBytes = 0;
    this.passes = 0;
    this.syncs = 0;
    this.failAfterFlowMs = Number.POSITIVE_INFINITY;
    this.flowedMs = 0;
    this.cursorMs = 0;
    this.pendingPages = 0;
    this.pendingBytes = 0;
    this.pendingFirstPages = 0;
    this.pendingZeroPages = 0;
    this.lastSyncMs = 0;
    this.rowSentPages = 0;
    this.rowSentBytes = 0;
    this.postcopyFaults = Number.NaN;
    this.throttlePct = 0;
    this.pauseStartMs = Number.NaN;
    this.resumeMs = Number.NaN;
    this.moveAtMs = Number.NaN;
    this.firstFrameAtMs = Number.NaN;
    this.reconvergedAtMs = Number.NaN;
    this.lostAtMs = Number.NaN;
    this.nRows = 0;
    this.nEvents = 0;
    this.nDown = 0;
    this.nBusy = 0;
    this.nGaps = 0;
  }

  addRow(phase: number, startMs: number, durationMs: number, pages: number, bytes: number, dirtyAfter: number, throttle: number): void {
    if (!this.rowsOn) return;
    const i = this.nRows++;
    if (i >= this.rowStart.length) {
      const n = i + 1;
      this.rowPhase = grownU8(this.rowPhase, n);
      this.rowStart = grown(this.rowStart, n);
      this.rowDuration = grown(this.rowDuration, n);
      this.rowPages = grown(this.rowPages, n);
      this.rowBytes = grown(this.rowBytes, n);
      this.rowDirtyAfter = grown(this.rowDirtyAfter, n);
      this.rowThrottle = grown(this.rowThrottle, n);
    }
    this.rowPhase[i] = phase;
    this.rowStart[i] = startMs;
    this.rowDuration[i] = durationMs;
    this.rowPages[i] = pages;
    this.rowBytes[i] = bytes;
    this.rowDirtyAfter[i] = dirtyAfter;
    this.rowThrottle[i] = throttle;
  }

  addEvent(kind: number, tMs: number, a: number, b: number): void {
    if (!this.eventsOn) return;
    const i = this.nEvents++;
    if (i >= this.evT.length) {
      const n = i + 1;
      this.evT = grown(this.evT, n);
      this.evKind = grownU8(this.evKind, n);
      this.evA = grown(this.evA, n);
      this.evB = grown(this.evB, n);
    }
    this.evT[i] = tMs;
    this.evKind[i] = kind;
    this.evA[i] = a;
    this.evB[i] = b;
  }

  /** The VM does not answer probes in [startMs, endMs). At most INTERVALS_PER_TRIAL per trial (the model makes ≤ 2). */
  addDown(startMs: number, endMs: number): void {
    if (!(endMs > startMs)) return;
    if (this.nDown >= INTERVALS_PER_TRIAL) throw intervalOverflow('down (unreachable)', startMs);
    const i = this.nDown++;
    this.downStart[i] = startMs;
    this.downEnd[i] = endMs;
  }

  /** Migration data flows while the VM answers probes in [startMs, endMs) (queueing delay for probes). */
  addBusy(startMs: number, endMs: number): void {
    if (!(endMs > startMs)) return;
    if (this.nBusy >= INTERVALS_PER_TRIAL) throw intervalOverflow('busy (migration traffic)', startMs);
    const i = this.nBusy++;
    this.busyStart[i] = startMs;
    this.busyEnd[i] = endMs;
  }

  /** A probe gap: one per merged down interval, so bounded like them. */
  addGap(startMs: number, durationMs: number, lost: number): void {
    if (this.nGaps >= INTERVALS_PER_TRIAL) throw intervalOverflow('probe gap', startMs);
    const i = this.nGaps++;
    this.gapStart[i] = startMs;
    this.gapDuration[i] = durationMs;
    this.gapLost[i] = lost;
  }
}
