"""The results file: only alfunc results, each run once, cut lines skipped, every other line refused by number."""

from __future__ import annotations

import json
import re

import pytest

from alfunc.experiments import append_result, check_result, experiment_grid, read_results, run_one


@pytest.fixture(scope="module")
def lines():
    grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, n_init=10, budget=20)
    return [
        run_one(run, grid.data["iris"], grid.estimators["logistic"], grid.strategies[run.strategy])[0]
        for run in grid.runs
    ]


def write(path, *texts):
    path.write_bytes(b"".join(text if isinstance(text, bytes) else text.encode() for text in texts))


def dumps(line):
    return json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n"


def test_a_run_written_twice_is_read_once_the_first_line_kept(tmp_path, lines):
    a, b = lines
    path = tmp_path / "results.jsonl"
    write(path, dumps(a), dumps(b), dumps({**a, "seconds": 99.0}), dumps(b))
    assert read_results(path) == [a, b]


def test_lines_cut_short_and_blank_lines_are_skipped(tmp_path, lines):
    a, b = lines
    path = tmp_path / "results.jsonl"
    write(path, dumps(a), '{"id":"x","run":{"data', "\n", "\n", dumps(b), dumps(a)[:40])
    assert read_results(path) == [a, b]


def changed(line, **fields):
    return {**line, **fields}


BAD_LINES = [
    ('{"a": 1}', "result: it has no 'full_pool_score', 'id', 'metrics', 'n_labeled'"),
    ("hello", "result \\(not a line of JSON\\)"),
    ("[1, 2]", "result: it is a JSON list, not an object"),
    ("[" * 100_000 + "]" * 100_000, "result \\(JSON nested too deep\\)"),
    ('{"a":' * 100_000 + "1" + "}" * 100_000, "result \\(JSON nested too deep\\)"),
    (lambda a: dumps(a).replace('"seed":0', '"seed":' + "9" * 5000), "Exceeds the limit"),
    (lambda a: changed(a, metrics={k: v for k, v in a["metrics"].items() if k != "aulc_zhan"}), "no 'aulc_zhan'"),
    (lambda a: {k: v for k, v in a.items() if k != "metrics"}, "result: it has no 'metrics'$"),
    (lambda a: dumps(a).replace('"full_pool_score":', '"full_pool_score":1e400,"x":'), "finite number, got inf"),
    (lambda a: changed(a, test_score=[0.5, float("nan"), 0.7][: len(a["test_score"])]), "scores must be finite"),
    (lambda a: changed(a, n_labeled=a["n_labeled"][::-1]), "n_labeled must be strictly increasing"),
    (lambda a: changed(a, n_labeled=a["n_labeled"][:1]), "must be 1-D of equal length"),
    (lambda a: changed(a, test_score="0.5"), "'n_labeled' and 'test_score' must be lists"),
    (lambda a: changed(a, id=17), "'id' must be a non-empty string, got 17"),
    (lambda a: changed(a, run=[1]), "'run' must be an object, got list"),
    (lambda a: changed(a, run={**a["run"], "seed": "0"}), "run\\['seed'\\] must be an int >= 0, got '0'"),
    (lambda a: changed(a, run={**a["run"], "batch_size": 0}), "run\\['batch_size'\\] must be an int >= 1"),
    (lambda a: changed(a, run={**a["run"], "strategy": None}), "run\\['strategy'\\] must be a name, got None"),
    (lambda a: changed(a, run={k: v for k, v in a["run"].items() if k != "dataset"}), "run has no 'dataset'"),
    (lambda a: changed(a, run={**a["run"], "budget": "all"}), "run\\['budget'\\] must be an int or null"),
    (lambda a: changed(a, metrics=[0.9]), "'metrics' must be an object, got list"),
    (lambda a: changed(a, metrics={**a["metrics"], "final_score": True}), "metrics\\['final_score'\\] must be a fin"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_LINES)
def test_a_line_that_is_not_an_alfunc_result_is_refused_naming_the_file_and_line(tmp_path, lines, bad, message):
    a, b = lines
    text = bad(a) if callable(bad) else bad
    path = tmp_path / "results.jsonl"
    write(path, dumps(b), text if isinstance(text, str) else json.dumps(text), "\n")
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}: line 2: not an alfunc result") as error:
        read_results(path)
    assert re.search(message, str(error.value)) and "\n" not in str(error.value)
    if not isinstance(text, str):
        with pytest.raises(ValueError, match="^line: not an alfunc result"):
            append_result(tmp_path / "other.jsonl", text)
        with pytest.raises(ValueError, match="^result: not an alfunc result"):
            check_result(text)


def test_a_folder_is_not_a_results_file(tmp_path):
    with pytest.raises(ValueError, match="results must be a file, got the folder"):
        read_results(tmp_path)


def test_a_last_result_without_its_newline_counts_as_done(tmp_path, lines):
    from alfunc.experiments import run_grid

    grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, n_init=10, budget=20)
    path = tmp_path / "results.jsonl"
    write(path, dumps(lines[0]), dumps(lines[1]).rstrip("\n"))  # copied or edited without the final newline
    computed = []
    assert run_grid(grid, path, callback=computed.append) == lines and computed == []
    assert read_results(path) == lines
