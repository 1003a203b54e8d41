import { OUTCOME_NAMES } from '../../core/results/outcomes.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { emptyBatch, failureReasonOf } from '../../core/results/batch.js';
import { MODES, NETWORK_DESIGNS, DIRTY_PATTERNS, type TrialParametersInput } from '../../core/spec/parameters.js';
import { simulateInto, simulateTrial, type RecordPolicy } from '../../simulator/simulate.js';
import { params } from './helpers.js';

/** Random but valid parameter sets over the whole model. */
const anyParams = fc.record({
  mode: fc.constantFrom(...MODES),
  memory_mib: fc.integer({ min: 16, max: 8192 }),
  nonzero_share: fc.double({ min: 0, max: 1, noNaN: true }),
  link_bandwidth_mib_s: fc.double({ min: 10, max: 5000, noNaN: true }),
  max_bandwidth_mib_s: fc.oneof(fc.constant('unlimited' as const), fc.double({ min: 10, max: 2000, noNaN: true })),
  downtime_limit_ms: fc.double({ min: 1, max: 2000, noNaN: true }),
  auto_converge: fc.boolean(),
  postcopy_after_rounds: fc.integer({ min: 0, max: 5 }),
  timeout_s: fc.double({ min: 1, max: 120, noNaN: true }),
  dirty_rate_pages_s: fc.double({ min: 0, max: 200_000, noNaN: true }),
  working_set_mib: fc.double({ min: 0, max: 8192, noNaN: true }),
  dirty_pattern: fc.constantFrom(...DIRTY_PATTERNS),
  shared_storage: fc.boolean(),
  disk_gib: fc.double({ min: 0, max: 50, noNaN: true }),
  link_failure_rate_per_s: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true })),
  network: fc.constantFrom(...NETWORK_DESIGNS),
  announce: fc.boolean(),
  probe_interval_ms: fc.double({ min: 0.5, max: 200, noNaN: true }),
  orchestrator_overhead_ms: fc.double({ min: 0, max: 1000, noNaN: true }),
  orchestrator_paused_ms: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5000, noNaN: true })),
  orchestrator_after_ms: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5000, noNaN: true })),
}) as fc.Arbitrary<TrialParametersInput>;

const seed = fc.integer({ min: 0, max: 0xffffffff });
const policy = fc.constantFrom<RecordPolicy['rounds']>('all', 'failed', 'none');

describe('simulator properties', () => {
  test('deterministic: same parameters and seed → identical result', () => {
    fc.assert(
      fc.property(anyParams, seed, (over, s) => {
        const p = params(over);
        expect(simulateTrial(p, s)).toEqual(simulateTrial(p, s));
      }),
      { numRuns: 300 },
    );
  });

  test('results are sane: finite, non-negative, downtime ≤ total, outage ≥ pause seen by probes', () => {
    fc.assert(
      fc.property(anyParams, seed, (over, s) => {
        const r = simulateTrial(params(over), s);
        expect(Number.isFinite(r.total_ms)).toBe(true);
        expect(r.total_ms!).toBeGreaterThanOrEqual(0);
        if (r.downtime_ms !== null) expect(r.downtime_ms).toBeLessThanOrEqual(r.total_ms! + 1e-9);
        if (r.loss_pct !== null) expect(r.loss_pct).toBeGreaterThanOrEqual(0);
        if (r.loss_pct !== null) expect(r.loss_pct).toBeLessThanOrEqual(100);
        expect(r.status === 'succeeded').toBe(r.failure_reason === null);
      }),
      { numRuns: 300 },
    );
  });

  test('more dirty rate never shortens a live migration (no jitter, same seed, no auto-converge)', () => {
    fc.assert(
      fc.property(anyParams, seed, fc.double({ min: 0, max: 100_000, noNaN: true }), fc.double({ min: 0, max: 100_000, noNaN: true }), (over, s, d1, d2) => {
        const base = { ...over, mode: 'live' as const, auto_converge: false, bandwidth_jitter_share: 0, link_failure_rate_per_s: 0 };
        const lo = simulateTrial(params({ ...base, dirty_rate_pages_s: Math.min(d1, d2) }), s);
        const hi = simulateTrial(params({ ...base, dirty_rate_pages_s: Math.max(d1, d2) }), s);
        if (lo.failure_reason === 'not_converged') expect(hi.failure_reason).toBe('not_converged');
        if (lo.status === 'succeeded' && hi.status === 'succeeded') expect(hi.total_ms!).toBeGreaterThanOrEqual(lo.total_ms! * (1 - 1e-12));
      }),
      { numRuns: 400 },
    );
  });

  test('more bandwidth never lengthens a live migration (no jitter, same seed)', () => {
    fc.assert(
      fc.property(anyParams, seed, fc.double({ min: 10, max: 5000, noNaN: true }), fc.double({ min: 10, max: 5000, noNaN: true }), (over, s, b1, b2) => {
        // the switch-over at line rate (switchover_rate above any link): otherwise an earlier switch-over may move
        // bytes from a fast pre-copy burst into a slower downtime payload, and more bandwidth can lengthen it a little
        const base = { ...over, mode: 'live' as const, auto_converge: false, bandwidth_jitter_share: 0, link_failure_rate_per_s: 0, switchover_rate_mib_s: 1e6 };
        // either the link or QEMU's max-bandwidth cap grows
        const which = Math.min(b1, b2) * 7 < 1000 ? 'link_bandwidth_mib_s' : 'max_bandwidth_mib_s';
        const slow = simulateTrial(params({ ...base, [which]: Math.min(b1, b2) }), s);
        const fast = simulateTrial(params({ ...base, [which]: Math.max(b1, b2) }), s);
        if (fast.failure_reason === 'not_converged') expect(slow.failure_reason).toBe('not_converged');
        if (slow.status === 'succeeded' && fast.status === 'succeeded') expect(fast.total_ms!).toBeLessThanOrEqual(slow.total_ms! * (1 + 1e-12));
      }),
      { numRuns: 400 },
    );
  });

  test('simulateInto writes exactly what simulateTrial returns', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyParams, seed), { minLength: 1, maxLength: 8 }), policy, policy, policy, (trials, rounds, gaps, events) => {
        const record: RecordPolicy = { rounds, probe_gaps: gaps, events };
        const batch = emptyBatch(2);
        const expected = trials.map(([over, s], k) => {
          const p = params(over);
          simulateInto(batch, 100 + k, p, s, record, 1234);
          return simulateTrial(p, s);
        });
        const nul = (x: number): number | null => (Number.isNaN(x) ? null : x);
        const t = batch.trials;
        const wants = (pol: string, failed: boolean): boolean => pol === 'all' || (pol === 'failed' && failed);
        let rr = 0;
        let gg = 0;
        let ee = 0;
        expected.forEach((r, i) => {
          expect(t.index[i]).toBe(100 + i);
          expect(t.succeeded[i]).toBe(r.status === 'succeeded' ? 1 : 0);
          expect(failureReasonOf(t.failure_reason[i])).toBe(r.failure_reason);
          OUTCOME_NAMES.forEach((name, k) => expect(nul(t.outcomes[k][i]), name).toBe(r[name]));
          expect(t.started_at_ms[i]).toBe(1234);
          expect(t.wall_ms[i]).toBe(0);
          expect(JSON.parse(t.detail[i] ?? '{}')).toEqual(r.detail);
          const failed = r.status === 'failed';
          if (wants(rounds, failed)) {
            for (const row of r.rounds_detail) {
              const c = batch.rounds;
              expect({
                round: c.round[rr], phase: c.phase[rr], start_ms: c.start_ms[rr], duration_ms: c.duration_ms[rr], pages_sent: c.pages_sent[rr],
                bytes_sent: c.bytes_sent[rr], dirty_pages_after: c.dirty_pages_after[rr], throttle_pct: c.throttle_pct[rr],
              }).toEqual(row);
              expect(c.trial[rr]).toBe(100 + i);
              rr++;
            }
          }
          if (wants(gaps, failed)) {
            for (const g of r.probe_gaps) {
              const c = batch.probe_gaps;
              expect({ probe: c.probe[gg], direction: c.direction[gg], start_ms: c.start_ms[gg], duration_ms: c.duration_ms[gg], packets_lost: c.packets_lost[gg] }).toEqual(g);
              gg++;
            }
          }
          if (wants(events, failed)) {
            // the batch keeps the model's order; a TrialResult's timeline is in time order (TrialRecorder, stable sort)
            const c = batch.events;
            const stored = r.events.map((_, k) => ({
              t_ms: c.t_ms[ee + k], source: c.source[ee + k], kind: c.kind[ee + k], detail: c.detail[ee + k] === null ? null : JSON.parse(c.detail[ee + k]!),
            }));
            expect(stored.every((_, k) => c.trial[ee + k] === 100 + i)).toBe(true);
            expect([...stored].sort((a, b) => a.t_ms - b.t_ms)).toEqual(r.events);
            ee += r.events.length;
          }
        });
        expect(batch.nTrials).toBe(trials.length);
        expect(batch.nRounds).toBe(rr);
        expect(batch.nProbeGaps).toBe(gg);
        expect(batch.nEvents).toBe(ee);
      }),
      { numRuns: 150 },
    );
  });
});
