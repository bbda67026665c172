"""benchmarks/bench_restrict.py still runs (--quick) and prints both tables; its numbers are never checked here."""

from __future__ import annotations

import importlib
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_restriction_benchmark_prints_its_tables(monkeypatch, capsys, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    importlib.import_module("bench_restrict").main(["--quick", "--dir", str(tmp_path)])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "median" not in line]
    assert sum("seals(margin" in row for row in rows) == 2 and sum("anchoral(margin" in row for row in rows) == 2, out
    assert out.count("- AULC(whole pool), paired") == 2 and "index build (once)" in out, out
    assert list(tmp_path.iterdir()) == []  # the memmap's temporary directory is removed
