/**
 * Turns a migration's observations into `rounds` rows. QMP's MIGRATION_PASS events mark each dirty-bitmap
 * sync exactly (pass k starts round k) and the source's STOP event marks the switch-over, so round boundaries
 * come from events; bytes and pages come from query-migrate samples (polled every ~50 ms), interpolated
 * linearly at those boundaries. After STOP: one 'stopcopy' row, or a 'postcopy' row when the destination ran
 * while pages were still pulled.
 */
import type { RoundRow } from '../../core/backend.js';
import type { MigrationInfo } from './qmp.js';

export interface MigrateSample {
  /** ms since the migration request */
  t_ms: number;
  info: MigrationInfo;
}

export interface MigrationMarks {
  /** ms since the request of each MIGRATION_PASS, index = pass - 1 */
  pass_ms: number[];
  /** Source STOP (switch-over start), ms since the request; null if it never stopped, < 0 when stopped before (suspend) */
  stop_ms: number | null;
  /** Completion (source reports completed), ms since the request */
  end_ms: number | null;
  postcopy: boolean;
}

type RamField = 'transferred' | 'pages' | 'remaining';

function ramValue(info: MigrationInfo, field: RamField): number | null {
  const ram = info.ram;
  if (!ram) return null;
  if (field === 'pages') return ram.normal + ram.duplicate;
  return ram[field];
}

/** Linear interpolation of a cumulative counter at time t from the samples (and the final answer at end_ms). */
export function counterAt(points: readonly { t_ms: number; v: number }[], t: number): number {
  if (points.length === 0) return 0;
  if (t <= points[0].t_ms) return t <= 0 ? 0 : points[0].v * Math.min(1, t / Math.max(points[0].t_ms, 1e-9));
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (t <= b.t_ms) return b.t_ms === a.t_ms ? b.v : a.v + ((b.v - a.v) * (t - a.t_ms)) / (b.t_ms - a.t_ms);
  }
  return points[points.length - 1].v;
}

function series(samples: readonly MigrateSample[], final: MigrationInfo | null, end_ms: number | null, field: RamField) {
  const pts: { t_ms: number; v: number }[] = [];
  for (const s of samples) {
    const v = ramValue(s.info, field);
    if (v !== null) pts.push({ t_ms: s.t_ms, v });
  }
  const fv = final ? ramValue(final, field) : null;
  if (fv !== null && end_ms !== null) pts.push({ t_ms: end_ms, v: fv });
  return pts;
}

/** Remaining bytes first observed at or after t (right after a sync, that is the dirty set). */
function remainingAfter(samples: readonly MigrateSample[], t: number): number {
  for (const s of samples) if (s.t_ms >= t && s.info.ram) return s.info.ram.remaining;
  return 0;
}

export function roundsFromObservations(samples: readonly MigrateSample[], final: MigrationInfo | null, marks: MigrationMarks): RoundRow[] {
  const sent = series(samples, final, marks.end_ms, 'transferred');
  const pages = series(samples, final, marks.end_ms, 'pages');
  const pageSize = final?.ram?.['page-size'] || samples.find((s) => s.info.ram)?.info.ram?.['page-size'] || 4096;
  const end = marks.end_ms ?? samples.at(-1)?.t_ms ?? 0;
  const stop = marks.stop_ms ?? Number.POSITIVE_INFINITY;
  const throttleAt = (t: number): number => {
    let v = 0;
    for (const s of samples) if (s.t_ms <= t) v = s.info['cpu-throttle-percentage'] ?? v;
    return v;
  };
  const rows: RoundRow[] = [];
  const row = (round: number, phase: string, a: number, b: number): void => {
    rows.push({
      round,
      phase,
      start_ms: a,
      duration_ms: Math.max(0, b - a),
      pages_sent: Math.max(0, Math.round(counterAt(pages, b) - counterAt(pages, a))),
      bytes_sent: Math.max(0, Math.round(counterAt(sent, b) - counterAt(sent, a))),
      dirty_pages_after: phase === 'precopy' ? Math.round(remainingAfter(samples, b) / pageSize) : 0,
      throttle_pct: throttleAt(b),
    });
  };
  const passes = marks.pass_ms.length > 0 ? marks.pass_ms : [0];
  const running = stop > 0; // suspend: the VM was already stopped, so every pass is part of one stop-and-copy
  if (running) {
    for (let k = 0; k < passes.length; k++) {
      const a = passes[k];
      if (a >= stop) break;
      const b = Math.min(passes[k + 1] ?? end, stop, end);
      // A sync immediately followed by the switch-over is QEMU deciding to complete, not a round.
      if (b - a < 1 && b === stop && k > 0) continue;
      row(k + 1, 'precopy', k === 0 ? 0 : a, b);
    }
  }
  if (Number.isFinite(stop) && marks.end_ms !== null) {
    const a = Math.max(0, stop);
    row(rows.length + 1, marks.postcopy ? 'postcopy' : 'stopcopy', a, Math.max(a, end));
  } else if (!running && marks.end_ms !== null) {
    row(1, 'stopcopy', 0, end);
  }
  return rows;
}
