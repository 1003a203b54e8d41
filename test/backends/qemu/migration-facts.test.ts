/**
 * The facts a qemu migration records for calibration, from query-migrate answers shaped as QEMU 10 gives them
 * (the real-QEMU assertions are in qemu.test.ts). Pure.
 */
import { describe, expect, it } from 'vitest';
import { migrationFacts, type FactsInput } from '../../../backends/qemu/migration-facts.js';
import type { MigrationInfo } from '../../../backends/qemu/qmp.js';
import type { MigrateSample } from '../../../backends/qemu/rounds.js';

const PAGE = 4096;
const MIB = 1024 * 1024;
const RAM_PAGES = 100_000;

/** A 100,000-page guest sending 20 pages/ms: normal pages 8/ms, zero pages 12/ms during the first pass (0–5 s). */
function info(t: number, extra: Partial<NonNullable<MigrationInfo['ram']>> = {}): MigrationInfo {
  const firstPass = Math.min(t, 5000);
  const later = Math.max(0, t - 5000);
  const normal = firstPass * 8 + later * 20;
  const duplicate = firstPass * 12;
  return {
    status: 'active',
    'setup-time': 10,
    ram: {
      transferred: normal * PAGE + duplicate * 16,
      remaining: 0,
      total: RAM_PAGES * PAGE,
      duplicate,
      normal,
      'normal-bytes': normal * PAGE,
      'dirty-pages-rate': 0,
      mbps: 300,
      'dirty-sync-count': t < 5000 ? 1 : 2,
      'postcopy-requests': 0,
      'page-size': PAGE,
      'precopy-bytes': normal * PAGE + duplicate * 16,
      'downtime-bytes': 0,
      'postcopy-bytes': 0,
      ...extra,
    },
  };
}

const samples = (until: number): MigrateSample[] => Array.from({ length: until / 50 + 1 }, (_, i) => ({ t_ms: i * 50, info: info(i * 50) }));

const input = (over: Partial<FactsInput> = {}): FactsInput => ({
  samples: samples(6000),
  final: null,
  pass_ms: [0, 5000],
  stop_ms: 6000,
  postcopy_started_ms: null,
  paused_throughout: false,
  cap_mib_s: 96,
  ...over,
});

describe('migration facts from query-migrate', () => {
  it('splits the first pass into normal and zero pages at the second sync, interpolating the 50 ms samples', () => {
    const f = migrationFacts(input());
    expect(f.ram_pages).toBe(RAM_PAGES);
    expect(f.first_pass_normal_pages).toBe(40_000);
    expect(f.first_pass_zero_pages).toBe(60_000);
    expect(f.first_pass_normal_pages! + f.first_pass_zero_pages!).toBe(f.ram_pages);
    expect(f.first_pass_ms).toBe(5000);
  });

  it('pre-copy rate over the time the VM ran after setup; the stream bytes that are not RAM apart', () => {
    const final = info(6000, { 'downtime-bytes': 2 * MIB, transferred: info(6000).ram!.transferred + 2 * MIB + 300_000 });
    const f = migrationFacts(input({ final: { ...final, status: 'completed', downtime: 7 } }));
    expect(f.precopy_ms).toBe(5990); // STOP at 6000 − setup 10
    expect(f.precopy_rate_mib_s).toBeCloseTo(f.precopy_bytes! / MIB / 5.99, 10);
    expect(f.downtime_bytes).toBe(2 * MIB);
    expect(f.other_bytes).toBe(300_000);
    expect(f.downtime_ms).toBe(7);
    expect(f.cap_mib_s).toBe(96);
  });

  it('a sync in the middle of the first walk (an early switch-over decision, post-copy) does not end the first pass', () => {
    // the walk reaches 98 % of the pages at 4900 ms (20 pages/ms): the pass ends there, not at the early sync
    const early = migrationFacts(input({ pass_ms: [0, 1200], postcopy_started_ms: 1200 }));
    expect(early.first_pass_ms).toBe(4900);
    expect(early.first_pass_normal_pages! + early.first_pass_zero_pages!).toBe(98_000);
    expect(early.first_pass_normal_pages! / 98_000).toBeCloseTo(0.4, 10);
    // no walk done before the end: no first pass
    expect(migrationFacts(input({ samples: samples(4000), pass_ms: [0] })).first_pass_zero_pages).toBeNull();
    const suspend = migrationFacts(input({ paused_throughout: true, stop_ms: null }));
    expect(suspend.precopy_rate_mib_s).toBeNull();
    expect(suspend.first_pass_normal_pages).toBe(40_000);
  });

  it('answers without RAM statistics (a migration that failed at once) give nulls, not NaN', () => {
    const f = migrationFacts(input({ samples: [{ t_ms: 3, info: { status: 'setup' } }], pass_ms: [] }));
    for (const v of Object.values(f)) expect(v === null || Number.isFinite(v)).toBe(true);
    expect(f.ram_pages).toBeNull();
    expect(f.postcopy_requests).toBeNull();
  });
});
