"""``run`` and ``trace``: a whole AL run as a fold over ``fit_step ∘ query_step``.

``trace`` is ``toolz.accumulate`` over the query rounds (a lazy iterator of
every fitted state); ``run`` keeps its last state. Every argument is checked when
the function is called, before any model is fitted.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

import attrs
import toolz

from alfunc.core.facts import run_facts
from alfunc.core.oracle import as_oracle, check_label_array, known_labels
from alfunc.core.representation import check_representation, describe_representation
from alfunc.core.rng import root_entropy
from alfunc.core.rows import n_rows, row_ids
from alfunc.core.scoring import resolve_scorers
from alfunc.core.state import ALState
from alfunc.core.validation import (
    accepts_missing_values,
    check_estimator,
    check_pool,
    check_positive_int,
    check_test_set,
    resolve_count,
)
from alfunc.engine.capabilities import check_capabilities
from alfunc.engine.progress import check_callback, observed
from alfunc.engine.steps import fit_step, given_indices, given_labels, init_step, query_step
from alfunc.engine.threads import check_blas_threads, limited_steps, thread_limiter
from alfunc.engine.warm import warm_mode
from alfunc.strategies import (
    Strategy,
    check_model_kind,
    resolve_strategy,
)

StopRule = Callable[[ALState], bool]


def trace(
    X: Any,
    oracle: Any,
    estimator: Any,
    strategy: str | Strategy = "margin",
    n_init: int | float = 10,
    batch_size: int = 10,
    budget: int | None = None,
    max_iter: int | None = None,
    stop: StopRule | None = None,
    X_test: Any = None,
    y_test: Any = None,
    scoring: Any = None,
    random_state: Any = 0,
    *,
    chunk_size: int | None = None,
    representation: Any = None,
    initial: Any = None,
    labels: Any = None,
    ids: Any = None,
    keep_models: bool = False,
    fit: str = "cold",
    blas_threads: int | None = 1,
    start: ALState | None = None,
    progress: bool = False,
    callback: Callable[[ALState], Any] | None = None,
) -> Iterator[ALState]:
    """Every fitted state of an AL run, lazily: the initial fit, then one per query round.

    The run stops when ``budget`` points are labeled (initial set included; the
    last batch shrinks to hit it exactly; a callable oracle's initial set may
    grow past ``n_init`` to hold two classes, see ``init_step``), after ``max_iter`` query rounds, at
    the first state for which ``stop(state)`` is true (that state included), or
    when the pool is empty, whichever comes first. The run's parameters are
    recorded as plain data in ``history.info`` (see ``alfunc.core.facts``).

    ``start`` continues a run from one of its fitted states (for example one
    rebuilt by ``alfunc.replay``) instead of drawing an initial set: the first
    state yielded is ``start`` itself, later rounds use its seed, and
    ``random_state`` is ignored. Given the same arguments, the states that follow
    equal those of the uninterrupted run.

    ``representation`` is the geometry distance-based strategies measure in
    (see ``alfunc.core.representation``); it is recorded with the run.
    ``initial`` and ``labels`` start from points you already labeled instead
    of a random draw (see ``init_step``; ``n_init`` is then their number), and
    ``ids`` (one key per pool row; a DataFrame's index by default) are kept in
    every record so picks can be joined back to the source rows.

    ``fit="warm"`` starts each round's model from a copy of the previous
    one (``warm_start``, else ``partial_fit``: see ``alfunc.engine.warm``)
    instead of a fresh clone; it is recorded, so replay and resume continue
    the same way. ``"cold"`` (the default) fits a fresh clone every round.

    ``blas_threads`` limits the threads BLAS and OpenMP use while the run's
    own steps work (one by default, which on small fits and chunked queries is
    faster, and much faster on shared cores; ``None`` keeps the libraries'
    settings): see ``alfunc.engine.threads``.

    ``progress=True`` shows a bar of fits done (tqdm.auto) out of the most the
    run can take; when ``stop`` (or a grown initial set) ends it sooner, the
    bar's total drops to the fits done. ``callback(state)`` is called on
    every state as it is produced.

    An estimator whose ``random_state`` is left at ``None`` is seeded from the
    run's seed at every fit (see ``fit_step``), so the same ``random_state``
    gives the same run for random forests too.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000)
    >>> states = list(al.trace(X, y, model, "margin", n_init=10, batch_size=10, budget=35))
    >>> [state.n_labeled for state in states]  # the last batch shrinks to hit the budget
    [10, 20, 30, 35]
    >>> [state.iteration for state in states], len(states[-1].history)
    ([0, 1, 2, 3], 4)

    Every state partitions the pool into labeled and unlabeled points:

    >>> last = states[-1]
    >>> labeled, unlabeled = last.labeled, last.unlabeled()
    >>> labeled.size + unlabeled.size, np.intersect1d(labeled, unlabeled).size
    (150, 0)

    The states come lazily, one fit each, so nothing after the stopping point is
    computed; ``stop`` ends the run at the first state it accepts:

    >>> early = al.trace(X, y, model, "margin", n_init=10, stop=lambda state: state.iteration == 1)
    >>> [state.n_labeled for state in early]
    [10, 20]
    """
    X = check_pool(X, check_finite=not accepts_missing_values(estimator))
    n_pool = n_rows(X)
    ask = as_oracle(oracle, n_pool)
    y = known_labels(oracle)
    if y is not None:
        check_label_array(y)
    check_estimator(estimator)
    name, score = resolve_strategy(strategy)
    check_model_kind(name, score, estimator)
    check_capabilities(name, score, estimator)
    if initial is not None:
        n_init = given_indices(initial, n_pool).size
        if labels is not None:
            given_labels(labels, n_init)
    elif labels is not None:
        raise ValueError("labels are the labels of initial: pass initial=<their pool indices> too")
    if ids is not None:
        row_ids(X, [], ids)
    n_initial = resolve_count(n_init, n_pool, "n_init")
    batch_size = check_positive_int(batch_size, "batch_size")
    if chunk_size is not None:
        chunk_size = check_positive_int(chunk_size, "chunk_size")
    target = _target_size(budget, n_initial, n_pool)
    rounds = math.ceil((target - n_initial) / batch_size)
    if max_iter is not None:
        rounds = min(rounds, check_positive_int(max_iter, "max_iter", allow_zero=True))
    if stop is not None and not callable(stop):
        raise TypeError(f"stop must be a callable state -> bool, got {type(stop).__name__}")
    X_test, y_test = check_test_set(X_test, y_test, X)
    representation = check_representation(representation, X)
    resolve_scorers(estimator, scoring)
    warm = check_fit_mode(fit, estimator)
    limited = thread_limiter(check_blas_threads(blas_threads))
    seed = root_entropy(random_state)
    _check_start(start, n_pool)
    check_callback(callback)
    facts = run_facts(
        estimator,
        strategy,
        X_test,
        y_test,
        n_init=n_init,
        batch_size=batch_size,
        budget=budget,
        max_iter=max_iter,
        stop=stop,
        scoring=scoring,
        representation=describe_representation(representation),
        **({"fit": "warm"} if warm else {}),
    )

    fit_round = partial(
        fit_step,
        X=X,
        estimator=estimator,
        X_test=X_test,
        y_test=y_test,
        scoring=scoring,
        keep_model=keep_models,
        ids=ids,
        warm=warm,
    )

    def one_round(state: ALState, _: int) -> ALState:
        size = min(batch_size, target - state.n_labeled)
        return fit_round(
            query_step(state, X, ask, strategy, size, chunk_size=chunk_size, representation=representation)
        )

    def first_state() -> ALState:
        if start is not None:
            return attrs.evolve(start, history=start.history.with_info(facts))
        state = init_step(X, oracle, n_initial, seed, initial=initial, labels=labels)
        return fit_round(attrs.evolve(state, history=state.history.with_info(facts)))

    def states() -> Iterator[ALState]:
        first = first_state()
        # A callable oracle's initial set may have grown past n_init (to reach two classes): stop at the target.
        yield from until(
            lambda state: state.n_labeled >= target, toolz.accumulate(one_round, range(first.iteration, rounds), first)
        )

    stepped = limited_steps(states(), limited)
    fitted = stepped if stop is None else until(stop, stepped)
    total = rounds + 1 - (0 if start is None else min(start.iteration, rounds))
    return observed(fitted, total, progress=progress, callback=callback, description=name, unit="fit")


def run(*args: Any, **kwargs: Any) -> ALState:
    """The final state of an AL run; takes the same arguments as ``trace``.

    Examples
    --------
    A complete run: 10 random points, then 2 rounds of 10 points chosen by
    margin, each fit scored on a test set.

    >>> import toolz
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import train_test_split
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=50, random_state=0, stratify=y)
    >>> model = LogisticRegression(max_iter=1000)
    >>> final = al.run(X_pool, y_pool, model, "margin", n_init=10, batch_size=10, max_iter=2,
    ...                X_test=X_test, y_test=y_test, random_state=0)
    >>> final.n_labeled, final.n_unlabeled, final.iteration
    (30, 70, 2)
    >>> [(record.strategy, record.n_labeled) for record in final.history]
    [('initial', 10), ('margin', 20), ('margin', 30)]
    >>> sorted(final.history[-1].scores), final.history[-1].scores["test_score"] > 0.8
    (['test_score', 'train_score'], True)

    ``run`` is this very loop, folded over ``fit_step`` and ``query_step``:

    >>> def step(state, _):
    ...     return al.fit_step(al.query_step(state, X_pool, y_pool, "margin", 10), X_pool, model, X_test, y_test)
    >>> start = al.fit_step(al.init_step(X_pool, y_pool, n_init=10, random_state=0), X_pool, model, X_test, y_test)
    >>> toolz.reduce(step, range(2), start).history.records == final.history.records
    True
    """
    return toolz.last(trace(*args, **kwargs))


# Functions take a __signature__ for inspect.signature, but their type declares none: setattr, not B010's assignment.
setattr(run, "__signature__", inspect.signature(trace).replace(return_annotation=ALState))  # noqa: B010


def until(predicate: StopRule, states: Iterable[ALState]) -> Iterator[ALState]:
    """States up to and including the first one that satisfies ``predicate``.

    Lazy, so it stops a run early: the states after the first match are never
    computed (``trace(..., stop=predicate)`` uses it).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> states = al.trace(X, y, LogisticRegression(max_iter=1000), "margin", n_init=10, batch_size=10)
    >>> [state.n_labeled for state in al.until(lambda state: state.n_labeled >= 30, states)]
    [10, 20, 30]

    It works on any iterable:

    >>> list(al.until(lambda n: n * n > 10, range(100)))
    [0, 1, 2, 3, 4]
    """
    for state in states:
        yield state
        if predicate(state):
            return


def check_fit_mode(fit: Any, estimator: Any) -> bool:
    """Whether ``fit`` asks for warm starts (``"warm"``) rather than fresh clones (``"cold"``), checked up front.

    Parameters
    ----------
    fit : {"cold", "warm"}
        The run's fit mode.
    estimator : scikit-learn estimator
        The run's estimator; ``"warm"`` needs one that can continue (``alfunc.engine.warm.warm_mode``).

    Returns
    -------
    bool

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.engine.loop import check_fit_mode
    >>> check_fit_mode("warm", LogisticRegression()), check_fit_mode("cold", LogisticRegression())
    (True, False)
    >>> check_fit_mode("hot", LogisticRegression())
    Traceback (most recent call last):
    ...
    ValueError: fit must be 'cold' or 'warm', got 'hot'
    """
    if fit not in ("cold", "warm"):
        raise ValueError(f"fit must be 'cold' or 'warm', got {fit!r}")
    if fit == "warm":
        warm_mode(estimator)
    return fit == "warm"


def _check_start(start: ALState | None, n_pool: int) -> None:
    """A run can only continue from a fitted state of the same pool."""
    if start is None:
        return
    if not isinstance(start, ALState):
        raise TypeError(f"start must be an ALState, got {type(start).__name__}")
    if start.n_pool != n_pool:
        raise ValueError(f"start was built on a pool of {start.n_pool} rows but X has {n_pool}")
    if start.pending is not None or not start.history:
        raise ValueError("start must be a fitted state (call fit_step on it first)")


def _target_size(budget: int | None, n_initial: int, n_pool: int) -> int:
    """How many points are labeled when the run ends (the pool size caps the budget)."""
    if budget is None:
        return n_pool
    budget = check_positive_int(budget, "budget")
    if budget < n_initial:
        raise ValueError(f"budget ({budget}) must be at least n_init ({n_initial}): it counts the initial set")
    return min(budget, n_pool)
