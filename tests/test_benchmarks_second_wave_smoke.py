"""The second-wave benchmark scripts run in --quick mode and report what they should (never their timings)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

import alfunc as al

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return lambda name: importlib.import_module(name)


def table_rows(out: str) -> dict[str, list[str]]:
    """The rows of every printed Markdown table, by their first cell (headers and rules left out)."""
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] not in ("method", "strategy") and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = cells[1:]
    return rows


def test_embedding_benchmark_gives_valid_batches_for_every_second_wave_strategy(bench, capsys):
    bench("bench_second_wave_embedding").main(["--quick", "--no-peers"])
    rows = table_rows(capsys.readouterr().out)
    names = ["bait", "dropquery", "falcun", "clue", "maxherding", "badge"]
    assert set(rows) == {f"alfunc {name}" for name in names} | {"random batch (for scale)"}, rows
    assert all(row[2] == "yes" for row in rows.values()), rows  # k distinct unlabeled points each


def test_evidence_script_pairs_every_registered_name_with_random_and_margin(bench, capsys, tmp_path):
    results = tmp_path / "runs.jsonl"
    module = bench("second_wave_evidence")
    module.main(["--quick", "--results", str(results), "--strategies", "falcun", "maxherding", "no_such_strategy"])
    out = capsys.readouterr().out
    assert "[skipped] 'no_such_strategy' is not a registered strategy" in out
    rows = table_rows(out)
    assert set(rows) == {"random", "margin", "falcun", "maxherding"}, out
    assert rows["random"][1] == "(reference)" and rows["margin"][3] == "(reference)", out
    for name in ("falcun", "maxherding"):  # two paired seeds: wins + ties + losses = 2 against each reference
        assert sum(map(int, rows[name][2].split("/"))) == 2 and sum(map(int, rows[name][4].split("/"))) == 2, out
    assert len(results.read_text().splitlines()) == 4 * 2  # 4 strategies x 2 seeds, appended as they finished
    default = module.chosen_strategies(None)
    assert default[:2] == ["random", "margin"] and {"bait", "clue", "dropquery"} <= set(default)
    assert all(name in al.STRATEGIES for name in default)
