"""benchmarks/bench_dask_select.py still runs (--quick) and every Dask selection gives the in-memory batch.

Only behaviour is asserted; the timings it prints are never checked here.
"""

from __future__ import annotations

import importlib

import pytest

pytest.importorskip("dask.distributed", reason="needs the [distributed] extra")

pytestmark = pytest.mark.distributed


def test_dask_select_benchmark_gives_the_in_memory_batch(monkeypatch, capsys):
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    importlib.import_module("bench_dask_select").main(["--quick"])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| al.select, dask")]
    assert len(rows) == 3 and all(row.rstrip(" |").endswith("yes") for row in rows), out
