"""The alfunc command: exit codes, one-line errors, and what simulate/replay/report write."""

from __future__ import annotations

import subprocess
import sys

import attrs
import pytest

from alfunc.cli import main
from alfunc.experiments.results import read_results
from alfunc.history.io import load_history, save_history

SMALL = ["--dataset", "iris", "--seeds", "2", "--n-init", "10", "--batch-size", "10", "--budget", "40", "--no-progress"]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert main(["simulate", *SMALL, "--out", str(out)]) == 0
    return out


def test_simulate_prints_the_paired_table_and_writes_results_histories_and_figure(simulated, capsys):
    results = read_results(simulated / "results.jsonl")
    assert len(results) == 4
    assert sorted(p.stem for p in (simulated / "histories").iterdir()) == sorted(line["id"] for line in results)
    figure = (simulated / "learning_curves.png").read_bytes()
    assert figure.startswith(b"\x89PNG") and len(figure) > 10_000
    assert main(["simulate", *SMALL, "--out", str(simulated)]) == 0, "a rerun resumes"
    out = capsys.readouterr().out
    assert "4 runs (4 already in" in out
    header, rule, first, second = out.splitlines()[1:5]
    assert header.split()[:3] == ["strategy", "AULC", "final"] and "Wilcoxon" in header
    assert {first.split()[0], second.split()[0]} == {"margin", "random"}
    assert "(reference)" in (first + second)


def test_replay_verifies_a_saved_history(simulated, capsys):
    history_file = next((simulated / "histories").iterdir())
    assert main(["replay", str(history_file)]) == 0
    assert "every query selected the recorded points" in capsys.readouterr().out


def test_replay_of_a_history_whose_queries_were_changed_exits_1(simulated, tmp_path, capsys):
    history = load_history(next((simulated / "histories").iterdir()))
    first, second = history[1], history[2]
    swapped = (
        history[0],
        attrs.evolve(first, queried=second.queried),
        attrs.evolve(second, queried=first.queried),
        *history[3:],
    )
    save_history(attrs.evolve(history, records=swapped), tmp_path / "changed.json")
    assert main(["replay", str(tmp_path / "changed.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("alfunc: replay does not match: replay diverged at iteration 1") and err.count("\n") == 1


def test_report_prints_tables_and_writes_the_figure(simulated, tmp_path, capsys):
    assert main(["report", str(simulated / "results.jsonl"), "--figure", str(tmp_path / "f.png")]) == 0
    assert "ΔAULC vs random" in capsys.readouterr().out and (tmp_path / "f.png").stat().st_size > 10_000


def test_report_into_a_reader_that_already_left_exits_quietly(simulated):
    report = [sys.executable, "-m", "alfunc", "report", str(simulated / "results.jsonl")]
    process = subprocess.Popen(report, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before anything is written (like `| head` after its line)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 141 and errors == b""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "missing.jsonl"], "alfunc: error: results: no file 'missing.jsonl'"),
        (["simulate", "--seeds", "0", "--no-progress"], "alfunc: error: seeds must be an int >= 1, got 0"),
        (["simulate", "--budget", "5", "--no-progress"], "alfunc: error: budget (5) must be at least n_init (20)"),
        (
            ["simulate", "--scheduler", "tcp://127.0.0.1:1", "--no-progress"],
            "alfunc: error: --scheduler needs --backend dask",
        ),
        (["replay", "missing.json"], "alfunc: error: "),
    ],
)
def test_errors_are_one_line_with_exit_code_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", [[], ["simulate", "--dataset", "mnist"], ["replay"], ["simulate", "--seeds", "x"]])
def test_usage_errors_are_one_line_with_exit_code_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "error:" in err and "--help" in err


def test_replay_refuses_a_file_that_is_not_a_history(simulated, capsys):
    assert main(["replay", str(simulated / "results.jsonl")]) == 2
    assert "is not an alfunc history file" in capsys.readouterr().err
