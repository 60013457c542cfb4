#!/usr/bin/env python
"""Execute notebooks in place, offline, and store outputs the way the course commits them.

    python tools/run_nb.py nbs/04_lm.ipynb [more.ipynb ...] [--slow] [--timeout 1800]

- Runs every code cell top to bottom in a fresh kernel of the current environment, with the offline settings of
  the test suite (`HF_HUB_OFFLINE=1`, the network guard `HOML16_NO_NETWORK=1`).
- Skips cells flagged `#| eval: false` / `#| notest`, and `#| slow` cells unless `--slow`; skipped cells keep the
  outputs they had.
- Squashes progress bars: consecutive stream outputs are merged and carriage-return redraws collapsed, so a
  tqdm bar is stored as its final line (JupyterLab still shows it live).
- Finishes with `nbdev-clean` on each notebook.

`--squash-only` applies only the progress-bar squashing to the stored outputs, without executing anything.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import cell_directives as directives   # the test suite's reading of nbdev directives


def collapse_cr(text: str) -> str:
    "Keep, on every line, only what was written after its last carriage return (what a terminal shows)."
    return "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n"))


def squash_streams(outputs: list) -> list:
    "Merge consecutive stream outputs of the same stream and collapse carriage-return redraws."
    merged: list = []
    for out in outputs:
        if out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream" \
                and merged[-1]["name"] == out["name"]:
            merged[-1]["text"] += out["text"]
        else:
            merged.append(out)
    for out in merged:
        if out.get("output_type") == "stream":
            out["text"] = collapse_cr(out["text"])
    return [o for o in merged if o.get("output_type") != "stream" or o["text"].strip()]


def squash_only(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = squash_streams(cell.outputs)
    nbformat.write(nb, path)
    subprocess.run(["nbdev-clean", "--fname", str(path)], check=True)


def run(path: Path, slow: bool, timeout: int) -> None:
    nb = nbformat.read(path, as_version=4)
    env_keys = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                "HOML16_NO_NETWORK": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "TOKENIZERS_PARALLELISM": "false",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    os.environ.update(env_keys)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    t0, took = time.perf_counter(), []
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            flags = directives(cell.source)
            if "eval:false" in flags or "notest" in flags or ("slow" in flags and not slow):
                continue
            t = time.perf_counter()
            client.execute_cell(cell, i)
            took.append((time.perf_counter() - t, i, cell.source.split("\n", 1)[0][:70]))
            cell.outputs = squash_streams(cell.outputs)
    nbformat.write(nb, path)
    subprocess.run(["nbdev-clean", "--fname", str(path)], check=True)
    print(f"{path}: executed in {time.perf_counter() - t0:.0f}s; slowest cells (wall s, cell index, first line):")
    for t, i, first in sorted(took, reverse=True)[:6]:
        print(f"  {t:6.1f}  [{i}] {first}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--slow", action="store_true", help="also run cells flagged `#| slow`")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    ap.add_argument("--squash-only", action="store_true", help="only squash the stored progress bars, run nothing")
    args = ap.parse_args()
    for p in args.notebooks:
        squash_only(p) if args.squash_only else run(p, args.slow, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
