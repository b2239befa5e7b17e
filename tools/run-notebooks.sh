#!/usr/bin/env bash
# Executes every notebook in notebooks/ from a clean state (outputs dropped first) with nbclient
# under Debian's /usr/bin/python3, and fails if any cell raises. Runs go to a temporary directory.
#   tools/run-notebooks.sh                 check only; the committed notebooks are not touched
#   tools/run-notebooks.sh --update        also write the executed notebooks back (re-render)
#   tools/run-notebooks.sh [--update] notebooks/validation.ipynb ...   only these
# Needs build/release/sim/meshsim (or MESHSIM_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."

update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
if [ $# -eq 0 ]; then set -- notebooks/*.ipynb; fi

export MESHSIM_BIN="${MESHSIM_BIN:-$PWD/build/release/sim/meshsim}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export MESHSIM_RUNS="$scratch/runs"
# A kernelspec of our own, first on JUPYTER_PATH, so the kernel is Debian's python whatever other
# Jupyter installations the machine has.
mkdir -p "$scratch/jupyter/kernels/python3"
cat >"$scratch/jupyter/kernels/python3/kernel.json" <<'JSON'
{"argv": ["/usr/bin/python3", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Python 3", "language": "python"}
JSON
export JUPYTER_PATH="$scratch/jupyter"
export PYTHONHASHSEED=0 PYDEVD_DISABLE_FILE_VALIDATION=1

/usr/bin/python3 - "$update" "$@" <<'PY'
import sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

update, paths = sys.argv[1] == "1", sys.argv[2:]
failed = []
for path in map(Path, paths):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.monotonic()
    client = NotebookClient(nb, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        failed.append(path)
        print(f"FAILED {path}\n{error}", file=sys.stderr)
        continue
    print(f"ok     {path}  {time.monotonic() - start:.1f} s", flush=True)
    if update:
        nbformat.write(nb, path)
if failed:
    sys.exit(f"{len(failed)} notebook(s) failed: {' '.join(map(str, failed))}")
PY
