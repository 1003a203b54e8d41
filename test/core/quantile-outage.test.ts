/**
 * core/quantile.ts is DuckDB's quantile_cont: the prober's RTT percentiles equal the SQL answer on the same
 * samples. core/outage.ts: gaps, reply silence and their max.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lossGaps, outageMs, replySilenceMs } from '../../core/outage.js';
import { quantileSortedType7 } from '../../core/quantile.js';
import { summarizeProbes, type ProbeSample } from '../../backends/shared/probes.js';

describe('one quantile definition', () => {
  it("the prober's p50 and p99 equal DuckDB's quantile_cont on the same RTTs", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.double({ min: 0.01, max: 50, noNaN: true }), { minLength: 1, maxLength: 300 }), async (rtts) => {
          const samples: ProbeSample[] = rtts.map((rtt, seq) => ({ seq, send_ms: seq, recv_ms: seq + rtt }));
          const s = summarizeProbes(samples, 1, 0);
          // the same differences, computed as the prober does (recv − send), go into DuckDB
          const values = samples.map((x) => `(${(x.recv_ms as number) - x.send_ms})`).join(',');
          const r = (await con.runAndReadAll(`SELECT quantile_cont(v, 0.5) AS p50, quantile_cont(v, 0.99) AS p99 FROM (VALUES ${values}) t(v)`)).getRowObjects()[0];
          expect(s.rtt_p50_ms).toBeCloseTo(Number(r.p50), 9);
          expect(s.rtt_p99_ms).toBeCloseTo(Number(r.p99), 9);
        }),
        { numRuns: 40 },
      );
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });

  it('interpolates between order statistics (type 7)', () => {
    expect(quantileSortedType7([1, 2, 3, 4], 0.99)).toBeCloseTo(3.97, 12);
    expect(quantileSortedType7([], 0.5)).toBeNaN();
  });
});

describe('one outage definition', () => {
  const probe = (send_ms: number, recv_ms: number | null) => ({ send_ms, recv_ms });

  it('lost probes: a gap of k probes lasts k intervals, and the silence around it agrees', () => {
    const rec = [probe(0, 0.1), probe(1, null), probe(2, null), probe(3, null), probe(4, 4.1), probe(5, 5.1)];
    expect(lossGaps(rec, 1)).toEqual([{ start_ms: 1, duration_ms: 3, packets_lost: 3, resumed_at_ms: 4.1 }]);
    expect(replySilenceMs(rec, 1)).toBeCloseTo(3, 12);
    expect(outageMs(3, replySilenceMs(rec, 1))).toBeCloseTo(3, 12);
  });

  it('delayed replies: nothing lost, but the silence is the outage', () => {
    // a VM paused from 1 to 5: its queued probes 1…4 are answered together at 5
    const rec = [probe(0, 0.1), probe(1, 5), probe(2, 5), probe(3, 5), probe(4, 5), probe(5, 5.1), probe(6, 6.1)];
    expect(lossGaps(rec, 1)).toEqual([]);
    expect(replySilenceMs(rec, 1)).toBeCloseTo(3.9, 12);
    expect(outageMs(0, replySilenceMs(rec, 1))).toBeCloseTo(3.9, 12);
  });

  it('a gap open at the end lasts to the last send plus one interval', () => {
    expect(lossGaps([probe(0, 0.1), probe(1, null), probe(2, null)], 1)).toEqual([{ start_ms: 1, duration_ms: 2, packets_lost: 2, resumed_at_ms: null }]);
  });
});
