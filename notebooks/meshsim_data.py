"""Run meshsim from a notebook and load its outputs into pandas.

The file formats are documented in docs/outputs.md. Everything here is a thin wrapper:

    import meshsim_data as md
    run_dir = md.run("retry-storm", "storm", replications=3, sets={"workload.rate": 300})
    summary = md.load_summary(run_dir)          # dict, as summary.json
    series = md.load_timeseries(run_dir)        # DataFrame, one row per (interval, service)
    edges = md.load_edges(run_dir)              # DataFrame, edges.csv
    points = md.sweep("retry-storm", {"workload.rate": [100, 200]}, "rates")  # sweep.csv

The binary is $MESHSIM_BIN, else build/release/sim/meshsim of this checkout. Runs are written
under $MESHSIM_RUNS, else notebooks/.runs/ (git-ignored), never into the committed tree.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

NOTEBOOKS = Path(__file__).resolve().parent
REPO = NOTEBOOKS.parent


class MeshsimError(RuntimeError):
    """meshsim exited with a non-zero status; the message carries the command and its stderr."""


def binary() -> Path:
    path = Path(os.environ.get("MESHSIM_BIN", REPO / "build/release/sim/meshsim"))
    if not path.is_file():
        raise MeshsimError(f"meshsim binary not found at {path}: build it with "
                           "`cmake --preset release && cmake --build build/release --target meshsim` "
                           "or set MESHSIM_BIN")
    return path


def runs_dir() -> Path:
    path = Path(os.environ.get("MESHSIM_RUNS", NOTEBOOKS / ".runs"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def scenario(name: str) -> Path:
    """A scenario by file name without .yaml: notebooks/scenarios/ first, then scenarios/."""
    for folder in (NOTEBOOKS / "scenarios", REPO / "scenarios"):
        path = folder / f"{name}.yaml"
        if path.is_file():
            return path
    raise MeshsimError(f"no scenario '{name}' in notebooks/scenarios/ or scenarios/")


def _set_args(sets: Mapping[str, object] | None) -> list[str]:
    args: list[str] = []
    for key, value in (sets or {}).items():
        args += ["--set", f"{key}={value}"]
    return args


def _meshsim(args: Iterable[str]) -> str:
    command = [str(binary()), *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise MeshsimError(f"{' '.join(command)}\nexit {done.returncode}\n{done.stderr}")
    return done.stdout


def run(name: str, out: str, *, sets: Mapping[str, object] | None = None, replications: int = 1,
        threads: int = 2, duration: str | None = None, seed: int | None = None) -> Path:
    """`meshsim run` of scenario `name` into runs_dir()/out; returns the run directory."""
    run_dir = runs_dir() / out
    args = ["run", scenario(name), "--out", run_dir, "--replications", replications,
            "--threads", threads, *_set_args(sets)]
    if duration is not None:
        args += ["--duration", duration]
    if seed is not None:
        args += ["--seed", seed]
    _meshsim(args)
    return run_dir


def sweep(name: str, grid: Mapping[str, Iterable[object]], out: str, *,
          sets: Mapping[str, object] | None = None, replications: int = 3,
          threads: int = 2) -> pd.DataFrame:
    """`meshsim sweep` over the cartesian product of `grid` (key -> values); returns sweep.csv."""
    sweep_dir = runs_dir() / out
    args = ["sweep", scenario(name), "--out", sweep_dir, "--replications", replications,
            "--threads", threads, *_set_args(sets)]
    for key, values in grid.items():
        args += ["--grid", f"{key}={','.join(map(str, values))}"]
    _meshsim(args)
    return load_sweep(sweep_dir)


def load_summary(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / "summary.json").read_text())


def load_timeseries(run_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(run_dir) / "timeseries.csv")


def load_edges(run_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(run_dir) / "edges.csv")


def load_sweep(sweep_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(sweep_dir) / "sweep.csv")


def services(summary: dict) -> pd.DataFrame:
    """One row per service of a single-run summary; latency fields as latency_<stat>_ms."""
    rows = {}
    for service, fields in summary["services"].items():
        row = {k: v for k, v in fields.items() if k != "latency_ms"}
        row.update({f"latency_{k}_ms": v for k, v in fields["latency_ms"].items() if k != "count"})
        rows[service] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def value(summary: dict, *path: str) -> tuple[float, float]:
    """(mean, ci95 half width) of a replicated summary's metric, e.g. value(s, "requests", "rps").

    A single-run summary gives (value, nan). A `null` half width (not bounded) is nan.
    """
    node = summary
    for key in path:
        node = node[key]
    if isinstance(node, dict):
        half = node.get("ci95")
        return float(node["mean"]), float("nan") if half is None else float(half)
    return float(node), float("nan")
