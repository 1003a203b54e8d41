import { describe, expect, test } from 'vitest';
import { freshSpfThrottle, scheduleSpf, spfRunTimes } from '../../simulator/network/spf-throttle.js';

// Expected times derived by hand from FRR ospfd/ospf_spf.c ospf_spf_calculate_schedule():
// absorbed if a timer is scheduled; else ht = min(hold × mult, max), elapsed = now − last run;
// elapsed < ht → mult++ (if ht < max), delay = max(initial, ht − elapsed); else delay = initial, mult = 1.
describe("FRR's SPF throttle", () => {
  test('one event on a fresh throttle: the initial delay, whatever hold and max', () => {
    for (const [hold, max] of [[0, 0], [50, 5000], [200, 5000], [10_000, 10_000]]) {
      expect(spfRunTimes([123.25], 50, hold, max)).toEqual([173.25]);
    }
    expect(spfRunTimes([7], 0, 50, 5000)).toEqual([7]);
  });

  test('FRR defaults 0/50/5000: back-to-back events wait for a hold that grows 50, 100, 150 …', () => {
    // 0: fresh → run 0. 10: elapsed 10 < ht 50 → mult 2, run 10 + 40 = 50.
    // 100: elapsed 50 < ht 100 → mult 3, run 150. 160: elapsed 10 < ht 150 → mult 4, run 300.
    expect(spfRunTimes([0, 10, 100, 160], 0, 50, 5000)).toEqual([0, 50, 150, 300]);
  });

  test('the multiplier grows, the hold is capped at max, and resets to 1 after a quiet hold', () => {
    const st = freshSpfThrottle();
    const run = (now: number): [number, number] => [scheduleSpf(st, now, 10, 100, 250), st.multiplier];
    expect(run(0)).toEqual([10, 1]); // fresh: initial
    expect(run(20)).toEqual([110, 2]); // elapsed 10 < ht 100: delay 90
    expect(run(130)).toEqual([310, 3]); // elapsed 20 < ht 200: delay 180
    expect(run(250)).toEqual([310, 3]); // the SPF scheduled at 310 absorbs it
    expect(run(320)).toEqual([560, 3]); // ht = min(300, 250) = 250 = max: no more growth, delay 240
    expect(run(570)).toEqual([810, 3]); // still capped: runs 250 apart
    expect(run(1060)).toEqual([1070, 1]); // elapsed 250, not < ht 250: a quiet hold → initial, mult 1
    expect(run(1080)).toEqual([1170, 2]); // the hold starts again from 100: delay 90
  });

  test('the initial delay is always honoured, and an event at the run time is absorbed', () => {
    // 55: elapsed 5 < ht 60 → delay max(50, 55) = 55; 95 instead: delay max(50, 15) = 50
    expect(spfRunTimes([0, 55], 50, 60, 5000)).toEqual([50, 110]);
    expect(spfRunTimes([0, 95], 50, 60, 5000)).toEqual([50, 145]);
    expect(spfRunTimes([0, 10], 10, 50, 5000)).toEqual([10]);
    expect(spfRunTimes([0, 1, 2], 20, 50, 5000)).toEqual([20]);
  });
});
