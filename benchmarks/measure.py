"""Measurement helpers shared by the benchmark scripts (not part of the library).

Time and memory are measured in separate calls: ``tracemalloc`` slows Python
allocations down, so timed runs never trace. Repeats are interleaved across
the compared methods (round robin) so that load from other processes on a
shared machine hits every method alike; the table reports medians.
"""

from __future__ import annotations

import gc
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable, Mapping
from typing import Any


def interleaved_medians(methods: Mapping[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median wall time in seconds of each method, repeats taken round robin."""
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(repeats):
        for name, method in methods.items():
            gc.collect()
            started = time.perf_counter()
            method()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def peak_extra_bytes(method: Callable[[], Any]) -> tuple[int, Any]:
    """Peak memory ``method`` allocates above what was live before the call (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = method()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before, result


def print_table(header: list[str], rows: list[list[Any]]) -> None:
    """A plain Markdown table (pasteable into a README)."""
    cells = [header] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    line = lambda row: "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"  # noqa: E731
    print(line(cells[0]))
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in cells[1:]:
        print(line(row))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def mib(n_bytes: float) -> float:
    """Bytes to MiB."""
    return n_bytes / 2**20


def machine() -> str:
    """One line naming the interpreter and library versions the numbers come from."""
    import numpy
    import sklearn

    return (
        f"python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}, {platform.machine()}"
    )


def target(label: str, met: bool, detail: str) -> str:
    """One line of the targets summary."""
    return f"  [{'met' if met else 'NOT met'}] {label}: {detail}"
