/**
 * Round-trip time of the probes that are answered, analytically. A probe's RTT is rtt_base_ms plus an
 * exponential jitter of mean rtt_jitter_ms (RTTs are skewed to the right), plus, while migration data
 * shares the path, a queueing delay of one QEMUFile buffer (32 KiB) on the wire at line rate. With a share
 * f of answered probes sent while migration data flows, the RTT is the mixture
 *   F(x) = (1 − f)·(1 − e^(−(x − b)/j)) + f·(1 − e^(−(x − b − q)/j))⁺,
 * whose quantiles have closed forms on each side of b + q (below: only the idle part counts).
 */

/** p-quantile (0 < p < 1) of the mixture; b = base, q = queueing delay, j = mean jitter, f = busy share. */
export function rttQuantileMs(p: number, b: number, q: number, j: number, f: number): number {
  if (f <= 0 || q <= 0) return j > 0 ? b - j * Math.log(1 - p) : b;
  if (j <= 0) return p <= 1 - f ? b : b + q;
  const idle = 1 - f;
  const atKnee = idle * -Math.expm1(-q / j); // F(b + q)
  if (p <= atKnee) return b - j * Math.log(1 - p / idle);
  return b + q + j * Math.log((idle * Math.exp(-q / j) + f) / (1 - p));
}
