/** What calibrate learns from per-trial QEMU facts, and its fall-backs when the figures cannot give a line. Pure. */
import { describe, expect, it } from 'vitest';
import type { FactRow } from '../../calibration/guest-fact-rows.js';
import { factComment, learnGuestFacts, learnPrecopyRateShare, learnSwitchover, MIN_PRECOPY_MS } from '../../calibration/guest-facts.js';

const MIB = 1024 * 1024;
let n = 0;
function row(over: Partial<FactRow>): FactRow {
  return {
    trial_id: `t${n++}`,
    mode: 'live',
    succeeded: true,
    auto_converge: false,
    memory_mib: 512,
    ram_pages: 1000,
    first_pass_normal_pages: null,
    first_pass_zero_pages: null,
    downtime_bytes: null,
    downtime_ms: null,
    precopy_rate_mib_s: null,
    precopy_ms: null,
    cap_mib_s: null,
    ...over,
  };
}

describe('guest and host facts', () => {
  it('a switch-over of 4 ms + 2 ms per MiB gives cost 4 ms and 500 MiB/s; post-copy and failed trials are left out', () => {
    const rows = [1, 2, 3, 4, 6].map((mib) => row({ downtime_bytes: mib * MIB, downtime_ms: 4 + 2 * mib }));
    rows.push(row({ mode: 'hybrid', downtime_bytes: MIB, downtime_ms: 900 }), row({ succeeded: false, downtime_bytes: MIB, downtime_ms: 900 }));
    const [rate, cost] = learnSwitchover(rows);
    expect(rate).toMatchObject({ parameter: 'switchover_rate_mib_s', value: 500, trials: 5 });
    expect(cost).toMatchObject({ parameter: 'switchover_cost_ms', value: 4, trials: 5, median: 10 });
  });

  it('a line that slopes down: the median payload rate and no fixed cost', () => {
    const rows = [row({ downtime_bytes: MIB, downtime_ms: 10 }), row({ downtime_bytes: 4 * MIB, downtime_ms: 5 }), row({ downtime_bytes: 2 * MIB, downtime_ms: 8 })];
    const [rate, cost] = learnSwitchover(rows);
    expect(rate.value).toBe(250); // 2 MiB in 8 ms
    expect(rate.note).toMatch(/the line through 0: the fitted line slopes down/);
    expect(cost.value).toBe(0);
  });

  it('pre-copy rate share: long enough pre-copy with a cap only, capped at 1, by cap in the note', () => {
    const rows = [
      row({ cap_mib_s: 48, precopy_rate_mib_s: 47, precopy_ms: MIN_PRECOPY_MS }),
      row({ cap_mib_s: 256, precopy_rate_mib_s: 128, precopy_ms: 9000 }),
      row({ cap_mib_s: 48, precopy_rate_mib_s: 60, precopy_ms: MIN_PRECOPY_MS - 1 }), // a short burst
      row({ cap_mib_s: null, precopy_rate_mib_s: 400, precopy_ms: 9000 }), // unlimited
      row({ mode: 'suspend', cap_mib_s: 48, precopy_rate_mib_s: 1, precopy_ms: 9000 }),
    ];
    const f = learnPrecopyRateShare(rows)!;
    expect(f.trials).toBe(2);
    expect(f.value).toBeCloseTo((47 / 48 + 0.5) / 2, 3);
    expect(f.note).toMatch(/48 MiB\/s → 0\.979 \(1\), 256 MiB\/s → 0\.5 \(1\)/);
    expect(learnPrecopyRateShare([row({ cap_mib_s: 48, precopy_rate_mib_s: 50, precopy_ms: 5000 })])!.value).toBe(1);
  });

  it('nothing is learnt from rows without the facts; the comment names the campaign and the real figure', () => {
    expect(learnGuestFacts([row({})])).toEqual([]);
    expect(learnGuestFacts([row({ first_pass_normal_pages: 100, first_pass_zero_pages: 200 })])).toEqual([]); // not a whole walk
    const [share] = learnGuestFacts([row({ first_pass_normal_pages: 300, first_pass_zero_pages: 700 }), row({ memory_mib: 1024, first_pass_normal_pages: 500, first_pass_zero_pages: 500 })]);
    expect(share).toMatchObject({ parameter: 'nonzero_share', value: 0.4, trials: 2 });
    expect(share.note).toMatch(/pooled over guests of 512, 1024 MiB/);
    expect(factComment(share, 'c-1')).toBe(
      ' learnt from 2 real trials of c-1: ram.normal ÷ (ram.normal + ram.duplicate) in the first pass: median 0.4 (p10 0.32, p90 0.48); value = the median; pooled over guests of 512, 1024 MiB (the share depends on the guest)',
    );
  });
});
