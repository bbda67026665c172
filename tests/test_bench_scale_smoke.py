"""The scale-table benchmark runs (tiny sizes) and every floor picks a valid batch.

Only behaviour is asserted: every registered strategy with a floor gets a
batch of distinct unlabeled points from it, a cell measures alfunc next to
the floor, a run appends its cells to the JSONL file and prints them in the
table, and a cell over the time limit is recorded as such. Timings are never
checked.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pytest

import alfunc as al

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def scale(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    floors = importlib.import_module("floors")
    monkeypatch.setattr(floors, "EER_CANDIDATES", 8)  # a few refits are enough to check the batch
    monkeypatch.setattr(floors, "EER_EVALUATION", 50)
    return importlib.import_module("bench_scale")


@pytest.mark.parametrize("name", sorted(al.STRATEGIES))
def test_every_floor_picks_distinct_unlabeled_points(scale, name):
    floors = importlib.import_module("floors")
    if name not in floors.FLOORS:
        pytest.skip(f"{name} has no floor yet (bench_scale reports it as 'no floor')")
    X, state, problem = scale.make_problem(name, 400, 5)
    picks = np.asarray(floors.FLOORS[name][1](problem))
    assert picks.size == 5 and np.unique(picks).size == 5, picks
    assert not state.labeled_mask()[picks].any(), picks


def test_a_cell_measures_alfunc_next_to_the_floor(scale, capsys):
    scale.main(["--cell", "margin", "--size", "2000", "--batch", "5", "--repeats", "1"])
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert record["status"] == "ok" and record["valid"] and record["family"] == "uncertainty", record
    assert record["seconds"] > 0 and record["floor_seconds"] > 0 and record["mib"] >= 0, record


def test_a_run_appends_cells_and_prints_the_table(scale, tmp_path, capsys):
    out = tmp_path / "scale.jsonl"
    scale.main(["--quick", "--no-peers", "--strategies", "margin", "--sizes", "1000,2000", "--out", str(out)])
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert {(r["strategy"], r["n"]) for r in records} == {(s, n) for s in ("margin",) for n in (1000, 2000)}
    assert all(r["status"] == "ok" and r["valid"] for r in records), records
    capsys.readouterr()
    scale.main(["--table", str(out)])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| margin")]
    assert len(rows) == 2, rows
    exponents = [row.split("|")[-2].strip() for row in rows]
    assert exponents[0] == "" and float(exponents[1]) == float(exponents[1]), rows  # on the largest size only


def test_a_cell_over_the_time_limit_is_recorded_as_such(scale, tmp_path):
    out = tmp_path / "slow.jsonl"
    scale.main(["--quick", "--no-peers", "--strategies", "margin", "--timeout", "0.01", "--out", str(out)])
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["status"] == "timeout" and record["detail"].startswith(">"), record
