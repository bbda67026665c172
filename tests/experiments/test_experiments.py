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


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        # before: "'float' object is not iterable", "'NoneType' object is not iterable", "got str '1'"
        ({"batch_sizes": 2.5}, TypeError, "^batch_sizes must be an int >= 1 or a list of distinct ints, got float 2.5"),
        ({"batch_sizes": None}, TypeError, "^batch_sizes must be an int >= 1 or a list of distinct ints, got NoneT"),
        ({"batch_sizes": True}, TypeError, "^batch_sizes must be an int >= 1 or a list of distinct ints, got bool"),
        ({"batch_sizes": "10"}, TypeError, "^batch_sizes must be a list of distinct ints >= 1 .*got str '10'"),
        ({"batch_sizes": []}, ValueError, "^batch_sizes must not be empty"),
        ({"batch_sizes": [5, 5]}, ValueError, "^batch_sizes must be distinct, got \\[5, 5\\]"),
        ({"batch_sizes": [10, 0]}, ValueError, "^batch_sizes\\[1\\] must be an int >= 1, got 0"),
        ({"batch_sizes": [5.0]}, TypeError, "^batch_sizes\\[0\\] must be an int >= 1, got float 5.0"),
        ({"seeds": 2.5}, TypeError, "^seeds must be a count >= 1 or a list of distinct ints >= 0, got float 2.5"),
        ({"seeds": True}, TypeError, "^seeds must be a count >= 1 or a list of distinct ints >= 0, got bool True"),
        ({"seeds": None}, TypeError, "^seeds must be a count >= 1 or a list of distinct ints >= 0, got NoneType"),
        ({"seeds": "5"}, TypeError, "^seeds must be a list of distinct ints >= 0 \\(or a count >= 1\\), got str '5'"),
        ({"seeds": -3}, ValueError, "^seeds must be an int >= 1, got -3"),
        ({"seeds": []}, ValueError, "^seeds must not be empty"),
        ({"seeds": [0, -1]}, ValueError, "^seeds\\[1\\] must be an int >= 0, got -1"),
        ({"seeds": [1, 1]}, ValueError, "^seeds must be distinct, got \\[1, 1\\]"),
        ({"seeds": ["0"]}, TypeError, "^seeds\\[0\\] must be an int >= 0, got str '0'"),
        ({"seeds": 10**9}, ValueError, "^the grid would hold 2,000,000,000 runs, more than 10,000,000"),
        ({"strategies": "margin"}, TypeError, "^strategies must be a list of names or strategy functions, got str"),
        ({"strategies": None}, TypeError, "^strategies must be a list of names or strategy functions, got NoneType"),
        ({"strategies": []}, ValueError, "^strategies must not be empty"),
        ({"strategies": ["margin", 3]}, TypeError, "^strategies\\[1\\]: strategy must be a name or a callable"),
        ({"strategies": ["nope"]}, ValueError, "^strategies\\[0\\]: unknown strategy 'nope'"),
        ({"datasets": "iris"}, TypeError, "^datasets must be a list of names or a mapping name -> value, got str"),
        ({"datasets": None}, TypeError, "^datasets must be a list of names or a mapping name -> value, got NoneType"),
        ({"datasets": []}, ValueError, "^datasets must not be empty"),
        ({"datasets": {}}, ValueError, "^datasets must not be empty"),
        ({"datasets": ["iris", "iris"]}, ValueError, "^datasets must list distinct names"),
        ({"datasets": ["mnist"]}, ValueError, "^datasets: unknown dataset 'mnist'; expected one of"),
        ({"datasets": [3]}, TypeError, "^datasets\\[0\\] must be a name \\(your own ones go in a mapping"),
        ({"datasets": [(np.eye(3), [0, 1, 1])]}, TypeError, "^datasets\\[0\\] must be a name"),
        ({"datasets": {1: (np.eye(4), [0] * 4), "1": (np.eye(4), [0] * 4)}}, ValueError, "must have distinct names"),
        ({"estimators": "logistic"}, TypeError, "^estimators must be a list of names or a mapping name -> value"),
        ({"estimators": []}, ValueError, "^estimators must not be empty"),
        ({"estimators": ["xgboost"]}, ValueError, "^estimators: unknown estimator 'xgboost'; expected one of"),
        ({"estimators": {"lr": LogisticRegression}}, TypeError, "^estimators\\['lr'\\] must be an estimator instance"),
        ({"estimators": {"x": object()}}, TypeError, "^estimators\\['x'\\] must be a scikit-learn estimator"),
        ({"n_init": 2.5}, TypeError, "^n_init must be an int >= 1, got float 2.5"),
        ({"n_init": 0}, ValueError, "^n_init must be an int >= 1, got 0"),
        ({"budget": "300"}, TypeError, "^budget must be an int >= 1, got str '300'"),
        ({"budget": 30.0}, TypeError, "^budget must be an int >= 1, got float 30.0"),
        ({"test_size": "0.2"}, ValueError, "^test_size must be a fraction in \\(0, 1\\), got '0.2'"),
        ({"test_size": float("nan")}, ValueError, "^test_size must be a fraction in \\(0, 1\\), got nan"),
        ({"test_size": True}, ValueError, "^test_size must be a fraction in \\(0, 1\\), got True"),
        ({"scale": "no"}, TypeError, "^scale must be True or False, got str 'no'"),  # before: accepted as True
        ({"scale": None}, TypeError, "^scale must be True or False, got NoneType None"),  # before: accepted as False
        ({"representations": 3}, TypeError, "^representations must be None, 'input', 'model', a callable"),
        ({"representations": []}, ValueError, "^representations must not be empty"),
        ({"representations": "nope"}, ValueError, "^representations\\['nope'\\] on datasets\\['iris'\\]"),
    ],
)
def test_every_argument_of_experiment_grid_is_checked_and_named(options, error, message):
    with pytest.raises(error, match=message):
        small_grid(**options)


def test_grid_takes_any_iterable_and_numpy_numbers():
    grid = small_grid(strategies=(s for s in ["margin", "random"]), seeds=np.array([3, 0]), batch_sizes=np.int64(5))
    assert [(run.strategy, run.seed, run.batch_size) for run in grid.runs][:3] == [
        ("margin", 3, 5),
        ("random", 3, 5),
        ("margin", 0, 5),
    ]
    assert all(type(run.seed) is int and type(run.batch_size) is int for run in grid.runs)
    assert small_grid(scale=np.True_).runs[0].scale is True


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
