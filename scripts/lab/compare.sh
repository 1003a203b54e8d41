#!/usr/bin/env bash
# The lab vs the qemu backend vs the simulator (docs/lab.md, "Lab vs qemu backend vs simulator"), from the committed
# datasets: calibrates the simulator on the lab dataset, runs the simulator before and after, merges the four
# campaigns and writes the report with its "Campaigns compared" section. Offline, ≈ 10 s; needs no lab cloud.
#   scripts/lab/compare.sh [OUT_DIR]        (default results/lab-compare)
# The calibrated sweep goes to OUT_DIR (compare it with sweeps/opennebula-lab-simulated.yaml: a test keeps that file
# equal to what calibrate writes from the committed dataset).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-results/lab-compare}"
themis() { node "$repo/bin/themis.js" "$@"; }
(cd "$repo" && npx tsc -p tsconfig.json >&2)
mkdir -p "$out"
rm -f "$out"/*.duckdb "$out"/*.duckdb.wal
themis calibrate "$repo/datasets/opennebula-lab" --sweep "$repo/sweeps/opennebula-lab-model.yaml" \
  --name opennebula-lab-simulated --out "$out/opennebula-lab-simulated.yaml"
themis run "$repo/sweeps/opennebula-lab-model.yaml" --db "$out/model.duckdb" --no-report >/dev/null
themis run "$out/opennebula-lab-simulated.yaml" --db "$out/calibrated.duckdb" --no-report >/dev/null
themis merge "$out/compare.duckdb" "$repo/datasets/opennebula-lab" "$repo/datasets/qemu-lab-matched" \
  "$out/model.duckdb" "$out/calibrated.duckdb"
themis report "$out/compare.duckdb" --out "$out/compare.html"
