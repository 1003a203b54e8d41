/**
 * The guest and host facts `themis calibrate` learns from a real qemu campaign, each from the QEMU counters the
 * qemu backend recorded per trial (backends/qemu/migration-facts.ts):
 * - nonzero_share: ram.normal ÷ (ram.normal + ram.duplicate) over the first pass, which walks every page once
 *   (migration/ram.c: save_zero_page counts a zero page as `duplicate` and sends only its header);
 * - switchover_rate_mib_s, switchover_cost_ms: QEMU's `downtime` against the RAM sent while the VM was stopped
 *   (ram.downtime-bytes), a Theil–Sen line: cost = its intercept, rate = 1 ÷ its slope; the switch-over sends
 *   without max-bandwidth (migration_completion_precopy), so this is the host's unthrottled rate;
 * - precopy_rate_share: ram.precopy-bytes ÷ the time pre-copy sent while the VM ran, ÷ the max-bandwidth cap.
 * Pure: rows in, facts out.
 */
import { MODE_PROPERTIES } from '../core/modes.js';
import type { FactRow } from './guest-fact-rows.js';
import { spread, theilSen } from './theil-sen.js';

export const FACT_PARAMETERS = ['nonzero_share', 'switchover_rate_mib_s', 'switchover_cost_ms', 'precopy_rate_share'] as const;
export type FactParameter = (typeof FACT_PARAMETERS)[number];

export interface LearntFact {
  parameter: FactParameter;
  value: number;
  /** trials it was learnt from */
  trials: number;
  /** the per-trial figure summarised below, in words */
  figure: string;
  median: number;
  p10: number;
  p90: number;
  /** how the value follows from the figures, and anything a reader should know */
  note: string;
}

/**
 * Pre-copy shorter than this is left out of the rate: QEMU's rate limit works in 100 ms windows
 * (migration_rate_exceeded), so a short run's first windows burst above the cap.
 */
export const MIN_PRECOPY_MS = 2000;

/** A first pass counts when it sent at least this share of the RAM's pages (QEMU falls ~0.5 % short of a walk). */
export const MIN_WALK_SHARE = 0.97;

const MIB = 1024 * 1024;
const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3).replace(/\.?0+$/, ''));

function fact(parameter: FactParameter, value: number, figures: number[], figure: string, note: string): LearntFact {
  return { parameter, value, trials: figures.length, figure, ...spread(figures), note };
}

export function learnNonzeroShare(rows: readonly FactRow[]): LearntFact | null {
  // a first pass that did not walk the whole RAM (recorded before the walk rule) would weigh only its start
  const walked = (r: FactRow) => r.first_pass_normal_pages! + r.first_pass_zero_pages! >= MIN_WALK_SHARE * (r.ram_pages ?? 0);
  const usable = rows.filter((r) => r.first_pass_normal_pages !== null && r.first_pass_zero_pages !== null && r.ram_pages && walked(r));
  const shares = usable.map((r) => r.first_pass_normal_pages! / (r.first_pass_normal_pages! + r.first_pass_zero_pages!));
  if (shares.length === 0) return null;
  const { median } = spread(shares);
  const sizes = [...new Set(usable.map((r) => r.memory_mib))].sort((a, b) => a - b);
  const note = sizes.length > 1 ? `; pooled over guests of ${sizes.join(', ')} MiB (the share depends on the guest)` : '';
  return fact('nonzero_share', round(median, 3), shares, 'ram.normal ÷ (ram.normal + ram.duplicate) in the first pass', `the median${note}`);
}

/** Live (pre-copy only, VM running) succeeded trials: their stop-and-copy is QEMU's switch-over. */
export function learnSwitchover(rows: readonly FactRow[]): LearntFact[] {
  const pts = rows
    .filter((r) => r.succeeded && MODE_PROPERTIES[r.mode].precopy && !MODE_PROPERTIES[r.mode].postcopy_phase && !MODE_PROPERTIES[r.mode].paused_throughout)
    .filter((r) => r.downtime_bytes !== null && r.downtime_ms !== null)
    .map((r) => ({ x: r.downtime_bytes! / MIB, y: r.downtime_ms! }));
  if (pts.length === 0) return [];
  const ratios = pts.filter((p) => p.y > 0).map((p) => (p.x / p.y) * 1000);
  const line = theilSen(pts);
  const downtimes = pts.map((p) => p.y);
  const payload = `payload (ram.downtime-bytes) median ${fmt(spread(pts.map((p) => p.x)).median)} MiB`;
  if (line && line.slope > 0 && line.intercept >= 0) {
    return [
      fact('switchover_rate_mib_s', Number(fmt(1000 / line.slope)), ratios, 'payload ÷ QEMU downtime, MiB/s', `1 ÷ the slope of QEMU downtime vs payload (Theil–Sen); ${payload}`),
      fact('switchover_cost_ms', round(line.intercept, 1), downtimes, 'QEMU downtime, ms', `the intercept of QEMU downtime vs payload (Theil–Sen); ${payload}`),
    ];
  }
  // no usable line (one payload, or noise that slopes down): all of the downtime is sending
  if (ratios.length === 0) return [];
  const why = !line
    ? 'the payloads do not vary'
    : line.slope <= 0
      ? `the fitted line slopes down (${fmt(line.slope)} ms/MiB)`
      : `the fitted line's intercept is below 0 (${fmt(line.intercept)} ms; slope ${fmt(line.slope)} ms/MiB)`;
  return [
    fact('switchover_rate_mib_s', Number(fmt(spread(ratios).median)), ratios, 'payload ÷ QEMU downtime, MiB/s', `the median, the line through 0: ${why}; ${payload}`),
    fact('switchover_cost_ms', 0, downtimes, 'QEMU downtime, ms', `0, no fixed cost: ${why}`),
  ];
}

export function learnPrecopyRateShare(rows: readonly FactRow[]): LearntFact | null {
  const usable = rows.filter(
    (r) => MODE_PROPERTIES[r.mode].precopy && !MODE_PROPERTIES[r.mode].paused_throughout && r.cap_mib_s !== null && r.precopy_rate_mib_s !== null && (r.precopy_ms ?? 0) >= MIN_PRECOPY_MS,
  );
  if (usable.length === 0) return null;
  const shares = usable.map((r) => r.precopy_rate_mib_s! / r.cap_mib_s!);
  const { median } = spread(shares);
  const caps = [...new Set(usable.map((r) => r.cap_mib_s!))].sort((a, b) => a - b);
  const byCap = caps.map((c) => {
    const s = usable.filter((r) => r.cap_mib_s === c).map((r) => r.precopy_rate_mib_s! / c);
    return `${c} MiB/s → ${fmt(spread(s).median)} (${s.length})`;
  });
  const capped = median > 1 ? ', capped at 1 (QEMU bursts above the cap in its 100 ms windows)' : '';
  return fact(
    'precopy_rate_share',
    round(Math.min(1, median), 3),
    shares,
    `ram.precopy-bytes ÷ pre-copy time ÷ cap, pre-copy ≥ ${MIN_PRECOPY_MS / 1000} s`,
    `the median${capped}; by cap: ${byCap.join(', ')}`,
  );
}

/** Every fact the rows support, in FACT_PARAMETERS order. */
export function learnGuestFacts(rows: readonly FactRow[]): LearntFact[] {
  const all = [learnNonzeroShare(rows), ...learnSwitchover(rows), learnPrecopyRateShare(rows)];
  return all.filter((f): f is LearntFact => f !== null);
}

/** The YAML comment written next to a learnt parameter: the real figure it came from. */
export function factComment(f: LearntFact, campaignId: string): string {
  return ` learnt from ${f.trials} real trials of ${campaignId}: ${f.figure}: median ${fmt(f.median)} (p10 ${fmt(f.p10)}, p90 ${fmt(f.p90)}); value = ${f.note}`;
}
