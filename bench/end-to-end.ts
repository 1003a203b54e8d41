/**
 * The million-trial run: 1,000,000 simulated trials → DuckDB → HTML report, as one `themis run` process.
 * Target on a 2-core machine: ≤ 20 s wall time and ≤ 1 GiB peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** 16 points × 62,500 repetitions: live and cold over four dirty rates and two bandwidth caps. */
export const MILLION_SWEEP = `name: million
seed: 1
repetitions: 62500
store: { rounds: failed, probe_gaps: failed, events: failed }
parameters: { memory_mib: 4096, working_set_mib: 1024, dirty_pattern: hotcold, boot_s: 12 }
axes:
  - grid:
      mode: [live, cold]
      dirty_rate_pages_s: [0, 5000, 25000, 100000]
      max_bandwidth_mib_s: [128, 1000]
`;

export function benchEndToEnd(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-bench-e2e-'));
  try {
    const sweep = join(dir, 'million.yaml');
    writeFileSync(sweep, MILLION_SWEEP);
    const cli = fileURLToPath(new URL('./measured-cli.js', import.meta.url));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'run', sweep, '--db', join(dir, 'million.duckdb'), '--report', join(dir, 'million.html')], {
      encoding: 'utf8',
    });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`themis run failed (${r.status}): ${r.stderr}`);
    const rss = /peak_rss_kib=(\d+)/.exec(r.stderr);
    return {
      e2e_1m_trials_wall_s: Number(seconds.toFixed(2)),
      e2e_1m_peak_rss_mib: rss ? Math.round(Number(rss[1]) / 1024) : Number.NaN,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(benchEndToEnd());
}
