"""Bad arguments raise ValueError/TypeError naming the argument, before any model is fitted."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LinearRegression

import alfunc as al

X = np.random.default_rng(0).normal(size=(30, 2))
Y = np.arange(30) % 2


class MustNotFit(ClassifierMixin, BaseEstimator):
    """A classifier whose fit fails the test: validation must come first."""

    def fit(self, X, y):
        raise AssertionError("a model was fitted before the arguments were checked")

    def predict_proba(self, X):
        raise AssertionError("unreachable")


def with_nan(X):
    bad = X.copy()
    bad[3, 1] = np.nan
    return bad


def with_inf(X):
    bad = X.copy()
    bad[0, 0] = np.inf
    return bad


BAD_RUNS = [
    ({"n_init": 0}, ValueError, "n_init"),
    ({"n_init": 31}, ValueError, "n_init"),
    ({"n_init": -0.5}, ValueError, "n_init"),
    ({"n_init": "10"}, TypeError, "n_init"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 2.5}, TypeError, "batch_size"),
    ({"budget": 5, "n_init": 10}, ValueError, "budget"),
    ({"max_iter": -1}, ValueError, "max_iter"),
    ({"oracle": Y[:-1]}, ValueError, "oracle has 29 labels but X has 30 rows"),
    ({"oracle": Y.reshape(-1, 1)}, ValueError, "1-D"),
    ({"X": with_nan(X)}, ValueError, "X contains NaN"),
    ({"X": with_inf(X)}, ValueError, "X contains NaN or infinity"),
    ({"X": X[:, 0]}, ValueError, "2-D"),
    ({"X": np.array(["a b"] * 30, dtype=object), "representation": "input"}, ValueError, "'input' needs numeric rows"),
    ({"representation": np.zeros((29, 2))}, ValueError, "representation has 29 rows but X has 30"),
    ({"representation": "umap"}, ValueError, "representation must be 'input', 'model'"),
    ({"strategy": "uncertainty"}, ValueError, "unknown strategy 'uncertainty'"),
    ({"strategy": 3}, TypeError, "strategy"),
    ({"estimator": LinearRegression()}, TypeError, "needs a classifier"),
    ({"strategy": "bald"}, TypeError, "members of an ensemble"),
    ({"strategy": "gsy"}, TypeError, "needs a regressor"),
    ({"estimator": MustNotFit}, TypeError, "estimator must be an estimator instance"),
    ({"estimator": object()}, TypeError, "estimator must be a scikit-learn estimator"),
    ({"stop": 5}, TypeError, "stop"),
    ({"X_test": X}, ValueError, "X_test and y_test"),
    ({"X_test": X[:, :1], "y_test": Y}, ValueError, "X_test rows must be laid out like the rows of X"),
    ({"scoring": "accuracyy"}, ValueError, "scoring"),
    ({"scoring": 3}, TypeError, "scoring"),
    ({"random_state": -1}, ValueError, "random_state"),
    ({"random_state": "seed"}, TypeError, "random_state"),
]


@pytest.mark.parametrize("overrides, error, message", BAD_RUNS)
def test_bad_run_arguments_fail_before_any_fit(overrides, error, message):
    arguments = {"X": X, "oracle": Y, "estimator": MustNotFit(), "strategy": "margin", "n_init": 4, **overrides}
    X_before = arguments["X"].copy()
    with pytest.raises(error, match=message):
        al.trace(**arguments)
    assert np.array_equal(arguments["X"], X_before, equal_nan=arguments["X"].dtype.kind == "f")


def test_random_strategy_accepts_a_regressor():
    final = al.run(X, X[:, 0] * 2.0, LinearRegression(), "random", n_init=5, batch_size=5, budget=15)
    assert final.n_labeled == 15 and "train_score" in final.history[-1].scores


def test_select_needs_a_fitted_model_and_the_same_pool():
    state = al.init_step(X, Y, 4, 0)
    with pytest.raises(ValueError, match="needs a fitted model"):
        al.select(state, X, "margin", 2)
    with pytest.raises(ValueError, match="pool of 30 rows"):
        al.select(state, X[:10], "random", 2)
    with pytest.raises(ValueError, match="batch_size"):
        al.select(state, X, "random", 0)
    with pytest.raises(ValueError, match="chunk_size"):
        al.select(state, X, "random", 2, chunk_size=0)


def test_select_on_an_exhausted_pool_says_so():
    state = al.init_step(X, Y, 30, 0)
    with pytest.raises(ValueError, match="unlabeled pool is empty"):
        al.select(state, X, "random", 1)


def test_nan_utilities_are_reported_with_the_strategy_name():
    def broken(model, rows, context):
        return np.full(rows.shape[0], np.nan)

    state = al.init_step(X, Y, 4, 0)
    with pytest.raises(ValueError, match="'broken' returned NaN"):
        al.select(state, X, broken, 2)


def test_wrong_number_of_utilities_is_reported():
    state = al.init_step(X, Y, 4, 0)
    with pytest.raises(ValueError, match="shape"):
        al.select(state, X, lambda model, rows, context: np.zeros(3), 2)
