"""Rebuild a run from its history: ``replay`` (optionally verified) and ``resume``.

A history records which points each round queried and their labels, not the
points' features, so a replay takes the pool ``X`` again (and the oracle only
for histories saved before labels were kept); the fingerprints that
``init_step`` and ``trace`` keep in ``history.info`` make a replay on other
data fail before any model is fitted. Because every selection is a pure
function of the state, re-running the queries on the replayed states must
select the recorded points with the recorded utilities: ``verify=True`` checks
both and names the first iteration where either differs (a nondeterminism
detector, which also catches a history whose utilities were edited and whose
digest was recomputed).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

import attrs
import numpy as np
import toolz

from alfunc.core.facts import data_fingerprint, is_rebuildable
from alfunc.core.oracle import as_oracle, known_labels, replaced_labels
from alfunc.core.representation import check_representation, describe_representation
from alfunc.core.rows import n_rows
from alfunc.core.state import ALState, History, Query
from alfunc.core.validation import accepts_missing_values, check_estimator, check_pool, check_test_set, is_count
from alfunc.engine.loop import trace
from alfunc.engine.selection import select
from alfunc.engine.steps import GIVEN_STRATEGY, INITIAL_STRATEGY, correct, fit_step, redrawn_initial, teach
from alfunc.engine.threads import check_blas_threads, limited_steps, thread_limiter
from alfunc.strategies import STRATEGIES, resolve_strategy

RECORDED = "recorded"
RUN_PARAMETERS = ("strategy", "n_init", "batch_size", "budget", "max_iter", "stop", "scoring")
RESUME_OPTIONS = (
    *RUN_PARAMETERS,
    "X_test",
    "y_test",
    "chunk_size",
    "representation",
    "ids",
    "keep_models",
    "blas_threads",
)
SHOWN = 10
UTILITY_RTOL, UTILITY_ATOL = 1e-9, 1e-12  # what a verified replay lets rounding change in a utility


class ReplayDivergence(ValueError):
    """A verified replay selected other points than the history recorded, or gave them other utilities.

    ``iteration`` is the first round that differs; ``recorded`` and
    ``replayed`` the two selections (best first); ``state`` the last replayed
    state that still agreed with the history (the one the query ran on;
    ``None`` when the initial draw differs). ``differs`` is ``"indices"`` or,
    when the same points were selected but their recomputed utilities are not
    the recorded ones (beyond floating-point rounding: a forged or edited
    history, or a model that changed), ``"utilities"``, with
    ``recorded_utilities`` and ``replayed_utilities`` (``None`` otherwise).

    Parameters
    ----------
    iteration : int
        The first round that differs.
    recorded : ndarray of int
        The recorded selection, best first.
    replayed : ndarray of int
        The replayed selection, best first.
    state : ALState or None
        The last replayed state that agreed with the history.
    recorded_utilities : ndarray of float, default=None
        The recorded utilities, when the selections agree but utilities do not.
    replayed_utilities : ndarray of float, default=None
        The recomputed ones, in that case.

    Examples
    --------
    Replaying a margin run with another estimator selects other points at the
    first query:

    >>> import attrs
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> try:
    ...     al.replay(final.history, X, y, KNeighborsClassifier(n_neighbors=3), verify=True)
    ... except al.ReplayDivergence as error:
    ...     divergence = error
    >>> divergence.iteration, divergence.state.iteration, divergence.differs, isinstance(divergence, ValueError)
    (1, 0, 'indices', True)
    >>> divergence.recorded.tolist() == final.history[1].queried.tolist()
    True
    >>> print(divergence)
    replay diverged at iteration 1 (indices differ): the query selected [...] but the history recorded [...] (only recorded: ...

    A history whose utilities were edited selects the same points, with other utilities:

    >>> edited = attrs.evolve(final.history[2], utilities=final.history[2].utilities + 0.25)
    >>> forged = attrs.evolve(final.history, records=(*final.history[:2], edited, final.history[3]))
    >>> try:
    ...     al.replay(forged, X, y, GaussianNB(), verify=True)
    ... except al.ReplayDivergence as error:
    ...     divergence = error
    >>> divergence.iteration, divergence.differs
    (2, 'utilities')
    >>> print(divergence)
    replay diverged at iteration 2 (utilities differ): the query selected the recorded points [...] but their utilities differ at 4 of 4 points ...
    """

    def __init__(
        self,
        iteration: int,
        recorded: np.ndarray,
        replayed: np.ndarray,
        state: ALState | None,
        *,
        recorded_utilities: np.ndarray | None = None,
        replayed_utilities: np.ndarray | None = None,
    ) -> None:
        self.iteration, self.recorded, self.replayed, self.state = iteration, recorded, replayed, state
        self.recorded_utilities, self.replayed_utilities = recorded_utilities, replayed_utilities
        self.only_recorded = np.setdiff1d(recorded, replayed)
        self.only_replayed = np.setdiff1d(replayed, recorded)
        cause = "the estimator, strategy or data is not deterministic or not the one recorded"
        if recorded_utilities is not None and replayed_utilities is not None:
            self.differs = "utilities"
            wrong = np.flatnonzero(~_same_utilities(recorded_utilities, replayed_utilities))
            super().__init__(
                f"replay diverged at iteration {iteration} (utilities differ): the query selected the recorded "
                f"points {recorded[:SHOWN].tolist()} but their utilities differ at {wrong.size} of {recorded.size} "
                f"points (at positions {wrong[:SHOWN].tolist()}: recorded {recorded_utilities[wrong[:SHOWN]].tolist()}, "
                f"replayed {replayed_utilities[wrong[:SHOWN]].tolist()}); {cause}, or the history was edited"
            )
            return
        self.differs = "indices"
        if self.only_recorded.size or self.only_replayed.size:
            detail = (
                f"only recorded: {self.only_recorded[:SHOWN].tolist()}, "
                f"only replayed: {self.only_replayed[:SHOWN].tolist()}"
            )
        else:
            detail = "the same points in a different order"
        super().__init__(
            f"replay diverged at iteration {iteration} (indices differ): the query selected "
            f"{replayed[:SHOWN].tolist()} but the history recorded {recorded[:SHOWN].tolist()} ({detail}); {cause}"
        )


def replay(
    history: History,
    X: Any,
    oracle: Any,
    estimator: Any,
    verify: bool = False,
    **options: Any,
) -> ALState:
    """The state after the recorded round ``upto`` (default: the last), rebuilt without querying.

    Takes the options of ``replay_trace``. Equals the state the original run
    reached, model included, when the estimator is deterministic.

    Parameters
    ----------
    history : History
        The recorded run (from ``final.history`` or ``load_history``).
    X : array-like, sparse matrix, DataFrame or list
        The pool the run was recorded on (checked against its fingerprint).
    oracle : array-like, callable or None
        Asked only for rounds saved without labels; a label array must be the recorded one. ``None`` when every
        record holds its labels.
    estimator : estimator
        The estimator to refit (a clone at each fit).
    verify : bool, default=False
        Rerun every query too and raise ``ReplayDivergence`` at the first that selects other points or utilities.
    upto : int, default=None
        The last recorded round to rebuild (``None``: the last one).
    fit : {"each", "last"}, default="each"
        Refit at every round, or label everything up to ``upto`` and fit once.
    strategy : str, callable or mapping, default=None
        The strategy functions the history names but cannot hold: one strategy, or a mapping from recorded name to
        strategy.
    X_test : array-like, sparse matrix, DataFrame or list, default=None
        The recorded test set, if the run had one.
    y_test : array-like, default=None
        Its labels.
    scoring : str, callable, list, dict or None, default="recorded"
        The scoring, by default the recorded one (a scorer function must be passed again).
    chunk_size : int, default=None
        Rows per model call when a query is rerun.
    representation : {"input", "model"}, array-like or callable, default="recorded"
        By default the recorded one; embeddings or a function must be passed again (embeddings must match the
        recorded fingerprint).
    ids : array-like, default=None
        The row keys the run was given (a DataFrame's index is read again by itself).
    keep_models : bool, default=False
        Also store each fitted model in its record.
    blas_threads : int or None, default=1
        Threads BLAS and OpenMP may use while each fit and query runs (``None``: the libraries' own
        settings); lifted between states, see ``alfunc.engine.threads``.

    Returns
    -------
    ALState
        The state after round ``upto``.

    Raises
    ------
    ReplayDivergence
        With ``verify=True``, at the first query that selects differently.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> again = al.replay(final.history, X, y, GaussianNB(), verify=True)
    >>> again.labeled.tolist() == final.labeled.tolist(), again.history == final.history
    (True, True)
    >>> bool((again.model.predict(X) == final.model.predict(X)).all())
    True

    ``upto`` stops at an earlier round; ``fit="last"`` reaches it with one fit:

    >>> second = al.replay(final.history, X, y, GaussianNB(), upto=1, fit="last")
    >>> second.iteration, second.n_labeled
    (1, 10)

    A replay on other data is refused before any fit:

    >>> al.replay(final.history, X[:100], y[:100], GaussianNB())
    Traceback (most recent call last):
    ...
    ValueError: X has 100 rows but the history was recorded on a pool of 150
    """
    return toolz.last(replay_trace(history, X, oracle, estimator, verify, **options))


def replay_trace(
    history: History,
    X: Any,
    oracle: Any,
    estimator: Any,
    verify: bool = False,
    *,
    upto: int | None = None,
    fit: str = "each",
    strategy: Any = None,
    X_test: Any = None,
    y_test: Any = None,
    scoring: Any = RECORDED,
    chunk_size: int | None = None,
    representation: Any = RECORDED,
    ids: Any = None,
    keep_models: bool = False,
    blas_threads: int | None = 1,
) -> Iterator[ALState]:
    """The replayed fitted states, lazily, one per recorded round up to ``upto``.

    Labels come from the history, so ``oracle`` may be ``None``; it is asked
    only for rounds saved without labels (by an alfunc before labels were
    kept), and when it is a label array it must be the recorded one. ``fit="each"``
    refits the model at every round; ``fit="last"`` labels everything up to
    ``upto`` at once, keeps the earlier records as saved and fits once (the
    cheap way to reach one iteration). ``verify=True`` (needs ``fit="each"``)
    reruns every query, the initial draw included, and raises
    ``ReplayDivergence`` at the first one that selects other points, or the
    same points with other utilities (beyond a relative 1e-9: rounding).
    ``strategy`` supplies the strategy functions a history names but cannot
    hold: one strategy, or a mapping from recorded name to strategy.
    ``scoring`` and ``representation`` default to the recorded ones (embeddings
    or a representation function must be passed again, and embeddings must be
    the recorded ones); ``X_test``/``y_test`` must be the recorded test set, if
    any. ``ids`` are the row keys the run was given (a DataFrame's index is
    read again by itself). ``blas_threads`` limits BLAS/OpenMP threads while
    each fit and query runs, as ``trace`` does. Every check runs before any
    model is fitted.

    Parameters
    ----------
    history : History
        The recorded run (from ``final.history`` or ``load_history``).
    X : array-like, sparse matrix, DataFrame or list
        The pool the run was recorded on (checked against its fingerprint).
    oracle : array-like, callable or None
        Asked only for rounds saved without labels; a label array must be the recorded one. ``None`` when every
        record holds its labels.
    estimator : estimator
        The estimator to refit (a clone at each fit).
    verify : bool, default=False
        Rerun every query too and raise ``ReplayDivergence`` at the first that selects other points or utilities.
    upto : int, default=None
        The last recorded round to rebuild (``None``: the last one).
    fit : {"each", "last"}, default="each"
        Refit at every round, or label everything up to ``upto`` and fit once.
    strategy : str, callable or mapping, default=None
        The strategy functions the history names but cannot hold: one strategy, or a mapping from recorded name to
        strategy.
    X_test : array-like, sparse matrix, DataFrame or list, default=None
        The recorded test set, if the run had one.
    y_test : array-like, default=None
        Its labels.
    scoring : str, callable, list, dict or None, default="recorded"
        The scoring, by default the recorded one (a scorer function must be passed again).
    chunk_size : int, default=None
        Rows per model call when a query is rerun.
    representation : {"input", "model"}, array-like or callable, default="recorded"
        By default the recorded one; embeddings or a function must be passed again (embeddings must match the
        recorded fingerprint).
    ids : array-like, default=None
        The row keys the run was given (a DataFrame's index is read again by itself).
    keep_models : bool, default=False
        Also store each fitted model in its record.
    blas_threads : int or None, default=1
        Threads BLAS and OpenMP may use while each fit and query runs (``None``: the libraries' own
        settings); lifted between states, see ``alfunc.engine.threads``.

    Yields
    ------
    ALState
        One fitted state per recorded round up to ``upto`` (only the last with ``fit="last"``).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> states = list(al.replay_trace(final.history, X, y, GaussianNB()))
    >>> [(state.iteration, state.n_labeled) for state in states]
    [(0, 6), (1, 10), (2, 14), (3, 18)]
    >>> [state.history[-1] == record for state, record in zip(states, final.history)]
    [True, True, True, True]

    ``verify=True`` needs a model at every round:

    >>> al.replay_trace(final.history, X, y, GaussianNB(), verify=True, fit="last")
    Traceback (most recent call last):
    ...
    ValueError: verify=True reruns every query, which needs a model at every round: use fit='each'
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be an alfunc History, got {type(history).__name__}")
    if not history:
        raise ValueError("history has no records: there is nothing to replay")
    X = check_pool(X, check_finite=not accepts_missing_values(estimator))
    ask = None if oracle is None else as_oracle(oracle, n_rows(X))
    check_estimator(estimator)
    last = _check_upto(upto, len(history))
    verify = _check_flag(verify, "verify")
    keep_models = _check_flag(keep_models, "keep_models")
    if fit not in ("each", "last"):
        raise ValueError(f"fit must be 'each' or 'last', got {fit!r}")
    if verify and fit == "last":
        raise ValueError("verify=True reruns every query, which needs a model at every round: use fit='each'")
    warm = history.info.get("fit") == "warm"
    if warm and fit == "last":
        raise ValueError("the run was warm-started: each model continues the previous one, so replay needs fit='each'")
    check_recorded_pool(history.info, X, oracle)
    X_test, y_test = check_test_set(X_test, y_test, X)
    _check_same_test_set(history.info, X_test, y_test)
    scoring = recorded_parameter(history.info, "scoring") if scoring is RECORDED else scoring
    representation = recorded_representation(history.info, representation, X)
    records = history.records[: last + 1]
    _check_queried(records, n_rows(X))
    if ask is None and any(record.labels is None for record in records):
        raise ValueError("the history holds no labels (it was saved before labels were kept): pass the oracle")
    strategies = _verifying_strategies(history, records, strategy) if verify else {}
    limited = thread_limiter(check_blas_threads(blas_threads))
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

    def labels_of(chosen: tuple) -> np.ndarray:
        return np.concatenate(
            [record.labels if record.labels is not None or ask is None else ask(record.queried) for record in chosen]
        )

    def states() -> Iterator[ALState]:
        if fit == "last":
            yield fit_round(_open_state(history, last, labels_of(records), n_rows(X)))
            return
        reproducible_draw = oracle is not None or history.info.get("y_fingerprint") is None
        if verify and records[0].strategy == INITIAL_STRATEGY and reproducible_draw:
            _verify(
                records[0],
                redrawn_initial(history, n_rows(X), known_labels(oracle)),
                None,
            )
        state = fit_round(_open_state(history, 0, labels_of(records[:1]), n_rows(X)))
        yield state
        for record in records[1:]:
            if verify and record.queried.size:
                chosen, utilities = select(
                    state,
                    X,
                    strategies[record.strategy],
                    record.queried.size,
                    chunk_size=chunk_size,
                    representation=representation,
                    return_utilities=True,
                )
                _verify(record, chosen, state, utilities)
            if record.queried.size:
                state = teach(
                    state, record.queried, labels_of((record,)), utilities=record.utilities, strategy=record.strategy
                )
            state = fit_round(corrected(state, record))
            yield state

    return limited_steps(states(), limited)


# Functions take a __signature__ for inspect.signature, but their type declares none: setattr, not B010's assignment.
setattr(replay, "__signature__", inspect.signature(replay_trace).replace(return_annotation=ALState))  # noqa: B010


def _open_state(history: History, iteration: int, labels: Any, n_pool: int) -> ALState:
    """The unfitted state of round ``iteration``: every point up to it labeled, its query pending.

    Earlier records are taken from ``history`` as they are; their corrections
    are applied to ``labels``, and those of ``iteration`` are pending, so
    ``fit_step`` on the result rebuilds the record of ``iteration``.
    """
    records = history.records
    current = records[iteration]
    labeled = np.concatenate([record.queried for record in records[: iteration + 1]])
    place = {int(index): position for position, index in enumerate(labeled)}
    for record in records[:iteration]:
        if record.corrected.size:
            labels = replaced_labels(
                labels, [place[index] for index in record.corrected.tolist()], record.corrected_labels
            )
    state = ALState(
        labeled=labeled,
        labels=labels,
        n_pool=n_pool,
        history=attrs.evolve(history, records=records[:iteration]),
        iteration=iteration,
        pending=Query(current.queried, current.utilities, current.strategy),
    )
    return corrected(state, current)


def corrected(state: ALState, record: Any) -> ALState:
    """``state`` with ``record``'s corrections made one by one, in their recorded order (see ``alfunc.correct``).

    Parameters
    ----------
    state : ALState
        The state before the fit that ``record`` describes; it is not modified.
    record : Record
        The record whose ``corrected`` indices and ``corrected_labels`` to apply (anything holding
        those two sequences, such as a labelling session's fit round).

    Returns
    -------
    ALState
        ``state`` itself when the record corrects nothing.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.history.replay import corrected
    >>> X, y = load_iris(return_X_y=True)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, GaussianNB())
    >>> first = int(state.labeled[0])
    >>> fixed = al.fit_step(al.correct(al.correct(state, [first], [1]), [first], [2]), X, GaussianNB())
    >>> again = al.fit_step(corrected(state, fixed.history[-1]), X, GaussianNB())
    >>> again.history == fixed.history, again.labels[0].item()
    (True, 2)
    """
    for index, label in zip(np.asarray(record.corrected).tolist(), _corrected_labels(record), strict=True):
        state = correct(state, [index], np.asarray([label]))
    return state


def _corrected_labels(record: Any) -> list[Any]:
    return [] if record.corrected_labels is None else np.asarray(record.corrected_labels).tolist()


def resume(history: History, X: Any, oracle: Any, estimator: Any, **options: Any) -> ALState:
    """The final state of the run ``history`` belongs to, continued from its last record.

    Takes the options of ``resume_trace``. With the recorded parameters the
    result equals the uninterrupted run with the same seed, bit for bit.

    Parameters
    ----------
    history : History
        The run to continue (its seed and recorded parameters are used).
    X : array-like, sparse matrix, DataFrame or list
        The pool the run was recorded on.
    oracle : array-like or callable
        Labels for the new rounds: a label array or a callable ``indices -> labels``.
    estimator : estimator
        The estimator to refit.
    **options
        Run parameters as ``run`` spells them, overriding the recorded ones: ``strategy``, ``n_init``,
        ``batch_size``, ``budget``, ``max_iter``, ``stop``, ``scoring``, ``X_test``, ``y_test``, ``chunk_size``,
        ``keep_models`` (functions, such as a custom strategy, must be passed again).

    Returns
    -------
    ALState
        The last state of the continued run.

    Examples
    --------
    A run of 2 rounds saved to a file, then continued to 4 rounds:

    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> short = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=2)
    >>> path = al.save_history(short.history, os.path.join(tempfile.mkdtemp(), "run.json"))
    >>> more = al.resume(al.load_history(path), X, y, GaussianNB(), max_iter=4)
    >>> more.iteration, more.n_labeled
    (4, 22)
    >>> full = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=4)
    >>> more.history == full.history
    True
    """
    return toolz.last(resume_trace(history, X, oracle, estimator, **options))


def resume_trace(history: History, X: Any, oracle: Any, estimator: Any, **options: Any) -> Iterator[ALState]:
    """The states of a run continued from ``history``: its last state rebuilt, then every new round.

    The run parameters (``strategy``, ``n_init``, ``batch_size``, ``budget``,
    ``max_iter``, ``stop``, ``scoring``) default to those recorded by
    ``run``/``trace``; pass any of them, and ``X_test``, ``y_test``,
    ``chunk_size``, ``keep_models``, to override. A function (a custom
    strategy, a ``stop`` rule, a scorer) cannot be read back from a file and
    must be passed again. The seed always comes from the history. The last
    recorded state is rebuilt with one fit (``replay(..., fit="last")``), or
    with every fit for a warm-started run, which resumes warm.

    Parameters
    ----------
    history : History
        The run to continue (its seed and recorded parameters are used).
    X : array-like, sparse matrix, DataFrame or list
        The pool the run was recorded on.
    oracle : array-like or callable
        Labels for the new rounds: a label array or a callable ``indices -> labels``.
    estimator : estimator
        The estimator to refit.
    **options
        Run parameters as ``run`` spells them, overriding the recorded ones: ``strategy``, ``n_init``,
        ``batch_size``, ``budget``, ``max_iter``, ``stop``, ``scoring``, ``X_test``, ``y_test``, ``chunk_size``,
        ``keep_models`` (functions, such as a custom strategy, must be passed again).

    Yields
    ------
    ALState
        The last recorded state rebuilt, then one state per new round.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> short = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=2)
    >>> states = al.resume_trace(short.history, X, y, GaussianNB(), max_iter=4, batch_size=8)
    >>> [(state.iteration, state.n_labeled) for state in states]
    [(2, 14), (3, 22), (4, 30)]

    Options are the run parameters, spelled as ``run`` spells them:

    >>> al.resume_trace(short.history, X, y, GaussianNB(), rounds=4)
    Traceback (most recent call last):
    ...
    TypeError: resume got unexpected options ['rounds']; expected some of ['strategy', 'n_init', ...]
    """
    unknown = sorted(set(options) - set(RESUME_OPTIONS))
    if unknown:
        raise TypeError(f"resume got unexpected options {unknown}; expected some of {list(RESUME_OPTIONS)}")
    if not isinstance(history, History):
        raise TypeError(f"history must be an alfunc History, got {type(history).__name__}")
    parameters = {name: recorded_parameter(history.info, name) for name in RUN_PARAMETERS if name not in options}
    parameters |= options
    parameters["representation"] = recorded_representation(history.info, options.get("representation", RECORDED), X)
    warm = history.info.get("fit") == "warm"
    start = replay(
        history,
        X,
        oracle,
        estimator,
        fit="each" if warm else "last",
        X_test=parameters.get("X_test"),
        y_test=parameters.get("y_test"),
        scoring=parameters["scoring"],
        keep_models=parameters.get("keep_models", False),
        blas_threads=parameters.get("blas_threads", 1),
        representation=parameters["representation"],
        ids=parameters.get("ids"),
    )
    return trace(X, oracle, estimator, start=start, fit="warm" if warm else "cold", **parameters)


def recorded_parameter(info: Mapping[str, Any], name: str) -> Any:
    """A run parameter as ``run``/``trace`` recorded it, if it can be used again.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.history.replay import recorded_parameter
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> info = final.history.info
    >>> recorded_parameter(info, "strategy"), recorded_parameter(info, "batch_size")
    ('margin', 4)
    >>> print(recorded_parameter(info, "scoring"))
    None

    A function is recorded by name only, so it cannot be used again:

    >>> def closest_to_zero(model, X, context):
    ...     return -abs(X).sum(axis=1)
    >>> custom = al.run(X, y, GaussianNB(), closest_to_zero, n_init=6, max_iter=1)
    >>> recorded_parameter(custom.history.info, "strategy")
    Traceback (most recent call last):
    ...
    ValueError: the history was made with strategy={'callable': '...closest_to_zero'}, which cannot be read back from data; pass strategy=... again
    """
    if name not in info:
        if name == "scoring":
            return None
        raise ValueError(f"the history does not record {name!r} (it was not made by run or trace); pass {name}=...")
    value = info[name]
    if not is_rebuildable(value):
        raise ValueError(
            f"the history was made with {name}={dict(value)}, which cannot be read back from data; "
            f"pass {name}=... again"
        )
    return value


def recorded_representation(info: Mapping[str, Any], representation: Any, X: Any) -> Any:
    """The representation to replay or resume with: the recorded one, or the one given, checked against it.

    Names (``"input"``, ``"model"``, the default ``None``) are read back from
    the history; embeddings and functions are recorded by fingerprint and name
    only, so they must be passed again, and embeddings must be the recorded ones.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.history.replay import RECORDED, recorded_representation
    >>> X, y = load_iris(return_X_y=True)
    >>> embeddings = X[:, :2] * 10
    >>> final = al.run(X, y, LogisticRegression(max_iter=500), "k_center_greedy", n_init=5, batch_size=5,
    ...                max_iter=1, representation=embeddings)
    >>> recorded_representation(final.history.info, embeddings, X) is embeddings
    True
    >>> recorded_representation(final.history.info, RECORDED, X)
    Traceback (most recent call last):
    ...
    ValueError: the history was made with precomputed embeddings of shape (150, 2); pass representation=<the same array> again
    >>> recorded_representation(final.history.info, embeddings + 1, X)
    Traceback (most recent call last):
    ...
    ValueError: representation is not the embeddings the history was recorded with (their fingerprint differs)
    """
    recorded = info.get("representation")
    embedded = isinstance(recorded, Mapping) and "embedding" in recorded
    if representation is RECORDED:
        if isinstance(recorded, Mapping) and embedded:
            shape = recorded.get("shape")  # a history is data from a file: the key may be missing or odd
            shown = f" of shape {tuple(shape)}" if isinstance(shape, (list, tuple)) else ""
            raise ValueError(
                f"the history was made with precomputed embeddings{shown}; pass representation=<the same array> again"
            )
        return recorded_parameter(info, "representation") if "representation" in info else None
    representation = check_representation(representation, X)
    if embedded and describe_representation(representation) != recorded:
        raise ValueError(
            "representation is not the embeddings the history was recorded with (their fingerprint differs)"
        )
    return representation


def check_recorded_pool(info: Mapping[str, Any], X: Any, oracle: Any) -> None:
    """Refuse a pool (or label array) other than the one the history was recorded on.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.history.replay import check_recorded_pool
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> check_recorded_pool(final.history.info, X, y)  # the recorded pool: nothing to say

    One changed value is enough for the fingerprint to differ:

    >>> X_changed = X.copy()
    >>> X_changed[0, 0] += 0.1
    >>> check_recorded_pool(final.history.info, X_changed, y)
    Traceback (most recent call last):
    ...
    ValueError: X is not the pool the history was recorded on (its fingerprint differs)
    >>> check_recorded_pool(final.history.info, X, y[::-1])
    Traceback (most recent call last):
    ...
    ValueError: oracle holds other labels than the history was recorded with (their fingerprint differs)
    """
    n_pool = info.get("n_pool")
    if n_pool is not None and n_pool != n_rows(X):
        raise ValueError(f"X has {n_rows(X)} rows but the history was recorded on a pool of {n_pool}")
    if info.get("X_fingerprint") not in (None, data_fingerprint(X)):
        raise ValueError("X is not the pool the history was recorded on (its fingerprint differs)")
    y = known_labels(oracle)
    if y is not None and info.get("y_fingerprint") not in (None, data_fingerprint(y)):
        raise ValueError("oracle holds other labels than the history was recorded with (their fingerprint differs)")


def _check_same_test_set(info: Mapping[str, Any], X_test: Any, y_test: Any) -> None:
    if "X_test_fingerprint" not in info:
        return
    recorded = (info["X_test_fingerprint"], info["y_test_fingerprint"])
    if recorded == (None, None):
        if X_test is not None:
            raise ValueError("the history was recorded without a test set; do not pass X_test and y_test")
        return
    if X_test is None:
        raise ValueError("the history was scored on a test set; pass the same X_test and y_test")
    if recorded != (data_fingerprint(X_test), data_fingerprint(y_test)):
        raise ValueError("X_test/y_test are not the test set the history was scored on (fingerprints differ)")


def _check_upto(upto: Any, n_records: int) -> int:
    """The last round to replay: ``None`` for the last recorded, or any integer (numpy's too) in range."""
    if upto is None:
        return n_records - 1
    if not is_count(upto):
        raise TypeError(f"upto must be an integer (an iteration) or None, got {type(upto).__name__} {upto!r}")
    if not 0 <= upto < n_records:
        raise ValueError(f"upto must be an iteration between 0 and {n_records - 1}, got {upto!r}")
    return int(upto)


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def _check_queried(records: tuple, n_pool: int) -> None:
    queried = np.concatenate([record.queried for record in records])
    if queried.min() < 0 or queried.max() >= n_pool:
        raise ValueError(f"the history queries indices outside the pool of {n_pool} rows")
    if np.unique(queried).size != queried.size:
        raise ValueError("the history queries a pool index twice")


def _verifying_strategies(history: History, records: tuple, strategy: Any) -> dict[str, Callable]:
    """The strategy function behind every recorded name, checked before any fit."""
    if records[0].strategy not in (INITIAL_STRATEGY, GIVEN_STRATEGY):
        raise ValueError(
            f"cannot verify iteration 0: its points were neither drawn by init_step nor given ({records[0].strategy!r})"
        )
    if strategy is None:
        if "strategy" in history.info:
            recorded_parameter(history.info, "strategy")  # refuses a strategy function known only by name
        supplied: Mapping[str, Any] = {}
    elif isinstance(strategy, Mapping):
        supplied = strategy
    else:
        supplied = {record.strategy: strategy for record in records}
    functions = {}
    for record in records[1:]:
        if not record.queried.size:  # a fit that only corrected labels selected nothing
            continue
        chosen = supplied.get(record.strategy, record.strategy)
        if isinstance(chosen, str) and chosen not in STRATEGIES:
            raise ValueError(
                f"cannot verify iteration {record.iteration}: strategy {record.strategy!r} is not a registered "
                "name; pass strategy=function (or a mapping from recorded name to function)"
            )
        functions[record.strategy] = resolve_strategy(chosen)[1]
    return functions


def _verify(record: Any, chosen: np.ndarray, state: ALState | None, utilities: np.ndarray | None = None) -> None:
    """Refuse a rerun query whose selection, or (when given) whose utilities, are not the recorded ones."""
    if not np.array_equal(chosen, record.queried):
        raise ReplayDivergence(record.iteration, record.queried, np.asarray(chosen), state)
    if utilities is not None and not _same_utilities(record.utilities, utilities).all():
        raise ReplayDivergence(
            record.iteration,
            record.queried,
            np.asarray(chosen),
            state,
            recorded_utilities=record.utilities,
            replayed_utilities=np.asarray(utilities, dtype=np.float64),
        )


def _same_utilities(recorded: np.ndarray, replayed: np.ndarray) -> np.ndarray:
    """Equal up to floating-point rounding (BLAS and chunking may change the last bits); NaN equals NaN."""
    return np.isclose(replayed, recorded, rtol=UTILITY_RTOL, atol=UTILITY_ATOL, equal_nan=True)


__all__ = [
    "RECORDED",
    "ReplayDivergence",
    "recorded_representation",
    "replay",
    "replay_trace",
    "resume",
    "resume_trace",
]
