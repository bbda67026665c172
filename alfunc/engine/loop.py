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
    bar's total drops to the fits done. Each query is then selected with
    ``progress=True`` too, so a long one (EER's refits, TypiClust's and
    ProbCover's picks) shows a bar of its own while it works. ``callback(state)`` is called on
    every state as it is produced.

    An estimator whose ``random_state`` is left at ``None`` is seeded from the
    run's seed at every fit (see ``fit_step``), so the same ``random_state``
    gives the same run for random forests too.

    Parameters
    ----------
    X : array-like, sparse matrix, DataFrame or list
        The pool: whatever the estimator's ``fit`` takes (numeric arrays and
        memmaps, scipy sparse matrices, pandas DataFrames, lists of documents or
        paths). Rows are taken by position and never copied as a whole.
    oracle : array-like or callable
        The labels: an array ``y`` with one label per pool row (simulation), or a
        callable ``indices -> labels`` (a person, a database). A NaN or ``None``
        label is refused.
    estimator : estimator
        A scikit-learn estimator; each fit uses a clone, so it is never modified.
    strategy : str or callable, default="margin"
        A name from ``alfunc.STRATEGIES`` or a strategy function
        ``(model, X_candidates, context) -> utilities`` (or a batch strategy).
    n_init : int or float, default=10
        Size of the random initial set: a count, or a fraction of the pool in
        (0, 1). Ignored when ``initial`` is given.
    batch_size : int, default=10
        Points labeled per query round (the last batch shrinks to hit ``budget``).
    budget : int, default=None
        Total number of labeled points at which the run stops, initial set
        included. ``None``: until the pool is empty.
    max_iter : int, default=None
        Most query rounds (the initial fit is not one). ``None``: no limit.
    stop : callable, default=None
        A predicate ``state -> bool`` (such as ``alfunc.stopping.Plateau()``): the
        run ends at the first state for which it is true, that state included.
    X_test : array-like, sparse matrix, DataFrame or list, default=None
        A test set of the same kind as ``X``; every fit is scored on it.
    y_test : array-like, default=None
        The labels of ``X_test``.
    scoring : str, callable, list, dict or None, default=None
        As ``sklearn.model_selection.cross_validate`` takes it: ``None`` (the
        estimator's ``score``), a scorer name or object, a list or a dict of them.
        Scores are recorded as ``train_<name>`` and ``test_<name>``.
    random_state : int, numpy Generator, RandomState or None, default=0
        Root seed of the run: every random draw (initial set, ties, strategies'
        randomness, unseeded estimators) derives from it. ``None`` draws fresh
        entropy, recorded in the history.
    chunk_size : int, default=None
        Rows per model call when scoring the pool; the selection does not depend
        on it. ``None``: sized by the pool's row width.
    representation : {"input", "model"}, array-like or callable, default=None
        The space distance-based strategies measure in: the rows themselves, the
        fitted model's own features, precomputed embeddings (one row per pool
        row) or a callable ``rows -> features``. ``None``: ``"input"`` for numeric
        pools, ``"model"`` otherwise. Recorded with the run.
    initial : array-like of int or bool, default=None
        Start from these pool indices (or a boolean mask) instead of a random
        draw; ``n_init`` is then their number.
    labels : array-like, default=None
        The labels of ``initial``, in the same order; asked from the oracle when
        omitted. Needs ``initial``.
    ids : array-like, default=None
        One key per pool row, kept in every record so picks can be joined back to
        the source rows. ``None``: a DataFrame's index, else no ids.
    keep_models : bool, default=False
        Also store each fitted model in its record (a model can always be rebuilt
        by ``replay``).
    fit : {"cold", "warm"}, default="cold"
        ``"warm"`` starts each round's model from a copy of the previous one (``warm_start``, else
        ``partial_fit``; see ``alfunc.engine.warm``); recorded, so replay and resume continue warm.
    blas_threads : int or None, default=1
        Threads BLAS and OpenMP may use while each fit and query runs (``None``: the libraries' own
        settings); lifted between states, see ``alfunc.engine.threads``.
    start : ALState, default=None
        Continue a run from one of its fitted states (for example one rebuilt by
        ``alfunc.replay``) instead of drawing an initial set; ``random_state`` is
        then ignored.
    progress : bool, default=False
        Show a progress bar of fits (tqdm) on stderr, and one inside each long query (see ``select``).
    callback : callable, default=None
        Called with every state as it is produced.

    Yields
    ------
    ALState
        Each fitted state: the initial fit (iteration 0), then one per query round.

    Raises
    ------
    ValueError, TypeError
        On a bad argument, when ``trace`` is called (before any model is fitted).

    See Also
    --------
    run : the last state only.
    alfunc.until : stop an iterator of states at the first that satisfies a predicate.

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
            query_step(
                state, X, ask, strategy, size, chunk_size=chunk_size, representation=representation, progress=progress
            )
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
    """The final state of an AL run: label points by ``strategy`` until a stopping rule holds, refitting each round.

    A run starts with ``init_step`` (``n_init`` random points, or the ``initial``
    points you have) and ``fit_step``, then repeats ``query_step`` (``select`` +
    ``teach``: ``batch_size`` points chosen by ``strategy``, labeled by the
    oracle) and ``fit_step``. It stops when ``budget`` points are labeled
    (initial set included; the last batch shrinks to hit it exactly), after
    ``max_iter`` query rounds, at the first state for which ``stop(state)`` is
    true, or when the pool is empty, whichever comes first. ``run`` is
    ``toolz.last(trace(...))``: it takes exactly ``trace``'s arguments, and
    every argument is checked before any model is fitted. The same
    ``random_state`` gives the same run, bit for bit.

    Parameters
    ----------
    X : array-like, sparse matrix, DataFrame or list
        The pool: whatever the estimator's ``fit`` takes (numeric arrays and
        memmaps, scipy sparse matrices, pandas DataFrames, lists of documents or
        paths). Rows are taken by position and never copied as a whole.
    oracle : array-like or callable
        The labels: an array ``y`` with one label per pool row (simulation), or a
        callable ``indices -> labels`` (a person, a database). A NaN or ``None``
        label is refused.
    estimator : estimator
        A scikit-learn estimator; each fit uses a clone, so it is never modified.
    strategy : str or callable, default="margin"
        A name from ``alfunc.STRATEGIES`` or a strategy function
        ``(model, X_candidates, context) -> utilities`` (or a batch strategy).
    n_init : int or float, default=10
        Size of the random initial set: a count, or a fraction of the pool in
        (0, 1). Ignored when ``initial`` is given.
    batch_size : int, default=10
        Points labeled per query round (the last batch shrinks to hit ``budget``).
    budget : int, default=None
        Total number of labeled points at which the run stops, initial set
        included. ``None``: until the pool is empty.
    max_iter : int, default=None
        Most query rounds (the initial fit is not one). ``None``: no limit.
    stop : callable, default=None
        A predicate ``state -> bool`` (such as ``alfunc.stopping.Plateau()``): the
        run ends at the first state for which it is true, that state included.
    X_test : array-like, sparse matrix, DataFrame or list, default=None
        A test set of the same kind as ``X``; every fit is scored on it.
    y_test : array-like, default=None
        The labels of ``X_test``.
    scoring : str, callable, list, dict or None, default=None
        As ``sklearn.model_selection.cross_validate`` takes it: ``None`` (the
        estimator's ``score``), a scorer name or object, a list or a dict of them.
        Scores are recorded as ``train_<name>`` and ``test_<name>``.
    random_state : int, numpy Generator, RandomState or None, default=0
        Root seed of the run: every random draw (initial set, ties, strategies'
        randomness, unseeded estimators) derives from it. ``None`` draws fresh
        entropy, recorded in the history.
    chunk_size : int, default=None
        Rows per model call when scoring the pool; the selection does not depend
        on it. ``None``: sized by the pool's row width.
    representation : {"input", "model"}, array-like or callable, default=None
        The space distance-based strategies measure in: the rows themselves, the
        fitted model's own features, precomputed embeddings (one row per pool
        row) or a callable ``rows -> features``. ``None``: ``"input"`` for numeric
        pools, ``"model"`` otherwise. Recorded with the run.
    initial : array-like of int or bool, default=None
        Start from these pool indices (or a boolean mask) instead of a random
        draw; ``n_init`` is then their number.
    labels : array-like, default=None
        The labels of ``initial``, in the same order; asked from the oracle when
        omitted. Needs ``initial``.
    ids : array-like, default=None
        One key per pool row, kept in every record so picks can be joined back to
        the source rows. ``None``: a DataFrame's index, else no ids.
    keep_models : bool, default=False
        Also store each fitted model in its record (a model can always be rebuilt
        by ``replay``).
    fit : {"cold", "warm"}, default="cold"
        ``"warm"`` starts each round's model from a copy of the previous one (``warm_start``, else
        ``partial_fit``; see ``alfunc.engine.warm``); recorded, so replay and resume continue warm.
    blas_threads : int or None, default=1
        Threads BLAS and OpenMP may use while each fit and query runs (``None``: the libraries' own
        settings); lifted between states, see ``alfunc.engine.threads``.
    start : ALState, default=None
        Continue a run from one of its fitted states (for example one rebuilt by
        ``alfunc.replay``) instead of drawing an initial set; ``random_state`` is
        then ignored.
    progress : bool, default=False
        Show a progress bar of fits (tqdm) on stderr, and one inside each long query (see ``select``).
    callback : callable, default=None
        Called with every state as it is produced.

    Returns
    -------
    ALState
        The last fitted state: ``labeled`` (pool indices in acquisition order,
        initial set first), ``labels``, ``model`` (fitted on all of them) and
        ``history`` (one ``Record`` per fit, the run's parameters in
        ``history.info``).

    Raises
    ------
    ValueError, TypeError
        On a bad argument, before any model is fitted.

    See Also
    --------
    trace : every state of the run, lazily.
    alfunc.replay : rebuild a run from its history.

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

    Parameters
    ----------
    predicate : callable
        ``state -> bool``; the first state for which it is true is the last one yielded.
    states : iterable
        States (or any values), typically ``trace(...)``.

    Yields
    ------
    object
        The states of ``states`` up to and including the first that satisfies ``predicate``.

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
