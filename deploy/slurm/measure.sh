#!/bin/bash
# The scale-out figures of docs/scale-out.md, measured on this machine (root; Debian's slurm-wlm, munge, time):
#   deploy/slurm/measure.sh [shards=4] [repetitions=250000]     # 16 points × 250,000 = 4 M simulator trials
# 1. one `themis run` process; 2. the same sweep as a Slurm array of <shards> tasks on a local single-node Slurm
# (local-cluster.sh) through submit.sh, merge job included; 3. an empty array of as many tasks (what Slurm alone
# costs); 4. the same aggregate query over the partitioned root and over the merged database.
# Peak RSS from /usr/bin/time -v around every themis process. Everything lives in one temp folder, removed at the
# end (KEEP=1 keeps it).
set -euo pipefail
shards=${1:-4}
reps=${2:-250000}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/themis-measure-XXXXXX)
chmod 0755 "$work"
cluster_pid=
cleanup() {
  [ -n "$cluster_pid" ] && { SLURM_CONF=$work/cluster/slurm.conf scancel --user=root 2>/dev/null || true; kill -TERM "$cluster_pid" 2>/dev/null || true; wait "$cluster_pid" 2>/dev/null || true; }
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

cat >"$work/sweep.yaml" <<SWEEP
name: scale-out
seed: 1
repetitions: $reps
store: { rounds: failed, probe_gaps: failed, events: failed }
parameters: { memory_mib: 4096, working_set_mib: 1024, dirty_pattern: hotcold, boot_s: 12 }
axes:
  - grid:
      mode: [live, cold]
      dirty_rate_pages_s: [0, 5000, 25000, 100000]
      max_bandwidth_mib_s: [128, 1000]
SWEEP
# every themis process under /usr/bin/time -v, one report file each
cat >"$work/themis-timed" <<WRAP
#!/bin/bash
if [ -n "\${SLURM_ARRAY_TASK_ID:-}" ]; then tag=task\$SLURM_ARRAY_TASK_ID; elif [ -n "\${SLURM_JOB_ID:-}" ]; then tag=job\$SLURM_JOB_ID; else tag=local; fi
exec /usr/bin/time -v -o "$work/time-\$tag-\$\$.txt" "$(command -v node)" "$repo/bin/themis.js" "\$@"
WRAP
chmod +x "$work/themis-timed"
export THEMIS=$work/themis-timed
now() { date +%s.%N; }
field() { awk -F': ' -v k="$1" '$1 ~ k {print $2}' "$2"; }
elapsed_s() { field 'Elapsed \\(wall clock\\)' "$1" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }'; }

echo "sweep: 16 points × $reps = $((16 * reps)) trials; $shards shards; $(nproc) CPUs" >&2
t0=$(now)
SLURM_ARRAY_TASK_ID= "$THEMIS" run "$work/sweep.yaml" --db "$work/one.duckdb" --no-report >/dev/null
t1=$(now)
one=$(ls "$work"/time-local-*.txt)
echo "one_process_wall_s=$(echo "$t1 - $t0" | bc)"
echo "one_process_peak_rss_mib=$(( $(field 'Maximum resident' "$one") / 1024 ))"
rm -f "$work"/time-local-*.txt

"$here/local-cluster.sh" "$work/cluster" >"$work/cluster.out" 2>&1 &
cluster_pid=$!
for _ in $(seq 1 600); do grep -q '^ready' "$work/cluster.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$work/cluster.out" || { cat "$work/cluster.out" >&2; exit 1; }
export SLURM_CONF=$work/cluster/slurm.conf
state() { scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' '; }
wait_job() { while :; do s=$(state "$1"); case "$s" in *PENDING*|*RUNNING*|*CONFIGURING*|*COMPLETING*|'') sleep 0.2 ;; *) echo "$s"; return ;; esac; done; }

mkdir "$work/jobs"
cd "$work/jobs"
t0=$(now)
read -r array merge < <("$here/submit.sh" "$work/sweep.yaml" "$shards" "$work/root")
s=$(wait_job "$array"); [ "$s" = "JobState=COMPLETED " ] || { echo "array: $s" >&2; cat "$work"/jobs/*.out >&2; exit 1; }
t1=$(now)
s=$(wait_job "$merge"); [ "$s" = "JobState=COMPLETED " ] || { echo "merge: $s" >&2; cat "$work"/jobs/*.out >&2; exit 1; }
t2=$(now)
echo "array_wall_s=$(echo "$t1 - $t0" | bc)"
echo "array_plus_merge_wall_s=$(echo "$t2 - $t0" | bc)"
sum=0; peak=0
for i in $(seq 0 $((shards - 1))); do
  f=$(ls "$work"/time-task"$i"-*.txt)
  w=$(elapsed_s "$f"); r=$(( $(field 'Maximum resident' "$f") / 1024 ))
  echo "task_${i}_wall_s=$w task_${i}_peak_rss_mib=$r"
  sum=$(echo "$sum + $w" | bc); [ "$r" -gt "$peak" ] && peak=$r
done
echo "tasks_sum_wall_s=$sum tasks_peak_rss_mib=$peak"
echo "slurm_overhead_per_task_s=$(echo "scale=3; ($t1 - $t0 - $sum) / $shards" | bc)  # array wall minus the tasks' own, when they ran one at a time"
for f in "$work"/time-job"$merge"-*.txt; do echo "merge_step wall_s=$(elapsed_s "$f") peak_rss_mib=$(( $(field 'Maximum resident' "$f") / 1024 ))"; done

t0=$(now)
empty=$(sbatch --parsable --array=0-$((shards - 1)) --cpus-per-task=2 --output=/dev/null --wrap true)
wait_job "$empty" >/dev/null
t1=$(now)
echo "empty_array_wall_s=$(echo "$t1 - $t0" | bc)  # $shards tasks of 'true', 2 CPUs each"

echo "root_size_mib=$(du -sm "$work/root" | cut -f1) merged_db_size_mib=$(du -sm "$work/root.duckdb" | cut -f1)"
cd "$repo"
node --input-type=module - "$work" <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
const work = process.argv[2];
const agg = (from) => `SELECT mode, max_bandwidth_mib_s, dirty_rate_pages_s, count(*) AS n, median(downtime_ms) AS p50,
  quantile_cont(outage_ms, 0.95) AS p95, avg((status = 'succeeded')::INT) AS ok FROM ${from} GROUP BY ALL ORDER BY ALL`;
async function time(db, from) {
  const instance = await DuckDBInstance.create(db, db === ':memory:' ? {} : { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  const runs = [];
  let rows;
  for (let i = 0; i < 5; i++) { const t = performance.now(); rows = (await con.runAndReadAll(agg(from))).getRowsJS(); runs.push(performance.now() - t); }
  con.closeSync(); instance.closeSync();
  runs.sort((a, b) => a - b);
  return { first_ms: Math.round(runs[0] === runs[0] ? runs[0] : 0), median_ms: Math.round(runs[2]), rows: JSON.stringify(rows, (k, v) => typeof v === 'bigint' ? Number(v) : v) };
}
const root = await time(':memory:', `read_parquet('${work}/root/*/trials.parquet', hive_partitioning = true)`);
const merged = await time(`${work}/root.duckdb`, 'trials');
console.log(`query_root_median_ms=${root.median_ms} query_merged_median_ms=${merged.median_ms} same_answer=${root.rows === merged.rows}`);
JS
