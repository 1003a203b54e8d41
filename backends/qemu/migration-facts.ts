/**
 * The facts of one QEMU migration that the simulator's guest and host parameters are learnt from
 * (calibration/guest-facts.ts): how much of the guest's RAM is non-zero, how fast the switch-over sends, how close
 * pre-copy comes to its cap. All read from QEMU 10's query-migrate (qapi/migration.json `MigrationStats`,
 * filled in migration/ram.c and migration/migration.c). Stored once per trial as `detail.qemu_migration`. Pure.
 */
import { counterAt, type MigrateSample } from './rounds.js';
import type { MigrationInfo } from './qmp.js';

/** The trial `detail` key that holds a migration's QemuMigrationFacts. */
export const QEMU_FACTS_KEY = 'qemu_migration';

export interface QemuMigrationFacts {
  /** Guest RAM in pages (`ram.total` ÷ `ram.page-size`): every RAM block QEMU migrates, ROMs and VGA included */
  ram_pages: number | null;
  page_size_bytes: number | null;
  /**
   * Pages sent whole (`ram.normal`) in the first pass: the first walk over the RAM, which sends every page once
   * (the dirty bitmap starts all set), so normal + zero ≈ ram_pages (firstPassEnd says where it ends). Null when
   * the migration ended before one walk was done.
   */
  first_pass_normal_pages: number | null;
  /** Zero pages (`ram.duplicate`: QEMU's save_zero_page sends only a header) in the first pass */
  first_pass_zero_pages: number | null;
  /** ms from the request to the end of the first pass */
  first_pass_ms: number | null;
  /**
   * Bytes sent while the VM ran / while it was stopped outside post-copy / in post-copy (`ram.precopy-bytes`,
   * `ram.downtime-bytes`, `ram.postcopy-bytes`: ram_transferred_add splits by run state, so a suspend's paused
   * transfer is all downtime bytes). downtime_bytes is the switch-over's payload.
   */
  precopy_bytes: number | null;
  downtime_bytes: number | null;
  postcopy_bytes: number | null;
  /**
   * Bytes of the stream that are not RAM pages (device state, section headers): `ram.transferred` counts every
   * byte of the stream, the three above only RAM. Device state is sent at the switch-over.
   */
  other_bytes: number | null;
  /** QEMU's `setup-time`: request → the first page sent (ms) */
  setup_ms: number | null;
  /** ms of pre-copy sending while the VM ran: end of setup → the source's STOP (or the last observation) */
  precopy_ms: number | null;
  /** precopy_bytes ÷ precopy_ms in MiB/s; null for a VM paused throughout (suspend) */
  precopy_rate_mib_s: number | null;
  /** The max-bandwidth cap applied, MiB/s; null = unlimited */
  cap_mib_s: number | null;
  /** QEMU's `downtime` (ms): source stop → destination start as QEMU measures it */
  downtime_ms: number | null;
  /** `ram.transferred`: every byte the migration sent */
  transferred_bytes: number | null;
  /** `ram.mbps` of the last answer: QEMU's throughput over the migration (megabits/s) */
  mbps: number | null;
  /** `ram.dirty-sync-count` at the end */
  dirty_sync_count: number | null;
  /** `ram.postcopy-requests`: pages the destination asked for after the switch */
  postcopy_requests: number | null;
}

export interface FactsInput {
  samples: readonly MigrateSample[];
  final: MigrationInfo | null;
  /** ms since the request of each MIGRATION_PASS (index = pass − 1) */
  pass_ms: readonly number[];
  /** ms since the request of the source's STOP during the migration; null if none (suspend: stopped before) */
  stop_ms: number | null;
  /** ms since the request when post-copy was started; null without (pre-copy ends there) */
  postcopy_started_ms: number | null;
  /** the VM was paused for the whole move (suspend) */
  paused_throughout: boolean;
  cap_mib_s: number | null;
}

const MIB = 1024 * 1024;

/** The last answer with RAM statistics (the final one when the migration ended, else the last sample's). */
function lastRam(x: Pick<FactsInput, 'samples' | 'final'>): NonNullable<MigrationInfo['ram']> | null {
  return x.final?.ram ?? [...x.samples].reverse().find((s) => s.info.ram)?.info.ram ?? null;
}

function lastOf(x: Pick<FactsInput, 'samples' | 'final'>, field: 'setup-time' | 'downtime'): number | null {
  if (x.final?.[field] !== undefined) return x.final[field]!;
  return [...x.samples].reverse().find((s) => s.info[field] !== undefined)?.info[field] ?? null;
}

/** A cumulative ram counter at t ms, interpolated between the 50 ms samples around it. */
function ramAt(samples: readonly MigrateSample[], field: 'normal' | 'duplicate', t: number): number {
  const pts = samples.filter((s) => s.info.ram).map((s) => ({ t_ms: s.t_ms, v: s.info.ram![field] }));
  return Math.round(counterAt(pts, t));
}

/**
 * Share of ram_pages that QEMU's normal + duplicate counters reach when one walk over the RAM is done: they fall
 * ~0.5 % short of ram.total after a full walk (measured under QEMU 10.0.2: 97,810–97,926 of 98,434 pages of a
 * 384 MiB guest, suspend and live), so 98 % marks the walk as done.
 */
export const WALK_DONE_SHARE = 0.98;

/**
 * When the first walk over the RAM ended: at the second dirty-bitmap sync (MIGRATION_PASS 2), unless that sync
 * came before the walk was done — QEMU syncs early when its pending estimate drops under the threshold in the
 * middle of the first pass (migration_iteration_run), and a post-copy switch syncs too — then when the pages sent
 * first reach WALK_DONE_SHARE of the RAM (the walk goes on from where it was, so those are still one walk).
 */
function firstPassEnd(x: FactsInput, ramPages: number | null): number | null {
  if (ramPages === null) return null;
  const pts = x.samples.filter((s) => s.info.ram).map((s) => ({ t: s.t_ms, v: s.info.ram!.normal + s.info.ram!.duplicate }));
  const target = WALK_DONE_SHARE * ramPages;
  const i = pts.findIndex((p) => p.v >= target);
  if (i < 0) return null;
  const a = pts[i - 1];
  const b = pts[i];
  const walked = !a || b.v === a.v ? b.t : a.t + ((target - a.v) * (b.t - a.t)) / (b.v - a.v);
  return Math.max(walked, x.pass_ms[1] ?? walked);
}

function otherBytes(ram: NonNullable<MigrationInfo['ram']> | null): number | null {
  const parts = [ram?.['precopy-bytes'], ram?.['downtime-bytes'], ram?.['postcopy-bytes']];
  if (!ram || parts.some((v) => v === undefined)) return null;
  return Math.max(0, ram.transferred - parts.reduce((a, b) => a! + b!, 0)!);
}

export function migrationFacts(x: FactsInput): QemuMigrationFacts {
  const ram = lastRam(x);
  const pageSize = ram?.['page-size'] || null;
  const ramPages = ram && pageSize ? Math.round(ram.total / pageSize) : null;
  const passEnd = firstPassEnd(x, ramPages);
  const setup = lastOf(x, 'setup-time');
  const lastSample = x.samples.at(-1)?.t_ms ?? null;
  const precopyEnd = x.stop_ms ?? x.postcopy_started_ms ?? lastSample;
  const precopyMs = !x.paused_throughout && precopyEnd !== null && setup !== null ? Math.max(0, precopyEnd - setup) : null;
  const precopyBytes = ram?.['precopy-bytes'] ?? null;
  return {
    ram_pages: ramPages,
    page_size_bytes: pageSize,
    first_pass_normal_pages: passEnd === null ? null : ramAt(x.samples, 'normal', passEnd),
    first_pass_zero_pages: passEnd === null ? null : ramAt(x.samples, 'duplicate', passEnd),
    first_pass_ms: passEnd,
    precopy_bytes: precopyBytes,
    downtime_bytes: ram?.['downtime-bytes'] ?? null,
    postcopy_bytes: ram?.['postcopy-bytes'] ?? null,
    other_bytes: otherBytes(ram),
    setup_ms: setup,
    precopy_ms: precopyMs,
    precopy_rate_mib_s: precopyMs && precopyBytes !== null ? precopyBytes / MIB / (precopyMs / 1000) : null,
    cap_mib_s: x.cap_mib_s,
    downtime_ms: lastOf(x, 'downtime'),
    transferred_bytes: ram?.transferred ?? null,
    mbps: ram?.mbps ?? null,
    dirty_sync_count: ram?.['dirty-sync-count'] ?? null,
    postcopy_requests: ram?.['postcopy-requests'] ?? null,
  };
}
