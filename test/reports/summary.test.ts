import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatModeSummary, modeSummary } from '../../reports/summary.js';
import { sqlRows, syntheticFixture, withReadOnly, type Fixture } from './helpers.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await syntheticFixture({ trials: 3000, withQemu: true, seed: 3 });
});
afterAll(() => fx?.cleanup());

describe('modeSummary', () => {
  it('counts trials and successes per backend and mode, matching plain SQL', async () => {
    const rows = await withReadOnly(fx.db, (con) => modeSummary(con));
    expect(rows.map((r) => `${r.backend}/${r.mode}`)).toContain('simulator/live');
    expect(rows.map((r) => `${r.backend}/${r.mode}`)).toContain('qemu/cold');
    const total = rows.filter((r) => r.backend === 'simulator').reduce((s, r) => s + r.trials, 0);
    expect(total).toBe(3000);
    const live = rows.find((r) => r.backend === 'simulator' && r.mode === 'live')!;
    const [ref] = await sqlRows(
      fx.db,
      `SELECT count(*)::DOUBLE n, count(*) FILTER (WHERE status='succeeded')::DOUBLE s,
         median(downtime_ms) FILTER (WHERE status='succeeded') d50
       FROM trials WHERE backend='simulator' AND mode='live'`,
    );
    expect(live.trials).toBe(ref.n);
    expect(live.succeeded).toBe(ref.s);
    expect(live.success_rate).toBeCloseTo(Number(ref.s) / Number(ref.n), 12);
    expect(live.downtime_ms_p50).toBeCloseTo(Number(ref.d50), 9);
    // Live fails (not_converged) where the dirty rate outpaces a 32 MiB/s cap; cold takes seconds.
    expect(live.success_rate).toBeLessThan(1);
    const cold = rows.find((r) => r.backend === 'simulator' && r.mode === 'cold')!;
    expect(cold.downtime_ms_p50!).toBeGreaterThan(live.downtime_ms_p50!);
  });

  it('filters by campaign', async () => {
    const rows = await withReadOnly(fx.db, (con) => modeSummary(con, 'synthetic-qemu'));
    expect(new Set(rows.map((r) => r.backend))).toEqual(new Set(['qemu']));
  });

  it('formats an aligned table', async () => {
    const rows = await withReadOnly(fx.db, (con) => modeSummary(con));
    const text = formatModeSummary(rows);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^backend\s+mode\s+trials/);
    expect(lines).toHaveLength(rows.length + 2);
    // Right-aligned numeric columns: every data line ends at the same column as the header.
    const widths = new Set(lines.map((l) => l.length));
    expect(widths.size).toBe(1);
    expect(formatModeSummary([])).toBe('no trials');
  });

  it('shows the TCP stall beside the outage only when some trial measured it', async () => {
    // the synthetic store has no TCP probe: no column
    const rows = await withReadOnly(fx.db, (con) => modeSummary(con));
    expect(rows.every((r) => r.tcp_stall_ms_p50 === null)).toBe(true);
    expect(formatModeSummary(rows)).not.toContain('tcp_stall_ms');
    const measured = rows.map((r, i) => (i === 0 ? { ...r, tcp_stall_ms_p50: 205, tcp_stall_ms_p95: 605 } : r));
    const lines = formatModeSummary(measured).split('\n');
    expect(lines[0]).toMatch(/outage_ms p50\s+p95\s+tcp_stall_ms p50\s+p95\s+total_ms p50/);
    expect(lines[2]).toMatch(/ 205\.0\s+605\.0 /);
    expect(lines[3]).toMatch(/ -\s+- /);
  });
});
