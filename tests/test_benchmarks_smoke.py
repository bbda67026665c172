"""The benchmark scripts still run (in --quick mode) and agree with their references.

Only behaviour is asserted (the table is printed, every method picks the same
batch as the hand-written reference, the history has one record per round);
the timings and memory figures they print are never checked here.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return lambda name: importlib.import_module(name)


def test_query_benchmark_agrees_with_the_floor(bench, capsys):
    bench("bench_query").main(["--quick", "--no-peers", "--chunk-sizes", "1000"])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "method" not in line]
    assert len(rows) == 4 and all(row.rstrip(" |").endswith("yes") for row in rows), out


def test_run_benchmark_repeats_the_hand_written_loop(bench, capsys):
    bench("bench_run").main(["--quick", "--no-peers"])
    out = capsys.readouterr().out
    assert "same batches as the hand-written loop: yes, every round" in out, out


def test_history_benchmark_reports_bytes_per_record(bench, capsys):
    bench("bench_history").main(["--quick"])
    out = capsys.readouterr().out
    rows = [line.split("|")[1:4] for line in out.splitlines() if line.startswith("| ") and "rounds" not in line]
    # one row per checkpoint (20, 50, 100, 200 rounds): a record per round, one point labeled per round
    assert [[int(cell) for cell in row] for row in rows] == [[r, r + 1, r + 10] for r in (20, 50, 100, 200)], out
    assert "bytes per added record from" in out, out


def table_rows(out: str) -> dict[str, list[str]]:
    """The rows of the printed Markdown table, by their first cell."""
    cells = [
        [cell.strip() for cell in line.strip(" |").split("|")] for line in out.splitlines() if line.startswith("| ")
    ]
    return {row[0]: row[1:] for row in cells[1:]}


def test_text_query_benchmark_agrees_with_the_floor(bench, capsys):
    bench("bench_text_query").main(["--quick", "--chunk-sizes", "1000"])
    out = capsys.readouterr().out
    rows = table_rows(out)
    pandas = importlib.util.find_spec("pandas") is not None
    assert len(rows) == 5 + 2 * pandas and all(row[-1] == "yes" for row in rows.values()), out
    assert ("alfunc select, pandas Series" in rows) == pandas, out


def test_embeddings_benchmark_gives_valid_batches(bench, capsys):
    bench("bench_embeddings").main(["--quick"])
    out = capsys.readouterr().out
    rows = table_rows(out)
    assert "alfunc k_center_greedy" in rows and "random batch (for scale)" in rows, out
    assert all(row[2] == "yes" for row in rows.values()), out  # k distinct unlabeled points each
    radius = {name: float(row[3]) for name, row in rows.items()}
    labeled_alone = float(out.split("k-center radius of the labeled set alone: ")[1].split()[0])
    assert radius["alfunc k_center_greedy"] <= min(labeled_alone, radius["random batch (for scale)"]), out
    if importlib.util.find_spec("skactiveml") is None:
        assert "[skipped] scikit-activeml is not importable here" in out and not any("scikit" in n for n in rows)
    else:
        assert "scikit-activeml's classifier has alfunc's coefficients: yes" in out, out


def test_session_benchmark_reopens_what_it_wrote(bench, capsys):
    bench("bench_session").main(["--quick"])
    out = capsys.readouterr().out
    rows = table_rows(out)
    assert {"floor", "durable", "not durable", "durable, fit_every=10"} <= set(rows), out
    assert int(rows["labels"][0]) == 300 and float(rows["bytes per label"][0]) > 0, out


def test_warm_benchmark_runs_both_modes(bench, capsys):
    bench("bench_warm").main(["--quick"])
    rows = table_rows(capsys.readouterr().out)
    assert set(rows) == {"cold", "warm"} and rows["cold"][2] == rows["warm"][2] == "510", rows
    assert all(0.33 < float(row[4]) <= 1 for row in rows.values()), rows  # three classes: better than guessing


def test_second_wave_ensemble_benchmark_gives_valid_batches(bench, capsys):
    bench("bench_second_wave_ensemble").main(["--quick"])
    rows = table_rows(capsys.readouterr().out)
    assert "alfunc batchbald (forest)" in rows and "alfunc margin, greedy (LR)" in rows, rows
    assert all(row[-1] == "yes" for row in rows.values()), rows  # k distinct unlabeled points each
