/** The TCP probe's record (backends/shared/prober/tcpprobe.c's file format) read back and summarised. Pure. */
import { describe, expect, it } from 'vitest';
import { parseTcpProbeFile, summarizeTcpStalls } from '../../../backends/shared/tcp-probes.js';

const ns = (ms: number): string => String(Math.round(ms * 1e6));

describe('TCP probe record', () => {
  const file = [
    `# themis-tcpprobe interval_us=5000 sent=900 acked_bytes=14401 connected_ns=${ns(1_000)} end_ns=${ns(9_000)}`,
    `stall ${ns(1_100)} ${ns(1_150)}`, // during the warm-up, before the window
    `stall ${ns(4_000)} ${ns(4_700)}`,
    `stall ${ns(6_000)} ${ns(6_040)}`,
  ].join('\n');

  it('parses the header and the stalls on the monotonic clock in ms', () => {
    const r = parseTcpProbeFile(file)!;
    expect(r).toMatchObject({ interval_ms: 5, sent: 900, acked_bytes: 14401, connected_ms: 1_000, end_ms: 9_000 });
    expect(r.stalls).toHaveLength(3);
    expect(r.stalls[1]).toEqual({ start_ms: 4_000, end_ms: 4_700, open: false });
  });

  it('tcp_stall_ms is the longest stall that reaches into the window, placed on the trial timeline', () => {
    const r = parseTcpProbeFile(file)!;
    const s = summarizeTcpStalls(r, 3_900, 3_600);
    expect(s.tcp_stall_ms).toBeCloseTo(700, 6);
    expect(s.stall_start_ms).toBeCloseTo(100, 6);
    expect(s.stall_end_ms).toBeCloseTo(800, 6);
    expect(s.open).toBe(false);
    // A window that starts after it: only the short one counts.
    expect(summarizeTcpStalls(r, 5_000, 5_000).tcp_stall_ms).toBeCloseTo(40, 6);
  });

  it('an open stall (no progress until the probe stopped) ends at the probe end and says so', () => {
    const r = parseTcpProbeFile(`${file}\nstall ${ns(7_000)} 0`)!;
    const s = summarizeTcpStalls(r, 3_900, 3_600);
    expect(s.tcp_stall_ms).toBeCloseTo(2_000, 6);
    expect(s.open).toBe(true);
  });

  it('no stall above the probe threshold is 0; a file without the header is no record', () => {
    const r = parseTcpProbeFile(file.split('\n')[0]!)!;
    expect(summarizeTcpStalls(r, 0, 0)).toEqual({ tcp_stall_ms: 0, stall_start_ms: null, stall_end_ms: null, open: false });
    expect(parseTcpProbeFile('garbage')).toBeNull();
  });
});
