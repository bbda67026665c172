"""Experiment grids: the paired design, resume after an interruption, the results file, bad input."""

from __future__ import annotations

import json

import attrs
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from alfunc.experiments import experiment_grid, paired_split, run_grid, run_one
from alfunc.experiments.results import append_result, read_results
from alfunc.history.io import history_digest, load_history

SMALL = {"n_init": 10, "budget": 40}


def small_grid(**overrides):
    options = {"datasets": ("iris",), "strategies": ("margin", "random"), "seeds": 2, "batch_sizes": 10, **SMALL}
    return experiment_grid(**(options | overrides))


def without_seconds(lines):
    return [{k: v for k, v in line.items() if k != "seconds"} for line in lines]


def test_strategies_at_one_seed_share_split_scaling_and_initial_set():
    grid = small_grid(seeds=[3])
    (margin_line, margin_history), (random_line, random_history) = (
        run_one(run, grid.data["iris"], grid.estimators["logistic"], grid.strategies[run.strategy]) for run in grid.runs
    )
    assert margin_history[0] == random_history[0], "the initial fit must be the same for both strategies"
    assert margin_line["test_score"][0] == random_line["test_score"][0]
    assert margin_history[1].queried.tolist() != random_history[1].queried.tolist()
    assert margin_line["history_digest"] == history_digest(margin_history)


def test_scaling_is_fitted_on_the_pool_only():
    run = small_grid(seeds=[1]).runs[0]
    X, y = load_iris(return_X_y=True)
    X_pool, X_test, _, _ = paired_split(run, X, y)
    unscaled = paired_split(attrs.evolve(run, scale=False), X, y)
    scaler = StandardScaler().fit(unscaled[0])
    np.testing.assert_array_equal(X_pool, scaler.transform(unscaled[0]))
    np.testing.assert_array_equal(X_test, scaler.transform(unscaled[1]))
    assert np.abs(X_test.mean(axis=0)).max() > 1e-3, "the test set must not be centred on itself"


def test_rerun_skips_finished_runs_and_an_interrupted_grid_resumes(tmp_path):
    grid = small_grid()
    path = tmp_path / "results.jsonl"
    reference = run_grid(grid, tmp_path / "reference.jsonl")
    assert len(reference) == 4 and [line["id"] for line in reference] == [run.id for run in grid.runs]

    seen = []

    def interrupt_after_two(line):
        seen.append(line)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_grid(grid, path, callback=interrupt_after_two)
    assert len(read_results(path)) == 2, "runs finished before the interruption are saved"
    new = []
    resumed = run_grid(grid, path, callback=new.append, histories=tmp_path)
    assert len(new) == 2, "only the two unfinished runs run again"
    assert without_seconds(resumed) == without_seconds(reference)
    again = []
    assert run_grid(grid, path, callback=again.append) == resumed and again == []
    saved = load_history(tmp_path / f"{new[0]['id']}.json")
    assert history_digest(saved) == new[0]["history_digest"]


def test_a_changed_setting_is_a_new_run(tmp_path):
    path = tmp_path / "results.jsonl"
    run_grid(small_grid(seeds=[0], strategies=("random",)), path)
    new = []
    run_grid(small_grid(seeds=[0], strategies=("random",), budget=30), path, callback=new.append)
    assert len(new) == 1 and len(read_results(path)) == 2


def test_results_file_skips_a_line_cut_short_and_appends_after_it(tmp_path):
    path = tmp_path / "results.jsonl"
    a, c = (run_one(run, *grid_parts(run))[0] for run in small_grid(seeds=[0]).runs)
    append_result(path, a)
    with open(path, "ab") as file:
        file.write(b'{"id": "b", "x": ')  # a crash in the middle of a write
    append_result(path, c)
    assert read_results(path) == [a, c]
    with pytest.raises(ValueError, match="'full_pool_score' must be a finite number, got nan"):
        append_result(path, {**a, "full_pool_score": float("nan")})
    assert read_results(tmp_path / "missing.jsonl") == []


def grid_parts(run, grid=None):
    grid = grid or small_grid(seeds=[run.seed])
    return grid.data[run.dataset], grid.estimators[run.estimator], grid.strategies[run.strategy]


def test_result_lines_are_plain_json(tmp_path):
    path = tmp_path / "results.jsonl"
    (line,) = run_grid(small_grid(seeds=[0], strategies=("margin",)), path)
    assert json.loads(path.read_text()) == line
    assert set(line["metrics"]) >= {"aulc_trapezoid", "aulc_mean", "aulc_zhan", "final_score", "labels_to_95pct"}
    assert line["n_labeled"] == [10, 20, 30, 40] and len(line["test_score"]) == 4


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"datasets": ("mnist",)}, ValueError, "unknown dataset 'mnist'"),
        ({"estimators": ("xgboost",)}, ValueError, "unknown estimator 'xgboost'"),
        ({"strategies": ("margin", "margin")}, ValueError, "distinct strategies"),
        ({"strategies": ("no_such_strategy",)}, ValueError, "unknown strategy 'no_such_strategy'"),
        ({"seeds": 0}, ValueError, "seeds must be an int >= 1"),
        ({"budget": 5}, ValueError, "budget \\(5\\) must be at least n_init \\(10\\)"),
        ({"test_size": 1.5}, ValueError, "test_size must be a fraction"),
        ({"scoring": len}, TypeError, "scoring must be None or a scorer name"),
        ({"scoring": "no_such_scorer"}, ValueError, "scoring:"),
        (
            {"datasets": {"tiny": (np.eye(4), np.array([0, 0, 0, 1]))}},
            ValueError,
            "cannot be split with stratification",
        ),
        ({"datasets": {"bad": np.eye(3)}}, TypeError, "must be a tuple \\(X, y\\)"),
        (
            {"estimators": {"ridge": Ridge()}},
            TypeError,
            "strategy 'margin' needs a classifier; estimators\\['ridge'\\]",
        ),
    ],
)
def test_bad_grids_are_refused_before_any_work(options, error, message):
    with pytest.raises(error, match=message):
        small_grid(**options)


def test_run_grid_checks_its_arguments_before_writing(tmp_path):
    with pytest.raises(ValueError, match="results: folder .* does not exist"):
        run_grid(small_grid(), tmp_path / "no" / "results.jsonl")
    with pytest.raises(TypeError, match="callback must be a callable"):
        run_grid(small_grid(), tmp_path / "results.jsonl", callback=3)
    with pytest.raises(TypeError, match="grid must be an alfunc.experiments.Grid"):
        run_grid([], tmp_path / "results.jsonl")
    assert not (tmp_path / "results.jsonl").exists()


def test_grid_accepts_own_data_and_estimators():
    X, y = load_iris(return_X_y=True)
    grid = experiment_grid({"mine": (X, y)}, ["random"], [0], {"lr": LogisticRegression(max_iter=500)}, 10, **SMALL)
    assert [run.dataset for run in grid.runs] == ["mine"] and grid.runs[0].estimator == "lr"
