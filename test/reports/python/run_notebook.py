"""Executes a notebook with nbclient (the kernel it names, python3) and prints one JSON line: cells run, errors.

    python3 run_notebook.py NOTEBOOK.ipynb [--timeout SECONDS]

Exit 0 when every code cell ran without an error, 1 otherwise; the executed notebook is not written back.
"""
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main():
    path = sys.argv[1]
    timeout = int(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 120
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    error = None
    try:
        client.execute()
    except CellExecutionError as e:
        error = str(e)[:2000]
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    mimes = sorted({k for c in code for o in c.get("outputs", []) for k in o.get("data", {})})
    ran = sum(1 for c in code if c.get("execution_count"))
    texts = ["".join(o.get("data", {}).get("text/plain", "")) for c in code for o in c.get("outputs", []) if o.get("output_type") == "execute_result"]
    print(json.dumps({"code_cells": len(code), "ran": ran, "errors": len(errors), "error": error, "mimes": mimes, "texts": texts}))
    sys.exit(0 if error is None and not errors else 1)


if __name__ == "__main__":
    main()
