"""Hypothesis strategies for pools, states and histories that shrink to small, readable examples.

* ``pools()`` draws a ``Pool`` (``X, y = pool``): a few rows and features,
  labels from one to a few classes (or real targets), with duplicate rows and
  tied features when asked. Shrinking goes towards fewer rows, zeros, one class.
* ``states(pool)`` draws a valid ``ALState`` over a pool, built only with the
  public steps (``init_step``, ``teach``, ``fit_step``), at any iteration, with
  or without a fitted model.
* ``histories(pool)`` draws the ``History`` of such a state.

Example::

    from hypothesis import given
    from alfunc.testing import pools, states

    @given(pools(max_rows=12).flatmap(lambda pool: states(pool, fitted=True)))
    def test_my_invariant(state): ...
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import UndefinedMetricWarning

from alfunc.core.state import ALState, History
from alfunc.engine.steps import fit_step, init_step, teach
from alfunc.testing.estimators import fitting_estimator

TASKS = ("classification", "regression")


@attrs.frozen(eq=False)
class Pool:
    """A generated pool: features ``X`` (n_rows, n_features) and targets ``y``; unpacks as ``X, y``."""

    X: np.ndarray
    y: np.ndarray

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.X, self.y))

    def __len__(self) -> int:
        return 2

    def __repr__(self) -> str:
        return f"Pool(X={self.X.tolist()}, y={self.y.tolist()})"


def pools(
    min_rows: int = 2,
    max_rows: int = 20,
    max_features: int = 3,
    min_classes: int = 1,
    max_classes: int = 3,
    *,
    task: str = "classification",
    duplicate_rows: bool = True,
    ties: bool | None = None,
    imbalanced: bool = True,
) -> st.SearchStrategy[Pool]:
    """A strategy for small pools (arguments are checked at once).

    ``task`` is ``"classification"`` (integer labels ``0..k-1`` with ``k`` in
    ``[min_classes, max_classes]``) or ``"regression"`` (float targets).
    ``duplicate_rows`` copies some rows onto others (False prepends a column
    0, 1, 2, ... so that no two rows are equal); ``ties`` draws features from
    the grid {-1, 0, 1}, so equal rows and equal utilities are common (None:
    either); ``imbalanced`` lets labels fall anywhere, down to a single class
    (False deals the classes out in turn).
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if not 1 <= min_rows <= max_rows:
        raise ValueError(f"need 1 <= min_rows <= max_rows, got {min_rows} and {max_rows}")
    if not 1 <= min_classes <= max_classes:
        raise ValueError(f"need 1 <= min_classes <= max_classes, got {min_classes} and {max_classes}")
    if max_features < 1:
        raise ValueError(f"max_features must be at least 1, got {max_features}")
    return _pools(min_rows, max_rows, max_features, min_classes, max_classes, task, duplicate_rows, ties, imbalanced)


@st.composite
def _pools(
    draw: st.DrawFn,
    min_rows: int,
    max_rows: int,
    max_features: int,
    min_classes: int,
    max_classes: int,
    task: str,
    duplicate_rows: bool,
    ties: bool | None,
    imbalanced: bool,
) -> Pool:
    n = draw(st.integers(min_rows, max_rows))
    n_features = draw(st.integers(1, max_features))
    on_grid = draw(st.booleans()) if ties is None else ties
    values = st.sampled_from([0.0, 1.0, -1.0]) if on_grid else st.floats(-10, 10, allow_nan=False, width=32)
    X = draw(arrays(np.float64, (n, n_features), elements=values))
    if duplicate_rows:
        for target, source in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n)):
            X[target] = X[source]
    else:
        X = np.column_stack([np.arange(n, dtype=np.float64), X])
    return Pool(X, draw(_targets(n, task, min_classes, max_classes, imbalanced)))


@st.composite
def _targets(draw: st.DrawFn, n: int, task: str, min_classes: int, max_classes: int, imbalanced: bool) -> np.ndarray:
    if task == "regression":
        return draw(arrays(np.float64, n, elements=st.floats(-10, 10, allow_nan=False, width=32)))
    k = draw(st.integers(min_classes, max_classes))
    if imbalanced:
        return draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    order = draw(st.permutations(range(n)))
    return np.asarray(order, dtype=np.int64) % k


@st.composite
def states(
    draw: st.DrawFn,
    pool: Any = None,
    *,
    estimator: Any = None,
    fitted: bool | None = None,
    min_unlabeled: int = 0,
    max_rounds: int = 3,
) -> ALState:
    """A valid ``ALState`` over ``pool`` (a ``Pool``, an ``(X, y)`` pair, a strategy of pools, or None for ``pools()``).

    Built as a run would build it: ``init_step`` with a drawn seed and initial
    size, then up to ``max_rounds`` rounds of ``fit_step`` and ``teach`` of
    drawn unlabeled points (labels from ``y``). ``fitted=True`` ends on a fit
    (a model, no pending points), ``False`` on a teach (pending points; no model
    if it is the initial set), ``None`` either. At least ``min_unlabeled``
    points stay unlabeled. ``estimator`` defaults to ``fitting_estimator(y)``;
    states it cannot fit (it raises ``ValueError``, as many classifiers do on a
    single class) are rejected, not failed.
    """
    if pool is None or isinstance(pool, st.SearchStrategy):
        pool = draw(pools(min_rows=max(2, min_unlabeled + 1)) if pool is None else pool)
    X, y = pool
    n = len(y)
    if not 0 <= min_unlabeled < n:
        raise ValueError(f"min_unlabeled must be in [0, {n - 1}] for a pool of {n} rows, got {min_unlabeled}")
    estimator = fitting_estimator(y) if estimator is None else estimator
    seed = draw(st.integers(0, 2**32 - 1))
    state = init_step(X, y, draw(st.integers(1, n - min_unlabeled)), seed)
    order = draw(st.permutations(state.unlabeled().tolist()))
    room = n - min_unlabeled - state.n_labeled
    sizes = draw(st.lists(st.integers(1, max(1, room)), max_size=max_rounds if room else 0))
    for size in sizes:
        chosen = np.asarray(order[: min(size, room)], dtype=np.int64)
        if chosen.size == 0:
            break
        order, room = order[chosen.size :], room - chosen.size
        state = teach(fitted_state(state, X, estimator), chosen, y[chosen], strategy="drawn")
    end_fitted = draw(st.booleans()) if fitted is None else fitted
    return fitted_state(state, X, estimator) if end_fitted else state


def fitted_state(state: ALState, X: Any, estimator: Any) -> ALState:
    """``fit_step``, rejecting the example when the estimator cannot fit this labeled set (one class, say)."""
    fitted = fit_if_possible(state, X, estimator)
    if fitted is None:
        reject()
    return fitted


def fit_if_possible(state: ALState, X: Any, estimator: Any) -> ALState | None:
    """``fit_step``, or None when the estimator refuses this labeled set with a ``ValueError``."""
    try:
        with warnings.catch_warnings():  # R^2 of a single labeled point is undefined, and that is fine here
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            return fit_step(state, X, estimator)
    except ValueError:
        return None


def histories(pool: Any = None, **kwargs: Any) -> st.SearchStrategy[History]:
    """The ``History`` of a fitted state drawn by ``states(pool, fitted=True, **kwargs)``."""
    return states(pool, fitted=True, **kwargs).map(lambda state: state.history)
