"""The bounded cold-start benchmark still runs (--quick) and prints one row per method it can import."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_coldstart_scale_benchmark_prints_alfunc_and_any_peer(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    importlib.import_module("bench_coldstart_scale").main(["--quick", "--batch-size", "10"])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| 5,000")]
    names = [row.split("|")[2].strip() for row in rows]
    peers = ["scikit-activeml TypiClust", "scikit-activeml ProbCover"]
    expected = ["alfunc typiclust", "alfunc probcover"] + (peers if importlib.util.find_spec("skactiveml") else [])
    assert names == expected, out
    assert all(float(row.split("|")[5]) > 0 for row in rows), out
