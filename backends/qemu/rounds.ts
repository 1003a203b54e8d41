/**
 * Turns query-migrate samples (polled every ~50 ms) into `rounds` rows. A pre-copy round is the time during
 * which QEMU's dirty-sync-count stays the same: round r starts when the r-th bitmap sync happened. The last
 * sync happens inside the switch-over, which the poll cannot see: it becomes a 'stopcopy' row of QEMU's
 * reported downtime. Post-copy is one 'postcopy' row from the switch to completion.
 */
import type { RoundRow } from '../../core/backend.js';
import type { MigrationInfo } from './qmp.js';

export interface MigrateSample {
  /** ms since the migration request */
  t_ms: number;
  info: MigrationInfo;
}

type Phase = 'setup' | 'precopy' | 'postcopy' | 'stopcopy' | 'end';

function phaseOf(status: string | undefined): Phase {
  switch (status) {
    case 'active':
      return 'precopy';
    case 'postcopy-active':
    case 'postcopy-paused':
    case 'postcopy-recover':
      return 'postcopy';
    case 'device':
    case 'pre-switchover':
      return 'stopcopy';
    case 'setup':
      return 'setup';
    default:
      return 'end';
  }
}

interface Group {
  phase: Phase;
  sync: number;
  first: MigrateSample;
}

export function roundsFromSamples(samples: readonly MigrateSample[], final: MigrationInfo | null, final_t_ms: number | null): RoundRow[] {
  const groups: Group[] = [];
  for (const s of samples) {
    const phase = phaseOf(s.info.status);
    if (phase === 'setup' || phase === 'end' || !s.info.ram) continue;
    const sync = s.info.ram['dirty-sync-count'];
    const last = groups.at(-1);
    if (!last || last.phase !== phase || (phase === 'precopy' && last.sync !== sync)) groups.push({ phase, sync, first: s });
  }
  const rows: RoundRow[] = [];
  const pageSize = (s: MigrateSample): number => s.info.ram?.['page-size'] || 4096;
  const downtime = final?.downtime ?? 0;
  const endT = final_t_ms ?? samples.at(-1)?.t_ms ?? 0;
  groups.forEach((g, i) => {
    const next = groups[i + 1];
    // The round before the switch-over ends when the VM stopped: completion minus QEMU's downtime.
    const stopAt = final?.status === 'completed' && g.phase === 'precopy' ? Math.max(g.first.t_ms, endT - downtime) : endT;
    const end_t = next ? next.first.t_ms : stopAt;
    const ramStart = g.first.info.ram!;
    const ramEnd = next?.first.info.ram ?? (final?.ram && g.phase !== 'precopy' ? final.ram : lastRam(samples, g) ?? ramStart);
    rows.push({
      round: g.phase === 'precopy' ? g.sync : rows.length + 1,
      phase: g.phase,
      start_ms: i === 0 ? 0 : g.first.t_ms,
      duration_ms: Math.max(0, end_t - (i === 0 ? 0 : g.first.t_ms)),
      pages_sent: Math.max(0, ramEnd.normal + ramEnd.duplicate - (i === 0 ? 0 : ramStart.normal + ramStart.duplicate)),
      bytes_sent: Math.max(0, ramEnd.transferred - (i === 0 ? 0 : ramStart.transferred)),
      dirty_pages_after: Math.round((next?.first.info.ram?.remaining ?? ramEnd.remaining) / pageSize(g.first)),
      throttle_pct: g.first.info['cpu-throttle-percentage'] ?? 0,
    });
  });
  if (final?.status === 'completed' && final.ram && groups.at(-1)?.phase === 'precopy') {
    const before = lastRam(samples, groups.at(-1)!) ?? final.ram;
    rows.push({
      round: final.ram['dirty-sync-count'],
      phase: 'stopcopy',
      start_ms: Math.max(0, endT - downtime),
      duration_ms: downtime,
      pages_sent: Math.max(0, final.ram.normal + final.ram.duplicate - before.normal - before.duplicate),
      bytes_sent: Math.max(0, final.ram.transferred - before.transferred),
      dirty_pages_after: 0,
      throttle_pct: final['cpu-throttle-percentage'] ?? 0,
    });
  }
  return rows;
}

function lastRam(samples: readonly MigrateSample[], g: Group): MigrationInfo['ram'] | undefined {
  let out: MigrationInfo['ram'] | undefined;
  for (const s of samples) {
    if (s.t_ms < g.first.t_ms) continue;
    if (phaseOf(s.info.status) !== g.phase || (g.phase === 'precopy' && s.info.ram?.['dirty-sync-count'] !== g.sync)) {
      if (out) break;
      continue;
    }
    out = s.info.ram;
  }
  return out;
}
