#!/usr/bin/env bash
# The Python packages the exported notebooks name (reports/notebook.ts) and the test that executes one
# (test/reports/notebook-run.test.ts): DuckDB, pandas, pyarrow, Altair, and nbclient/nbconvert/ipykernel to run it.
# Uses the machine's pip configuration (an on-disk wheel index works offline). Idempotent: skips when all import.
#   scripts/install-python-packages.sh
set -euo pipefail
py="${PYTHON:-python3}"
if "$py" -c 'import duckdb, pandas, pyarrow, altair, nbclient, nbconvert, ipykernel' 2>/dev/null; then
  exit 0
fi
"$py" -m pip install --disable-pip-version-check --retries 1 --timeout 15 \
  'duckdb>=1.1' 'pandas>=2' pyarrow 'altair>=5' 'nbclient>=0.10' 'nbconvert>=7' ipykernel
"$py" -c 'import duckdb, pandas, pyarrow, altair, nbclient, nbconvert, ipykernel'
