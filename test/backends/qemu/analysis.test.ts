/**
 * Pure parts of the qemu backend: probe analysis, rounds from QMP observations, the initramfs writer,
 * the QEMU command line, parameter handling. No QEMU needed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultParameters, trialParametersSchema } from '../../../core/spec/parameters.js';
import { buildCpio } from '../../../backends/shared/guest/cpio.js';
import { parseFields, parseVerify, workloadLine } from '../../../backends/qemu/control.js';
import { announceParameters, bandwidthBytesPerS, capabilitiesFor, UNLIMITED_BYTES_S } from '../../../backends/qemu/migrate.js';
import { parseProberFile, summarizeProbes, type ProbeSample } from '../../../backends/shared/probes.js';
import { ignoredParameters } from '../../../backends/qemu/result.js';
import { counterAt, roundsFromObservations, type MigrateSample } from '../../../backends/qemu/rounds.js';
import { qemuArgs, type VmConfig } from '../../../backends/qemu/vm.js';

/** Probes every 1 ms from t=1000; `lost` seqs unanswered; `rtt(seq)` the round trip otherwise. */
function probes(count: number, lost: (seq: number) => boolean, rtt: (seq: number) => number = () => 0.3): ProbeSample[] {
  return Array.from({ length: count }, (_, seq) => ({
    seq,
    send_ms: 1000 + seq,
    recv_ms: lost(seq) ? null : 1000 + seq + rtt(seq),
  }));
}

describe('probe analysis', () => {
  it('finds loss gaps, the outage, loss and RTT percentiles on the trial timeline', () => {
    const s = summarizeProbes(probes(1000, (q) => q >= 400 && q < 480), 1, 1200);
    expect(s.sent).toBe(1000);
    expect(s.received).toBe(920);
    expect(s.loss_pct).toBeCloseTo(8, 10);
    expect(s.gaps).toEqual([{ probe: 'udp-echo', direction: 'rtt', start_ms: 200, duration_ms: 80, packets_lost: 80 }]);
    expect(s.outage_ms).toBeCloseTo(80, 6);
    expect(s.rtt_p50_ms).toBeCloseTo(0.3, 10);
    expect(s.resumed_at_ms).toBeCloseTo(1480.3, 6);
  });

  it('counts replies delayed (not lost) in the outage', () => {
    // Probes 100..299 answered only at t=1400 (a post-copy guest stalled on page faults): no reply arrives
    // between probe 99's (t=1099.3) and probe 300's (t=1300.3).
    const s = summarizeProbes(probes(400, () => false, (q) => (q >= 100 && q < 300 ? 1400 - (1000 + q) : 0.3)), 1, 1000);
    expect(s.loss_gap_ms).toBe(0);
    expect(s.reply_silence_ms).toBeCloseTo(200, 6);
    expect(s.outage_ms).toBe(s.reply_silence_ms);
  });

  it('a gap at the end of the window lasts to one interval after the last probe', () => {
    const s = summarizeProbes(probes(100, (q) => q >= 90), 1, 1000);
    expect(s.gaps).toHaveLength(1);
    expect(s.gaps[0].duration_ms).toBe(10);
    expect(s.resumed_at_ms).toBeNull();
  });

  it('gap lengths add up to the lost probes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 300 }), (lost) => {
        const s = summarizeProbes(probes(lost.length, (q) => lost[q]), 1, 1000);
        const lostCount = lost.filter(Boolean).length;
        expect(s.gaps.reduce((a, g) => a + g.packets_lost, 0)).toBe(lostCount);
        expect(s.outage_ms).toBeGreaterThanOrEqual(Math.max(0, ...s.gaps.map((g) => g.duration_ms)));
        expect(s.sent - s.received).toBe(lostCount);
      }),
    );
  });

  it('parses the prober file', () => {
    const f = parseProberFile('# themis-prober interval_us=500 sent=3\n0 1000000 1300000\n1 1500000 0\n2 2000000 2250000\n');
    expect(f.interval_ms).toBe(0.5);
    expect(f.samples).toEqual([
      { seq: 0, send_ms: 1, recv_ms: 1.3 },
      { seq: 1, send_ms: 1.5, recv_ms: null },
      { seq: 2, send_ms: 2, recv_ms: 2.25 },
    ]);
  });
});

function sample(t_ms: number, status: string, transferred: number, sync: number, remaining: number): MigrateSample {
  return {
    t_ms,
    info: {
      status,
      ram: {
        transferred,
        remaining,
        total: 512 << 20,
        duplicate: 0,
        normal: Math.round(transferred / 4096),
        'normal-bytes': transferred,
        'dirty-pages-rate': 0,
        mbps: 0,
        'dirty-sync-count': sync,
        'postcopy-requests': 0,
        'page-size': 4096,
      },
    },
  };
}

describe('rounds from QMP observations', () => {
  it('splits pre-copy at MIGRATION_PASS events, drops the decision sync, adds the stop-and-copy', () => {
    const samples = [sample(50, 'active', 5e6, 1, 100e6), sample(1000, 'active', 100e6, 1, 5e6), sample(1100, 'active', 104e6, 2, 4e6)];
    const final = { ...sample(1300, 'completed', 110e6, 4, 0).info, downtime: 40 };
    const rows = roundsFromObservations(samples, final, { pass_ms: [1, 1050, 1250, 1250], stop_ms: 1250, end_ms: 1300, postcopy: false });
    expect(rows.map((r) => r.phase)).toEqual(['precopy', 'precopy', 'stopcopy']);
    expect(rows[0].start_ms).toBe(0);
    expect(rows[1].start_ms).toBe(1050);
    expect(rows[1].duration_ms).toBe(200);
    expect(rows[2]).toMatchObject({ start_ms: 1250, duration_ms: 50, dirty_pages_after: 0 });
    const total = rows.reduce((a, r) => a + r.bytes_sent, 0);
    expect(total).toBeCloseTo(110e6, -3);
  });

  it('post-copy: the row after STOP is a postcopy phase', () => {
    const rows = roundsFromObservations([sample(50, 'active', 1e6, 1, 1e8), sample(200, 'postcopy-active', 5e7, 2, 5e7)], sample(900, 'completed', 1.1e8, 2, 0).info, {
      pass_ms: [1, 100],
      stop_ms: 100,
      end_ms: 900,
      postcopy: true,
    });
    expect(rows.map((r) => r.phase)).toEqual(['precopy', 'postcopy']);
    expect(rows[1].duration_ms).toBe(800);
  });

  it('suspend: everything is one stop-and-copy', () => {
    const rows = roundsFromObservations([sample(50, 'active', 1e6, 1, 1e8)], sample(2000, 'completed', 1e8, 3, 0).info, {
      pass_ms: [1, 1900, 1950],
      stop_ms: -1,
      end_ms: 2000,
      postcopy: false,
    });
    expect(rows.map((r) => r.phase)).toEqual(['stopcopy']);
    expect(rows[0].bytes_sent).toBe(1e8);
  });

  it('interpolates counters linearly between samples', () => {
    const pts = [
      { t_ms: 100, v: 10 },
      { t_ms: 200, v: 30 },
    ];
    expect(counterAt(pts, 150)).toBe(20);
    expect(counterAt(pts, 500)).toBe(30);
    expect(counterAt(pts, 0)).toBe(0);
  });
});

describe('initramfs writer', () => {
  it('writes newc headers, 4-byte alignment and the trailer', () => {
    const cpio = buildCpio([
      { path: 'dev/console', kind: 'char', mode: 0o600, major: 5, minor: 1 },
      { path: 'init', kind: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\n') },
    ]);
    const text = cpio.toString('latin1');
    expect(text.startsWith('070701')).toBe(true);
    expect(cpio.length % 4).toBe(0);
    expect(text).toContain('TRAILER!!!');
    // dev/console: mode 020600, rdevmajor 5, rdevminor 1
    const h = text.slice(0, 110);
    expect(parseInt(h.slice(14, 22), 16)).toBe(0o020600);
    expect(parseInt(h.slice(78, 86), 16)).toBe(5);
    expect(parseInt(h.slice(86, 94), 16)).toBe(1);
    const initAt = text.indexOf('init\0');
    expect(text.slice(initAt).includes('#!/bin/sh')).toBe(true);
  });
});

describe('QEMU command line, capabilities and parameters', () => {
  const config: VmConfig = {
    image: { dir: '/c', kernel: '/c/vmlinuz', initrd: '/c/initrd.cpio', prober: '/c/p', tcp_prober: '/c/t', copier: '/c/c', kernel_version: 'k', hash: 'h' },
    memory_mib: 512,
    vcpus: 1,
    accel: 'tcg',
    guest_cidr: '198.18.0.10/24',
    guest_gateway: null,
    guest_mac: '52:54:00:18:00:10',
    namespace: 'thqx-a',
    tap: 'tap0',
    run_dir: '/tmp/r',
    tag: 'a1',
    incoming: false,
  };

  it('source and destination differ only by -incoming defer', () => {
    const src = qemuArgs(config);
    const dst = qemuArgs({ ...config, incoming: true });
    expect(dst.slice(-2)).toEqual(['-incoming', 'defer']);
    expect(src).not.toContain('-incoming');
    expect(src).toContain('tcg');
    expect(src.join(' ')).toContain('themis.ip=198.18.0.10/24');
  });

  it('maps parameters to QEMU: bandwidth in bytes/s, postcopy capability for postcopy and hybrid', () => {
    expect(bandwidthBytesPerS({ max_bandwidth_mib_s: 32 })).toBe(32 * 1024 * 1024);
    expect(bandwidthBytesPerS({ max_bandwidth_mib_s: 'unlimited' })).toBe(UNLIMITED_BYTES_S);
    expect(capabilitiesFor({ mode: 'hybrid', auto_converge: true })).toEqual({ events: true, 'auto-converge': true, 'postcopy-ram': true });
    expect(capabilitiesFor({ mode: 'live', auto_converge: false })['postcopy-ram']).toBe(false);
  });

  it("maps Themis's announce schedule to QEMU's announce parameters", () => {
    expect(announceParameters(defaultParameters())).toEqual({ 'announce-initial': 50, 'announce-step': 100, 'announce-rounds': 5, 'announce-max': 450 });
  });

  it('records only the unhonoured parameters a sweep changed', () => {
    const d = defaultParameters();
    expect(ignoredParameters(d, d)).toEqual([]);
    // Every network design is built now; the controller's facts only count for the controller design.
    const p = trialParametersSchema.parse({ boot_s: 9, network: 'routed-ospf', dirty_rate_pages_s: 5, hosts: 4 });
    expect(ignoredParameters(p, d)).toEqual(['boot_s', 'hosts']);
    expect(ignoredParameters({ ...p, network: 'vxlan-fdb-push' }, d)).toEqual(['boot_s']);
    const cold = trialParametersSchema.parse({ mode: 'cold', shared_storage: false, disk_gib: 2, announce: false });
    expect(ignoredParameters(cold, d)).toEqual([]);
    expect(ignoredParameters({ ...cold, mode: 'live' }, d)).toEqual(['disk_gib', 'shared_storage']);
  });

  it('speaks the agent protocol', () => {
    expect(workloadLine({ working_set_mib: 64, dirty_rate_pages_s: 2000, dirty_pattern: 'hotcold', hot_set_share: 0.2, hot_write_share: 0.8, seed: 7 })).toBe(
      'set ws_mib=64 rate=2000 pattern=hotcold hot=0.2 hotw=0.8 seed=7',
    );
    expect(parseFields('ok ready pages=10 fill_ms=3')).toEqual({ pages: '10', fill_ms: '3' });
    expect(parseVerify('ok verify pages=10 bad=0 first_bad=-1 sum=00ff dirtied=5 verify_ms=1')).toEqual({
      pages: 10,
      bad: 0,
      first_bad: -1,
      sum: '00ff',
      dirtied: 5,
      verify_ms: 1,
    });
    expect(parseVerify('err unknown')).toBeNull();
  });
});
