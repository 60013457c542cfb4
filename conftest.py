"""Run every notebook in `nbs/` as a test (nbval), offline.

- Sets `HF_HUB_OFFLINE=1` (and friends) before any kernel starts, and `HOML16_NO_NETWORK=1`, which makes
  `import homl16` install a guard that turns any non-loopback connection into an error.
- Honours nbdev directives: cells with `#| eval: false` or `#| notest` are skipped, cells with `#| slow`
  are skipped unless `pytest --slow` (or `HOML16_SLOW=1`).
- Copes with `nbdev-clean`: cleaned cells have `execution_count = None` but keep their outputs, which
  nbval would otherwise reject as "unrun reference cells".
"""
import os
import re

import pytest

for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HOML16_NO_NETWORK"):
    os.environ[_var] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    # Several notebooks run at once (pytest -n N): share the cores instead of oversubscribing them.
    _threads = max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))
    os.environ.setdefault("OMP_NUM_THREADS", str(_threads))
    os.environ.setdefault("MKL_NUM_THREADS", str(_threads))

_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*(.+?)\s*$")


def cell_directives(source: str) -> set[str]:
    "nbdev directives at the top of a cell, normalised: {'export', 'slow', 'eval:false', ...}."
    found = set()
    for line in source.splitlines():
        if not line.strip():
            continue
        m = _DIRECTIVE.match(line)
        if not m:
            break
        found.add(re.sub(r"\s+", "", m.group(1)).lower())
    return found


def pytest_terminal_summary(terminalreporter):
    "Wall time per notebook (sum of its cells), to keep every notebook within the CI budget."
    per_nb: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for rep in reports:
            if getattr(rep, "when", None) in ("setup", "call", "teardown") and hasattr(rep, "duration"):
                nb = rep.nodeid.split("::")[0]
                per_nb[nb] = per_nb.get(nb, 0.0) + rep.duration
    if per_nb:
        terminalreporter.write_sep("-", "seconds per notebook")
        for nb, secs in sorted(per_nb.items()):
            terminalreporter.write_line(f"{secs:8.1f}s  {nb}")


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False, help="also run notebook cells flagged `#| slow`")


def pytest_collection_modifyitems(config, items):
    run_slow = config.getoption("--slow") or os.environ.get("HOML16_SLOW", "") not in ("", "0")
    for item in items:
        cell = getattr(item, "cell", None)
        if cell is None or not hasattr(cell, "source"):
            continue
        if cell.get("execution_count") is None and cell.get("outputs"):
            cell.execution_count = 1  # cleaned by nbdev-clean, not unrun
        flags = cell_directives(cell.source)
        if "eval:false" in flags:
            item.add_marker(pytest.mark.skip(reason="#| eval: false"))
        elif "notest" in flags:
            item.add_marker(pytest.mark.skip(reason="#| notest"))
        elif "slow" in flags and not run_slow:
            item.add_marker(pytest.mark.skip(reason="#| slow (run with --slow)"))
