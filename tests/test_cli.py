"""The alfunc command: exit codes, one-line errors, and what simulate/replay/report write."""

from __future__ import annotations

import json
import re
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


def one_line_error(capsys):
    err = capsys.readouterr().err
    assert err.startswith("alfunc: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_simulate_refuses_a_reference_that_is_not_among_the_strategies(tmp_path, capsys):
    # Before: the run went ahead and the paired columns (Δ, W/T/L, p, deficiency) stayed blank.
    argv = ["simulate", *SMALL, "--strategies", "margin", "random", "--reference", "entropy", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "--reference entropy is not among --strategies (margin, random)" in one_line_error(capsys)
    assert list(tmp_path.iterdir()) == [], "refused before any work"


def test_report_refuses_a_reference_absent_from_the_results(simulated, tmp_path, capsys):
    argv = ["report", str(simulated / "results.jsonl"), "--reference", "entropy", "--figure", str(tmp_path / "f.png")]
    assert main(argv) == 2
    assert "--reference entropy is not among the results' strategies (margin, random)" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"a": 1}', "line 5: not an alfunc result: it has no 'full_pool_score', 'id', 'metrics'"),
        ("without_metrics", "line 5: not an alfunc result: it has no 'metrics'"),
        ("[]", "line 5: not an alfunc result: it is a JSON list, not an object"),
        ("[" * 100_000, "line 5: not an alfunc result (JSON nested too deep)"),
        ("a,b,c", "line 5: not an alfunc result (not a line of JSON)"),
    ],
)
def test_report_refuses_lines_that_are_not_alfunc_results_naming_the_line(simulated, tmp_path, capsys, line, message):
    # Before: a KeyError traceback.
    lines = (simulated / "results.jsonl").read_text().splitlines()
    if line == "without_metrics":
        line = json.dumps({k: v for k, v in json.loads(lines[0]).items() if k != "metrics"})
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join([*lines, line]) + "\n")
    assert main(["report", str(path)]) == 2
    assert f"alfunc: error: {path}: {message}" in one_line_error(capsys)


def test_report_refuses_a_history_file_and_a_folder(simulated, capsys):
    history_file = next((simulated / "histories").iterdir())
    assert main(["report", str(history_file)]) == 2
    assert f"{history_file}: line 1: not an alfunc result: it has no" in one_line_error(capsys)
    assert main(["report", str(simulated)]) == 2
    assert "results: no file" in one_line_error(capsys)


def crafted_histories(history_file, folder):
    """Files made from a real history: each must be refused in one line naming it."""
    text = history_file.read_text()
    seed = re.search(r'"seed":\d+', text).group()
    history = load_history(history_file)
    experiment = dict(history.info["experiment"])
    files = {
        "seed_of_5000_digits": text.replace(seed, '"seed":' + "7" * 5000, 1),
        "score_of_1e400": re.sub(r'"test_score":[-0-9.e]+', '"test_score":1e400', text, count=1),
        "nested_100000_deep": '{"format":"alfunc-history","version":2,"info":' + "[" * 100_000 + "]" * 100_000 + "}",
        "array_nested_100000_deep": "[" * 100_000 + "]" * 100_000,
        "empty": "",
        "not_json": "\x00\x01binary",
        "a_results_line": (history_file.parents[1] / "results.jsonl").read_text().splitlines()[0],
    }
    paths = {}
    for name, content in files.items():
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(content)
    for name, value in (("seed_as_text", "0"), ("unknown_dataset", None)):
        paths[name] = folder / f"{name}.json"
        changed = {**experiment, "seed": value} if name == "seed_as_text" else {**experiment, "dataset": "mnist"}
        save_history(history.with_info({"experiment": changed}), paths[name])
    return paths


def test_replay_refuses_crafted_files_in_one_line_naming_them(simulated, tmp_path, capsys):
    # Before: RecursionError tracebacks, and messages that did not name the file.
    history_file = next((simulated / "histories").iterdir())
    paths = crafted_histories(history_file, tmp_path)
    for name, path in paths.items():
        assert main(["replay", str(path)]) == 2, name
        err = one_line_error(capsys)
        assert path.name in err, (name, err)
    assert main(["replay", str(tmp_path)]) == 2, "a folder"
    one_line_error(capsys)


def test_an_unexpected_error_is_one_line_too_unless_debugging(simulated, tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr("alfunc.cli.summarize", broken)
    argv = ["report", str(simulated / "results.jsonl"), "--figure", str(tmp_path / "f.png")]
    monkeypatch.delenv("ALFUNC_DEBUG", raising=False)
    assert main(argv) == 2
    assert "alfunc: error: KeyError: 'boom' (unexpected; set ALFUNC_DEBUG=1 to see the traceback)" in one_line_error(
        capsys
    )
    monkeypatch.setenv("ALFUNC_DEBUG", "1")
    with pytest.raises(KeyError, match="boom"):
        main(argv)
