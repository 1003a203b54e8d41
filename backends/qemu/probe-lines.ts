/**
 * The probers' stdout protocol: one `<kind> <monotonic ns>` line per fact (first/alive/done for the UDP prober,
 * connected/alive/reset for the TCP probe). Both processes are read by this one line splitter.
 */
import type { Readable } from 'node:stream';

/** Calls `onLine(kind, t_ms)` for every complete line of `stream`, t in the monotonic clock's ms. */
export function onProbeLines(stream: Readable | null, onLine: (kind: string, tMonoMs: number) => void): void {
  let buf = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const [kind, value] = buf.slice(0, nl).split(' ');
      buf = buf.slice(nl + 1);
      onLine(kind, Number(value) / 1e6);
    }
  });
}
