#!/bin/bash
# Submits a sweep as a Slurm job array of <shards> tasks and the merge-and-report job after it:
#   deploy/slurm/submit.sh sweep.yaml 16 /shared/results/my-sweep
# prints the two job ids ("<array id> <merge id>"). The sweep is checked first (exit 2 on a bad file).
set -euo pipefail
if [ $# -ne 3 ]; then echo "usage: $0 <sweep.yaml> <shards> <root>" >&2; exit 2; fi
sweep=$1 shards=$2 root=${3%/}
case "$shards" in ''|*[!0-9]*|0) echo "submit.sh: <shards>: expected a whole number ≥ 1; found '$shards'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
${THEMIS:-themis} check "$sweep" >&2
mkdir -p "$root"
array=$(sbatch --parsable --array=0-$((shards - 1)) "$here/themis-array.sbatch" "$sweep" "$root")
merge=$(sbatch --parsable --dependency=afterok:${array%%;*} "$here/themis-merge.sbatch" "$root")
echo "${array%%;*} ${merge%%;*}"
