"""Helpers shared by the benchmark scripts: machine description, timing, table printing."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # `python benchmarks/x.py` from a checkout
    sys.path.insert(0, str(REPO_ROOT))


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def blas_info() -> str:
    """What threadpoolctl says about numpy's BLAS: library, kernel, threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    import numpy  # noqa: F401  (load its BLAS so threadpoolctl sees it)

    parts = []
    for pool in threadpool_info():
        parts.append(
            f"{pool.get('internal_api')} {pool.get('version')} {pool.get('architecture', '')}"
            f" threads={pool.get('num_threads')}"
        )
    return "; ".join(parts) or "no BLAS pool found"


def machine_header() -> str:
    """A few lines saying where a table was measured."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    return "\n".join(
        [
            f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
            f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}",
            f"threadpoolctl: {blas_info()}",
            f"OPENBLAS env: {env or 'not set'}; load average at start: {load}",
        ]
    )


def median_time(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls of fn, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """A plain, aligned text table (Markdown-compatible)."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")
