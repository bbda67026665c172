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
    """A generated pool: features ``X`` (n_rows, n_features) and targets ``y``; unpacks as ``X, y``.

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_features)
        The features.
    y : ndarray of shape (n_rows,)
        The targets.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.testing import Pool
    >>> pool = Pool(np.array([[0.0], [1.0], [2.0]]), np.array([0, 1, 1]))
    >>> X, y = pool
    >>> X.shape, y.tolist()
    ((3, 1), [0, 1, 1])
    >>> pool  # how hypothesis shows a failing example: plain lists
    Pool(X=[[0.0], [1.0], [2.0]], y=[0, 1, 1])
    """

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

    Parameters
    ----------
    min_rows : int, default=2
        Fewest rows.
    max_rows : int, default=20
        Most rows.
    max_features : int, default=3
        Most feature columns.
    min_classes : int, default=1
        Fewest classes (classification).
    max_classes : int, default=3
        Most classes (classification).
    task : {"classification", "regression"}, default="classification"
        Integer class labels or float targets.
    duplicate_rows : bool, default=True
        Copy some rows onto others.
    ties : bool or None, default=None
        Draw features from {-1, 0, 1} (``None``: either way).
    imbalanced : bool, default=True
        Let labels fall anywhere, down to a single class.

    Returns
    -------
    hypothesis SearchStrategy of Pool

    Examples
    --------
    A property test over small two-class pools:

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from alfunc.testing import pools
    >>> sizes = []
    >>> @settings(max_examples=15, database=None, derandomize=True)
    ... @given(pools(max_rows=6, max_classes=2, duplicate_rows=False))
    ... def test_rows_are_distinct(pool):
    ...     X, y = pool
    ...     sizes.append(len(y))
    ...     assert len(np.unique(X, axis=0)) == len(X) and set(y.tolist()) <= {0, 1}
    >>> test_rows_are_distinct()
    >>> len(sizes) > 0, 2 <= min(sizes) <= max(sizes) <= 6
    (True, True)

    The arguments are checked when the strategy is made, not when it draws:

    >>> pools(min_rows=5, max_rows=3)
    Traceback (most recent call last):
    ...
    ValueError: need 1 <= min_rows <= max_rows, got 5 and 3
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

    Parameters
    ----------
    pool : Pool, tuple, SearchStrategy or None, default=None
        The pool, an ``(X, y)`` pair, a strategy of pools, or ``None`` for ``pools()``.
    estimator : estimator, default=None
        What states are fitted with (``None``: ``fitting_estimator(y)``).
    fitted : bool or None, default=None
        End on a fit (``True``), on a teach (``False``) or either (``None``).
    min_unlabeled : int, default=0
        Fewest points left unlabeled.
    max_rounds : int, default=3
        Most rounds of fit and teach after the initial set.

    Returns
    -------
    hypothesis SearchStrategy of ALState

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from alfunc.testing import pools, states
    >>> seen = []
    >>> @settings(max_examples=15, database=None, derandomize=True)
    ... @given(states(pools(max_rows=8), fitted=True, min_unlabeled=1))
    ... def test_fitted_states(state):
    ...     seen.append(state.iteration)
    ...     assert state.model is not None and state.pending is None
    ...     assert state.n_labeled + state.n_unlabeled == state.n_pool and state.n_unlabeled >= 1
    >>> test_fitted_states()
    >>> len(seen) > 0, all(0 <= iteration <= 3 for iteration in seen)  # up to max_rounds=3 query rounds
    (True, True)
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
    """``fit_step``, rejecting the example when the estimator cannot fit this labeled set (one class, say).

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.testing import CentroidClassifier
    >>> from alfunc.testing.data import fitted_state
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 1, 0, 1, 0, 1])
    >>> state = fitted_state(al.init_step(X, y, 2, random_state=0), X, CentroidClassifier())
    >>> state.model is not None, state.n_labeled, len(state.history)
    (True, 2, 1)

    Inside a hypothesis test, a labeled set the estimator refuses skips the
    example instead of failing the test:

    >>> from hypothesis import given, settings, strategies as st
    >>> from sklearn.linear_model import LogisticRegression
    >>> n_labeled = []
    >>> @settings(max_examples=6, database=None, derandomize=True)
    ... @given(st.integers(1, 5))
    ... def test_first_fit(n_init):
    ...     state = fitted_state(al.init_step(X, y, n_init, random_state=0), X, LogisticRegression())
    ...     n_labeled.append(state.n_labeled)
    >>> test_first_fit()
    >>> min(n_labeled) > 1  # one labeled point is one class: rejected, never counted
    True
    """
    fitted = fit_if_possible(state, X, estimator)
    if fitted is None:
        reject()
    return fitted


def fit_if_possible(state: ALState, X: Any, estimator: Any) -> ALState | None:
    """``fit_step``, or None when the estimator refuses this labeled set with a ``ValueError``.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.testing import CentroidClassifier
    >>> from alfunc.testing.data import fit_if_possible
    >>> X = np.arange(6.0).reshape(-1, 1)
    >>> one_class = al.init_step(X, np.zeros(6, dtype=int), 3, random_state=0)
    >>> fit_if_possible(one_class, X, LogisticRegression()) is None  # needs two classes
    True
    >>> fit_if_possible(one_class, X, CentroidClassifier()).model.classes_.tolist()
    [0]
    """
    try:
        with warnings.catch_warnings():  # R^2 of a single labeled point is undefined, and that is fine here
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            return fit_step(state, X, estimator)
    except ValueError:
        return None


def histories(pool: Any = None, **kwargs: Any) -> st.SearchStrategy[History]:
    """The ``History`` of a fitted state drawn by ``states(pool, fitted=True, **kwargs)``.

    Parameters
    ----------
    pool : Pool, tuple, SearchStrategy or None, default=None
        As for ``states``.
    **kwargs
        Further arguments of ``states`` (``fitted`` is always ``True``).

    Returns
    -------
    hypothesis SearchStrategy of History

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from hypothesis import given, settings
    >>> import alfunc as al
    >>> from alfunc.testing import histories, pools
    >>> folder = Path(tempfile.mkdtemp())
    >>> lengths = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(histories(pools(max_rows=6)))
    ... def test_save_load_round_trip(history):
    ...     lengths.append(len(history))
    ...     al.save_history(history, folder / "run.json")
    ...     assert al.load_history(folder / "run.json").records == history.records
    >>> test_save_load_round_trip()
    >>> len(lengths) > 0, min(lengths) >= 1  # a fitted state's history: the initial fit, then one record per round
    (True, True)
    """
    return states(pool, fitted=True, **kwargs).map(lambda state: state.history)
