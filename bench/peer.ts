/**
 * `npm run bench -- peer`: Themis's simulator against the reference a user would otherwise pick, SimGrid 3.32's VM
 * live-migration plugin (Debian's libsimgrid-dev, installed here when missing: apt-get as root, once). The scenario:
 * a 512 MiB VM, a 125 MB/s link, the guest dirtying 0 / 50 / 90 % of the migration speed, max downtime 30 ms.
 * Both run as whole processes, side by side (SimGrid, then Themis, per intensity and N), N migrations each:
 * SimGrid's driver is bench/peer/migrate.cpp (N sequential migrations in one simulation); Themis's is a `themis run`
 * of the matching sweep with every trial stored (--no-report). Prints the per-migration wall time of each, their
 * ratio, and both simulators' mean total time and downtime so a reader sees they model the same migration.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../core/store/open.js';
import { projectRoot } from '../core/version.js';

const INTENSITIES_PCT = [0, 50, 90] as const;
const RAM_MIB = 512;
/** 125 MB/s in MiB/s: the link, and the migration speed both simulators are given */
const LINK_MIB_S = 125e6 / 2 ** 20;
const PAGE_BYTES = 4096;

/** Installs libsimgrid-dev when it is missing (as root; idempotent). */
function ensureSimgrid(): void {
  if (spawnSync('dpkg', ['-s', 'libsimgrid-dev'], { stdio: 'ignore' }).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('bench peer: libsimgrid-dev is not installed and this is not root (apt-get install libsimgrid-dev)');
  process.stderr.write('bench peer: installing libsimgrid-dev…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-q', 'libsimgrid-dev'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { env, stdio: 'ignore', timeout: 600_000 });
    r = spawnSync('apt-get', ['install', '-y', '-q', 'libsimgrid-dev'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
  }
  if (r.status !== 0) throw new Error(`bench peer: apt-get install libsimgrid-dev failed (${r.status})`);
}

/** Builds the SimGrid driver once per source change, into ~/.cache/themis/peer/. */
function buildDriver(): string {
  const src = join(projectRoot(), 'bench', 'peer', 'migrate.cpp');
  const dir = join(homedir(), '.cache', 'themis', 'peer');
  const bin = join(dir, 'simgrid-migrate');
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs) return bin;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('g++', ['-O2', '-std=c++17', '-o', bin, src, '-lsimgrid'], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`bench peer: building ${src} failed:\n${r.stderr}`);
  return bin;
}

/** The Themis sweep of the scenario: one live point, N repetitions, every trial stored (no detail rows). */
export function peerSweep(intensityPct: number, n: number): string {
  const dirtyPagesS = Math.round(((intensityPct / 100) * LINK_MIB_S * 2 ** 20) / PAGE_BYTES);
  return `name: peer-${intensityPct}
seed: 1
repetitions: ${n}
store: { rounds: none, probe_gaps: none, events: none }
parameters:
  mode: live
  memory_mib: ${RAM_MIB}
  nonzero_share: 1                     # SimGrid sends every page of the RAM in its first stage
  working_set_mib: ${RAM_MIB * 0.9}        # SimGrid's plugin: the working set is 90 % of the RAM
  dirty_pattern: sequential
  dirty_rate_pages_s: ${dirtyPagesS}       # ${intensityPct} % of 125 MB/s
  link_bandwidth_mib_s: ${LINK_MIB_S.toFixed(3)}
  max_bandwidth_mib_s: unlimited
  downtime_limit_ms: 30
  bandwidth_jitter_share: 0
  timeout_s: 2000000
`;
}

interface Timed {
  wall_s: number;
  stdout: string;
}

function timedRun(cmd: string, args: string[]): Timed {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 3_600_000 });
  const wall_s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`bench peer: ${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { wall_s, stdout: r.stdout };
}

async function themisMeans(db: string): Promise<{ total_ms: number; downtime_ms: number; succeeded: number }> {
  const d = await openDatabase(db, { readOnly: true });
  try {
    const row = (await d.connection.runAndReadAll(
      `SELECT avg(total_ms) AS t, avg(downtime_ms) AS d, avg(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS s FROM trials`,
    )).getRowsJS()[0];
    return { total_ms: Number(row[0]), downtime_ms: Number(row[1]), succeeded: Number(row[2]) };
  } finally {
    d.close();
  }
}

export async function benchPeer(sizes: readonly number[] = [1_000, 100_000]): Promise<Record<string, number>> {
  ensureSimgrid();
  const driver = buildDriver();
  const platform = join(projectRoot(), 'bench', 'peer', 'platform.xml');
  const themisBin = join(projectRoot(), 'bin', 'themis.js');
  const dir = mkdtempSync(join(tmpdir(), 'themis-bench-peer-'));
  const out: Record<string, number> = {};
  try {
    for (const n of sizes) {
      for (const pct of INTENSITIES_PCT) {
        const key = `peer_n${n}_dirty${pct}`;
        // CM02: SimGrid's plain max-min network model, without LV08's TCP factors (0.97 of the bandwidth), so both
        // simulators move memory at the link's 125 MB/s
        const sg = timedRun(driver, [platform, String(n), String(pct), '--cfg=network/model:CM02', '--log=root.thresh:critical']);
        const m = /mean_total_ms=([\d.]+) mean_downtime_ms=([\d.]+)/.exec(sg.stdout);
        if (!m) throw new Error(`bench peer: unexpected SimGrid output: ${sg.stdout}`);
        const sweep = join(dir, `${key}.yaml`);
        writeFileSync(sweep, peerSweep(pct, n));
        const db = join(dir, `${key}.duckdb`);
        const th = timedRun(process.execPath, [themisBin, 'run', sweep, '--db', db, '--no-report']);
        const means = await themisMeans(db);
        rmSync(db, { force: true });
        const sgUs = (sg.wall_s * 1e6) / n;
        const thUs = (th.wall_s * 1e6) / n;
        Object.assign(out, {
          [`${key}_simgrid_us_per_migration`]: Math.round(sgUs * 10) / 10,
          [`${key}_themis_us_per_migration`]: Math.round(thUs * 10) / 10,
          [`${key}_ratio_simgrid_over_themis`]: Math.round((sgUs / thUs) * 100) / 100,
          [`${key}_simgrid_total_ms`]: Number(Number(m[1]).toFixed(1)),
          [`${key}_themis_total_ms`]: Number(means.total_ms.toFixed(1)),
          [`${key}_simgrid_downtime_ms`]: Number(Number(m[2]).toFixed(2)),
          [`${key}_themis_downtime_ms`]: Number(means.downtime_ms.toFixed(2)),
          [`${key}_themis_success_share`]: means.succeeded,
        });
        process.stderr.write(`  ${key}: SimGrid ${sgUs.toFixed(1)} µs, Themis ${thUs.toFixed(1)} µs per migration (×${(sgUs / thUs).toFixed(1)}); ` +
          `total ${m[1]} / ${means.total_ms.toFixed(1)} ms, downtime ${m[2]} / ${means.downtime_ms.toFixed(2)} ms\n`);
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  console.log(await benchPeer(sizes.length > 0 ? sizes : undefined));
}
