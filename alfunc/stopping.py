"""Stopping criteria: predicates over an ``ALState``, composable with ``&`` and ``|``.

Pass one to ``run(..., stop=...)``: the run ends at the first fitted state for
which it is true. Each criterion is a small frozen object, so it is pure data:
calling it twice on the same state gives the same answer.

Criteria that compare successive models (``StablePredictions``,
``ClassificationChange``) need the previous models, but a state holds only the
latest one. They use the models kept in the history when the run keeps them
(``keep_models=True``, no refit); otherwise they rebuild each earlier model
by refitting a clone of ``state.model`` on the labeled prefix it was fitted on
(the history records its size), exactly as ``fit_step`` did. That is a pure
function of the state and ``X``, costs one fit per earlier model per check, and
reproduces the past model when the estimator is deterministic (a fixed
``random_state``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import Any

import attrs
import numpy as np
from sklearn.base import clone
from sklearn.metrics import cohen_kappa_score

from alfunc.core.context import Context
from alfunc.core.rng import step_generator
from alfunc.core.rows import OBJECT_CHUNK_ROWS, row_blocks, take_rows
from alfunc.core.state import ALState
from alfunc.strategies import entropy
from alfunc.strategies.pooled import candidate_utilities

Predicate = Callable[[ALState], bool]


def _predicate_tuple(predicates: Iterable[Predicate]) -> tuple[Predicate, ...]:
    return tuple(predicates)


class Criterion:
    """Base of the stopping criteria: ``a & b`` stops when both do, ``a | b`` when either does.

    Examples
    --------
    The built-in criteria compose with ``&`` and ``|``; pass the result as ``stop``:

    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import Budget, Criterion, MaxIter
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, stop=Budget(14) | MaxIter(5))
    >>> final.iteration, final.n_labeled
    (2, 14)

    A subclass only defines ``__call__`` and composes the same way:

    >>> class EveryClassLabeled(Criterion):
    ...     def __call__(self, state):
    ...         return np.unique(state.labels).size == np.unique(y).size
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=2, batch_size=1, stop=EveryClassLabeled())
    >>> final.iteration, final.labels.tolist()
    (3, [2, 0, 0, 0, 1])
    >>> type(EveryClassLabeled() & MaxIter(3)).__name__
    'AllOf'
    """

    def __call__(self, state: ALState) -> bool:
        raise NotImplementedError

    def __and__(self, other: Predicate) -> Criterion:
        return AllOf((self, other)) if callable(other) else NotImplemented

    def __rand__(self, other: Predicate) -> Criterion:
        return AllOf((other, self)) if callable(other) else NotImplemented

    def __or__(self, other: Predicate) -> Criterion:
        return AnyOf((self, other)) if callable(other) else NotImplemented

    def __ror__(self, other: Predicate) -> Criterion:
        return AnyOf((other, self)) if callable(other) else NotImplemented


@attrs.frozen
class AllOf(Criterion):
    """True when every predicate is true (evaluated left to right, stopping at the first false).

    Parameters
    ----------
    predicates : iterable of callable
        Stopping rules ``state -> bool`` (criteria or plain functions).

    Examples
    --------
    ``a & b`` builds one:

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import AllOf, Budget, MaxIter
    >>> X, y = load_iris(return_X_y=True)
    >>> rule = Budget(10) & MaxIter(3)
    >>> rule == AllOf([Budget(10), MaxIter(3)])
    True
    >>> states = al.trace(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=4)
    >>> [rule(state) for state in states]
    [False, False, False, True, True]
    >>> al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, stop=rule).iteration
    3
    """

    predicates: tuple[Predicate, ...] = attrs.field(converter=_predicate_tuple)

    def __call__(self, state: ALState) -> bool:
        return all(predicate(state) for predicate in self.predicates)


@attrs.frozen
class AnyOf(Criterion):
    """True when at least one predicate is true (evaluated left to right).

    Parameters
    ----------
    predicates : iterable of callable
        Stopping rules ``state -> bool`` (criteria or plain functions).

    Examples
    --------
    ``a | b`` builds one; a plain function ``state -> bool`` composes too:

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import AnyOf, Budget, MaxIter
    >>> X, y = load_iris(return_X_y=True)
    >>> rule = Budget(10) | MaxIter(3)
    >>> rule == AnyOf([Budget(10), MaxIter(3)])
    True
    >>> states = al.trace(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=4)
    >>> [rule(state) for state in states]
    [False, True, True, True, True]
    >>> def twenty_labels(state):
    ...     return state.n_labeled >= 20
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, stop=twenty_labels | MaxIter(10))
    >>> final.iteration, final.n_labeled
    (4, 22)
    """

    predicates: tuple[Predicate, ...] = attrs.field(converter=_predicate_tuple)

    def __call__(self, state: ALState) -> bool:
        return any(predicate(state) for predicate in self.predicates)


def _count(minimum: int) -> Callable[[Any, attrs.Attribute, Any], None]:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
            raise ValueError(f"{attribute.name} must be an int >= {minimum}, got {value!r}")

    return check


def _fraction(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    # typeshed's numbers.Real declares no __ge__, so mypy rejects ``float <= Real``, which Python allows.
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not -1.0 <= value <= 1.0:  # type: ignore[operator]
        raise ValueError(f"{attribute.name} must be a number in [-1, 1], got {value!r}")


@attrs.frozen
class Budget(Criterion):
    """True once ``n_labeled`` points are labeled (initial set included).

    Parameters
    ----------
    n_labeled : int
        The number of labeled points (initial set included) at which to stop.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import Budget
    >>> X, y = load_iris(return_X_y=True)
    >>> states = al.trace(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> [(state.n_labeled, Budget(14)(state)) for state in states]
    [(6, False), (10, False), (14, True), (18, True)]
    >>> al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, stop=Budget(14)).n_labeled
    14
    >>> Budget(0)
    Traceback (most recent call last):
    ...
    ValueError: n_labeled must be an int >= 1, got 0
    """

    n_labeled: int = attrs.field(validator=_count(1))

    def __call__(self, state: ALState) -> bool:
        return state.n_labeled >= self.n_labeled


@attrs.frozen
class MaxIter(Criterion):
    """True after ``n_iter`` query rounds.

    Parameters
    ----------
    n_iter : int
        The number of query rounds after which to stop.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import MaxIter
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, stop=MaxIter(2))
    >>> final.iteration, len(final.history)  # the initial fit, then two query rounds
    (2, 3)
    >>> MaxIter(-1)
    Traceback (most recent call last):
    ...
    ValueError: n_iter must be an int >= 0, got -1
    """

    n_iter: int = attrs.field(validator=_count(0))

    def __call__(self, state: ALState) -> bool:
        return state.iteration >= self.n_iter


@attrs.frozen
class Plateau(Criterion):
    """True when the recorded ``score`` has not beaten its earlier best by more than ``min_delta`` for ``patience`` fits.

    Scores are read from the records (``test_score`` needs ``X_test``/``y_test``
    in the run); greater is better, as for every scikit-learn scorer.

    Parameters
    ----------
    score : str, default="test_score"
        The record score to watch (``test_score``, ``train_score``, ``test_<name>``, ...).
    patience : int, default=3
        Fits without an improvement before stopping.
    min_delta : float, default=0.0
        The smallest rise over the earlier best that counts as an improvement.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import Plateau
    >>> X, y = load_iris(return_X_y=True)
    >>> X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=50, random_state=0)
    >>> final = al.run(
    ...     X_pool, y_pool, GaussianNB(), "margin", n_init=6, batch_size=4,
    ...     X_test=X_test, y_test=y_test, stop=Plateau(patience=2),
    ... )

    The best test score (0.94, third fit) was not beaten by the two fits after it:

    >>> final.iteration, [round(record.scores["test_score"], 2) for record in final.history]
    (4, [0.7, 0.84, 0.94, 0.92, 0.94])

    Without a test set there is no ``test_score`` to watch:

    >>> al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, stop=Plateau(patience=2))
    Traceback (most recent call last):
    ...
    ValueError: Plateau: records have no score 'test_score' (recorded: ['train_score']); pass X_test/y_test or choose one of those
    """

    score: str = "test_score"
    patience: int = attrs.field(default=3, validator=_count(1))
    min_delta: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))

    def __call__(self, state: ALState) -> bool:
        if len(state.history) <= self.patience:
            return False
        missing = [r.iteration for r in state.history if self.score not in r.scores]
        if missing:
            known = sorted(state.history[-1].scores)
            raise ValueError(
                f"Plateau: records have no score {self.score!r} (recorded: {known}); pass X_test/y_test or choose one of those"
            )
        scores = [r.scores[self.score] for r in state.history]
        return max(scores[-self.patience :]) <= max(scores[: -self.patience]) + self.min_delta


@attrs.frozen
class StablePredictions(Criterion):
    """Stabilising predictions (Bloodgood & Vijay-Shanker 2009).

    True when Cohen's kappa between the predictions of successive models on a
    stop set, averaged over the last ``window`` pairs, reaches ``threshold``.
    The stop set is ``stop_set`` rows of the pool ``X`` drawn with the run's
    seed (or the given pool indices); it needs no labels. Earlier models come
    from the history or are refitted (see the module docstring).

    Parameters
    ----------
    X : array-like, sparse matrix, DataFrame or list
        The pool the stop set is taken from.
    threshold : float, default=0.99
        The mean kappa at which to stop.
    window : int, default=3
        Number of successive model pairs averaged.
    stop_set : int or array-like of int, default=2000
        A number of pool rows drawn with the run's seed, or the pool indices to use.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import StablePredictions
    >>> X, y = load_iris(return_X_y=True)
    >>> rule = StablePredictions(X, threshold=0.9, window=2, stop_set=50)
    >>> states = al.trace(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=4)
    >>> [rule(state) for state in states]  # needs window + 1 = 3 models to compare
    [False, False, True, False, False]

    The first three models predict the stop set alike; the fourth changes its
    mind, so the rule (which looks at the last ``window`` pairs only) is true
    at iteration 2 alone, and a run with it stops there:

    >>> al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, stop=rule).iteration
    2
    >>> StablePredictions(X, threshold=1.5)
    Traceback (most recent call last):
    ...
    ValueError: threshold must be a number in [-1, 1], got 1.5
    """

    X: Any = attrs.field(eq=False, repr=False)
    threshold: float = attrs.field(default=0.99, validator=_fraction)
    window: int = attrs.field(default=3, validator=_count(1))
    stop_set: Any = attrs.field(default=2000, eq=False)

    def __call__(self, state: ALState) -> bool:
        if len(state.history) <= self.window:
            return False
        rows = take_rows(self.X, stop_indices(state, self.stop_set))
        predictions = [model_at(state, self.X, back).predict(rows) for back in range(self.window + 1)]
        kappas = [agreement(newer, older) for newer, older in pairwise(predictions)]
        return float(np.mean(kappas)) >= self.threshold


@attrs.frozen
class MaxUncertainty(Criterion):
    """True when no unlabeled point has ``uncertainty`` above ``threshold`` (Zhu et al. 2008, max-confidence).

    ``uncertainty`` is a utility strategy (default: entropy in nats), scored over
    the unlabeled pool of ``X`` in chunks; an empty pool counts as certain.

    Parameters
    ----------
    X : array-like, sparse matrix, DataFrame or list
        The pool.
    threshold : float, default=0.001
        Stop when no unlabeled point's uncertainty exceeds it.
    uncertainty : callable, default=entropy
        A utility strategy measuring uncertainty.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import MaxUncertainty
    >>> X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    >>> rule = MaxUncertainty(X, threshold=0.1)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=4, batch_size=4, stop=rule)
    >>> final.iteration, final.n_labeled, final.n_unlabeled
    (9, 40, 20)
    >>> rule(final), rule(al.fit_step(al.init_step(X, y, n_init=4), X, GaussianNB()))
    (True, False)
    """

    X: Any = attrs.field(eq=False, repr=False)
    threshold: float = attrs.field(default=1e-3, validator=attrs.validators.ge(0.0))
    uncertainty: Callable = entropy

    def __call__(self, state: ALState) -> bool:
        unlabeled = state.unlabeled()
        if unlabeled.size == 0:
            return True
        context = Context(state, self.X, unlabeled, state.iteration)
        return float(candidate_utilities(self.uncertainty, state.model, self.X, context).max()) <= self.threshold


@attrs.frozen
class ClassificationChange(Criterion):
    """True when no point unlabeled now changed its predicted label since the previous model (Zhu et al. 2008).

    Parameters
    ----------
    X : array-like, sparse matrix, DataFrame or list
        The pool whose unlabeled points' predictions are compared.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import ClassificationChange, MaxIter
    >>> X, y = load_iris(return_X_y=True)
    >>> rule = ClassificationChange(X)
    >>> states = al.trace(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=7)
    >>> [rule(state) for state in states]
    [False, False, False, False, False, False, True, True]
    >>> al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, stop=rule | MaxIter(20)).iteration
    6
    """

    X: Any = attrs.field(eq=False, repr=False)

    def __call__(self, state: ALState) -> bool:
        if len(state.history) < 2:
            return False
        previous = model_at(state, self.X, 1)
        unlabeled = state.unlabeled()
        for start, stop in row_blocks(unlabeled.size, OBJECT_CHUNK_ROWS):
            rows = take_rows(self.X, unlabeled[start:stop])
            if not np.array_equal(state.model.predict(rows), previous.predict(rows)):
                return False
        return True


def model_at(state: ALState, X: Any, back: int) -> Any:
    """The model fitted ``back`` records before the latest one: kept in the history, or refitted.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.stopping import model_at
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> model_at(final, X, 0) is final.model
    True

    One record back is a refit on the 14 points labeled then (GaussianNB
    counts its training rows):

    >>> previous = model_at(final, X, 1)
    >>> int(previous.class_count_.sum()), final.history[-2].n_labeled
    (14, 14)

    With ``keep_models=True`` the kept model is returned, with no refit:

    >>> kept = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3, keep_models=True)
    >>> model_at(kept, X, 1) is kept.history[-2].model
    True
    """
    if back == 0:
        return state.model
    record = state.history[-1 - back]
    if record.model is not None:
        return record.model
    return clone(state.model).fit(*state.training_set(X, record.n_labeled))


def stop_indices(state: ALState, stop_set: Any) -> np.ndarray:
    """Pool indices of the stop set: a count drawn with the run's seed, or the given indices.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> import alfunc as al
    >>> from alfunc.stopping import stop_indices
    >>> X, y = load_iris(return_X_y=True)
    >>> state = al.init_step(X, y, n_init=6, random_state=0)
    >>> drawn = stop_indices(state, 5)
    >>> drawn.shape, bool((np.diff(drawn) > 0).all()), np.array_equal(drawn, stop_indices(state, 5))
    ((5,), True, True)
    >>> stop_indices(state, np.array([3, 1, 4])).tolist()
    [3, 1, 4]
    >>> stop_indices(state, np.array([0, 150]))
    Traceback (most recent call last):
    ...
    ValueError: stop_set must be a count or a non-empty 1-D array of pool indices below 150
    """
    if isinstance(stop_set, numbers.Integral) and not isinstance(stop_set, bool):
        if stop_set < 1:
            raise ValueError(f"stop_set must be a count >= 1 or pool indices, got {stop_set}")
        size = min(int(stop_set), state.n_pool)
        return np.sort(step_generator(state.seed, 0, "stop-set").choice(state.n_pool, size, replace=False))
    indices = np.asarray(stop_set)
    if (
        indices.ndim != 1
        or indices.size == 0
        or indices.dtype.kind not in "iu"
        or not (0 <= indices).all()
        or not (indices < state.n_pool).all()
    ):
        raise ValueError(f"stop_set must be a count or a non-empty 1-D array of pool indices below {state.n_pool}")
    return indices


def agreement(first: np.ndarray, second: np.ndarray) -> float:
    """Cohen's kappa between two label vectors; 1 when they are identical (even if constant).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.stopping import agreement
    >>> round(agreement(np.array([0, 1, 1, 0, 1, 0]), np.array([0, 1, 0, 0, 1, 0])), 3)
    0.667
    >>> agreement(np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]))
    -1.0

    Identical constant predictions agree fully (scikit-learn's kappa is NaN there):

    >>> agreement(np.array([1, 1, 1]), np.array([1, 1, 1]))
    1.0
    """
    if np.array_equal(first, second):
        return 1.0
    kappa = cohen_kappa_score(first, second)
    return 0.0 if math.isnan(kappa) else float(kappa)
