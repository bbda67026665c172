"""``check_loop``: the contract of a user-composed step function ``state -> state``.

A step is one AL iteration as the user composes it (typically
``fit_step(query_step(state, X, y, ...), X, model)``) and closes over the pool.
The properties, in the order they are checked on each generated state:

``runs``
    The step returns an ``ALState`` for every valid state with an unlabeled point left.
``pure``
    The input state (labels, history, model), ``X`` and ``y`` are unchanged;
    the step returns a new state rather than editing the old one.
``deterministic``
    Two calls on the same state give equal states, even with numpy's and
    Python's global generators reseeded differently in between.
``partition``
    Every labeled index is a pool index, labeled once, over the same pool size.
``growth``
    The step labels at least one new point and keeps what was there: the old
    labeled indices, labels and history records are a prefix of the new ones,
    and the new points carry their labels from ``y``.
``replayable``
    The history accounts for every labeled point, in order: the records'
    queried indices (then any pending ones) concatenate to ``labeled``, each
    record's ``n_labeled`` is the running count and its utilities match its
    queries, so the run can be rebuilt from the history without querying.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from functools import partial
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np

from alfunc.core.rows import n_rows
from alfunc.core.state import ALState
from alfunc.core.validation import check_estimator, check_labels_for, check_pool
from alfunc.engine.steps import fit_step, init_step
from alfunc.testing.data import states
from alfunc.testing.estimators import fitting_estimator
from alfunc.testing.report import PropertyFailed, call, global_rng_seeded, search, shown

Step = Callable[[ALState], ALState]

DEFAULT_MAX_EXAMPLES = 20

LOOP_PROPERTIES = MappingProxyType(
    {
        "runs": "the step returns an ALState for every valid state",
        "pure": "the step leaves the input state, X and y unchanged",
        "deterministic": "the same state gives an equal next state, whatever the global random state",
        "partition": "labeled indices are distinct pool indices",
        "growth": "the step adds labeled points and keeps the old ones, their labels and records",
        "replayable": "the history accounts for every labeled point, in order",
    }
)


@attrs.frozen(eq=False)
class LoopExample:
    """A state to step from (over the pool given to ``check_loop``).

    Examples
    --------
    What a failure shows as its example:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.testing import CentroidClassifier
    >>> from alfunc.testing.loop_check import LoopExample
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 1, 0, 1, 0, 1])
    >>> state = al.fit_step(al.init_step(X, y, 5, random_state=0), X, CentroidClassifier())
    >>> print(LoopExample(state, "one unlabeled point left"))
    edge case: one unlabeled point left
    state over a pool of 6 rows: labeled = [2, 3, 0, 5, 1] (acquisition order), labels = [0, 1, 0, 1, 1],
    iteration = 0, seed = 0, records = 1
    """

    state: ALState
    edge: str = ""

    def __str__(self) -> str:
        state = self.state
        return "\n".join(
            ([f"edge case: {self.edge}"] if self.edge else [])
            + [
                f"state over a pool of {state.n_pool} rows: labeled = {state.labeled.tolist()} (acquisition order), "
                f"labels = {state.labels.tolist()}, iteration = {state.iteration}, seed = {state.seed}, "
                f"records = {len(state.history)}"
            ]
        )


def check_loop(step: Step, X: Any, y: Any, *, estimator: Any = None, max_examples: int = DEFAULT_MAX_EXAMPLES) -> None:
    """Check a step function ``state -> state`` over the pool ``(X, y)`` it closes over.

    States are drawn with ``alfunc.testing.states`` on that pool (fitted with
    ``estimator``, by default a ``CentroidClassifier``, or ridge for real
    targets), each with at least one unlabeled point, plus the edge with
    exactly one left. Raises ``PropertyFailed`` (an ``AssertionError``) naming
    the first broken property of ``LOOP_PROPERTIES`` with the shrunk state.

    Parameters
    ----------
    step : callable
        The step function ``state -> state`` to check.
    X : array-like
        The pool the step closes over.
    y : array-like
        Its labels (or real targets).
    estimator : estimator, default=None
        What states are fitted with (``None``: a ``CentroidClassifier``, or ridge for real targets).
    max_examples : int, default=20
        Generated states to check.

    Raises
    ------
    PropertyFailed
        Naming the first broken property of ``LOOP_PROPERTIES``, with the shrunk state.

    Examples
    --------
    The README's loop, one margin query of three points then a refit, holds
    every property (the check returns None):

    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from alfunc.testing import LOOP_PROPERTIES, CentroidClassifier, check_loop
    >>> X, y = make_classification(n_samples=30, n_features=4, random_state=0)
    >>> def step(state):
    ...     queried = al.query_step(state, X, y, strategy="margin", batch_size=3)
    ...     return al.fit_step(queried, X, CentroidClassifier())
    >>> check_loop(step, X, y, max_examples=5)
    >>> list(LOOP_PROPERTIES)  # what was checked, in order
    ['runs', 'pure', 'deterministic', 'partition', 'growth', 'replayable']
    >>> check_loop(step, X[:1], y[:1])
    Traceback (most recent call last):
    ...
    ValueError: X must have at least two rows to leave one unlabeled, got 1
    """
    if not callable(step):
        raise TypeError(f"step must be a callable state -> state, got {type(step).__name__}")
    X = check_pool(X)
    y = check_labels_for(y, n_rows(X))
    if n_rows(X) < 2:
        raise ValueError(f"X must have at least two rows to leave one unlabeled, got {n_rows(X)}")
    estimator = fitting_estimator(y) if estimator is None else check_estimator(estimator)
    last_one = fit_step(init_step(X, y, n_rows(X) - 1, random_state=0), X, estimator)
    edges = [LoopExample(last_one, "one unlabeled point left")]
    examples = states((X, y), estimator=estimator, fitted=True, min_unlabeled=1).map(LoopExample)
    search(partial(_check_step, step, X, y), edges, examples, max_examples, LOOP_PROPERTIES)


def _check_step(step: Step, X: Any, y: np.ndarray, example: LoopExample) -> None:
    state = example.state
    X_before, y_before, state_before = X.copy(), y.copy(), pickle.dumps(state)
    new = call("the step", step, state)
    if not isinstance(new, ALState):
        raise PropertyFailed("runs", f"the step returned a {type(new).__name__}, not an ALState")
    if pickle.loads(state_before) != state or pickle.dumps(state) != state_before:
        raise PropertyFailed("pure", "the step changed the state it was given")
    if not (np.array_equal(X, X_before) and np.array_equal(y, y_before)):
        raise PropertyFailed("pure", "the step changed X or y")
    with global_rng_seeded(1):
        again = call("the step", step, state)
    if again != new:
        raise PropertyFailed(
            "deterministic",
            f"two steps from the same state labeled {shown(new.labeled[state.n_labeled :])} "
            f"then {shown(again.labeled[state.n_labeled :])}",
        )
    _check_partition(new, state.n_pool)
    _check_growth(state, new, y)
    _check_replayable(new)


def _check_partition(new: ALState, n_pool: int) -> None:
    if new.n_pool != n_pool:
        raise PropertyFailed("partition", f"the pool size changed from {n_pool} to {new.n_pool}")
    outside = new.labeled[(new.labeled < 0) | (new.labeled >= n_pool)]
    if outside.size:
        raise PropertyFailed("partition", f"labeled indices {shown(outside)} are not in the pool")
    if np.unique(new.labeled).size != new.n_labeled:
        raise PropertyFailed("partition", f"labeled = {shown(new.labeled, 20)} holds an index twice")


def _check_growth(old: ALState, new: ALState, y: np.ndarray) -> None:
    kept = new.labeled[: old.n_labeled]
    if new.n_labeled <= old.n_labeled:
        raise PropertyFailed("growth", f"the step went from {old.n_labeled} to {new.n_labeled} labeled points")
    if not (np.array_equal(kept, old.labeled) and np.array_equal(new.labels[: old.n_labeled], old.labels)):
        raise PropertyFailed(
            "growth", f"the labeled points {shown(old.labeled)} became {shown(kept)} (or their labels changed)"
        )
    added = new.labeled[old.n_labeled :]
    if not np.array_equal(new.labels[old.n_labeled :], y[added]):
        raise PropertyFailed(
            "growth",
            f"new points {shown(added)} got labels {shown(new.labels[old.n_labeled :])}, not {shown(y[added])}",
        )
    if tuple(new.history[: len(old.history)]) != tuple(old.history):
        raise PropertyFailed("growth", "the step rewrote records of the history it was given")


def _check_replayable(new: ALState) -> None:
    queried = [record.queried for record in new.history] + ([] if new.pending is None else [new.pending.indices])
    recorded = np.concatenate(queried) if queried else np.empty(0, dtype=np.int64)
    if not np.array_equal(recorded, new.labeled):
        raise PropertyFailed(
            "replayable", f"the records queried {shown(recorded, 20)} but the state labeled {shown(new.labeled, 20)}"
        )
    running = np.cumsum([record.queried.size for record in new.history])
    for record, count in zip(new.history, running, strict=True):
        if record.n_labeled != count or record.utilities.shape != record.queried.shape:
            raise PropertyFailed(
                "replayable",
                f"record of iteration {record.iteration} says n_labeled = {record.n_labeled} after {count} queried "
                f"points, with {record.utilities.size} utilities for {record.queried.size} queries",
            )
