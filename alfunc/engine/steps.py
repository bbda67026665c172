"""The pure steps of an AL run: ``init_step``, ``teach``, ``query_step``, ``fit_step``.

Each takes a state (or the data, for ``init_step``) and returns a new state; none
modifies ``X``, the labels, the estimator it is given or the previous state.
``query_step`` is ``select`` (which needs no labels) followed by ``teach``, so an
annotation app can pause between the two halves.
"""

from __future__ import annotations

import time
from typing import Any

import attrs
import numpy as np
from sklearn.base import clone

from alfunc.core.facts import pool_facts
from alfunc.core.frozen import FrozenMap
from alfunc.core.oracle import (
    as_oracle,
    check_label_array,
    check_label_kind,
    check_no_missing,
    known_labels,
    replaced_labels,
)
from alfunc.core.rng import root_entropy, step_generator, step_seed
from alfunc.core.rows import n_rows, pool_kind, row_ids, take_rows
from alfunc.core.scoring import evaluate, resolve_scorers
from alfunc.core.state import ALState, History, Query, Record, check_state
from alfunc.core.validation import (
    check_estimator,
    check_pool,
    check_same_pool,
    check_test_set,
    is_count,
    resolve_count,
)
from alfunc.engine.selection import select
from alfunc.engine.warm import same_classes, warm_fitted, warm_mode
from alfunc.strategies import Strategy, resolve_strategy

INITIAL_STRATEGY = "initial"
GIVEN_STRATEGY = "given"
CORRECTION_STRATEGY = "correction"  # a fit that only corrects earlier labels


def init_step(
    X: Any,
    oracle: Any,
    n_init: int | float = 10,
    random_state: Any = 0,
    *,
    initial: Any = None,
    labels: Any = None,
) -> ALState:
    """Label a random initial set of ``n_init`` points (a count, or a fraction of the pool), or the one you have.

    The random set depends only on the pool size, the labels and the seed, never
    on a strategy, so runs with the same seed are paired across strategies.
    With ``n_init >= 2`` the set holds two classes whenever the pool does:

    * a label array (simulation) lets ``init_step`` read the hidden labels: if
      the draw holds one class, its last point is swapped for a random point of
      another class. The set keeps its size, but it was chosen with labels no
      annotator would have, so a simulation starts a little optimistic;
    * a callable oracle (a person) is asked for more points drawn at random,
      one at a time, until a second class appears or the pool is exhausted.
      They belong to iteration 0's query (strategy ``"initial"``) and
      ``history.info["initial_extra_draws"]`` counts them, so ``replay`` can
      re-draw the set. To simulate a person, pass ``lambda i: y[i]``.

    A label array must label every row: NaN, ``None`` or ``-1`` used as
    scikit-activeml's "unknown" marker are refused before anything is drawn
    (see ``alfunc.core.oracle.check_label_array``). ``initial`` (pool indices or
    a boolean mask) starts instead from the points you already labeled, with
    their ``labels`` (asked from the oracle when omitted; the oracle may then
    be ``None``); ``n_init`` is then unused. The returned state has no model yet; its history's ``info`` holds
    the pool size and fingerprints of ``X`` and ``y``.

    Parameters
    ----------
    X : array-like, sparse matrix, DataFrame or list
        The pool: whatever the estimator takes; only its number of rows is used here.
    oracle : array-like or callable
        A label array ``y`` (one label per pool row) or a callable ``indices -> labels``.
    n_init : int or float, default=10
        Size of the random initial set: a count, or a fraction of the pool in (0, 1).
    random_state : int, numpy Generator, RandomState or None, default=0
        Root seed of the run (``None``: fresh entropy, kept in the state).
    initial : array-like of int or bool, default=None
        Pool indices (or a boolean mask) of points already labeled, to start from instead of a random draw.
    labels : array-like, default=None
        The labels of ``initial`` in the same order; asked from the oracle when omitted.

    Returns
    -------
    ALState
        A state with the initial set labeled and no model yet (call ``fit_step``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> state = al.init_step(X, y, n_init=10, random_state=0)
    >>> state.n_labeled, state.n_unlabeled, state.model is None, len(state.history)
    (10, 140, True, 0)
    >>> state.pending.strategy, np.unique(state.labels).size >= 2
    ('initial', True)
    >>> again = al.init_step(X, y, n_init=10, random_state=0)  # same seed, same set
    >>> bool((again.labeled == state.labeled).all()), state.history.info["n_pool"]
    (True, 150)
    >>> al.init_step(X, y, n_init=0.1, random_state=0).n_labeled  # a fraction of the pool
    15

    A person who answers "0" for most points is asked for more random points
    until a second class shows up:

    >>> imbalanced = (np.arange(150) % 50 == 0).astype(int)  # three 1s among 150 points
    >>> person = al.init_step(X, lambda indices: imbalanced[indices], n_init=4, random_state=0)
    >>> person.n_labeled > 4, sorted(set(person.labels.tolist())), person.pending.strategy
    (True, [0, 1], 'initial')
    >>> person.history.info["initial_extra_draws"] == person.n_labeled - 4
    True

    Start from labels you already have (an annotator's earlier work):

    >>> mine = al.init_step(X, y, initial=[0, 50, 100], labels=["setosa", "versicolor", "virginica"])
    >>> mine.labeled.tolist(), mine.labels.tolist(), mine.pending.strategy
    ([0, 50, 100], ['setosa', 'versicolor', 'virginica'], 'given')
    """
    X = check_pool(X, check_finite=False)  # values: run checks them (unless the estimator takes NaN), fit the rest
    n_pool = n_rows(X)
    ask = None if oracle is None and labels is not None else as_oracle(oracle, n_pool)
    seed = root_entropy(random_state)
    y = known_labels(oracle)
    if y is not None:
        check_label_array(y)
    if initial is None:
        if labels is not None or ask is None:
            raise ValueError("labels are the labels of initial: pass initial=<their pool indices> too")
        count = resolve_count(n_init, n_pool, "n_init")
        chosen = initial_indices(n_pool, count, seed, y)
        answers = ask(chosen)
        facts = pool_facts(X, y)
        if y is None and count >= 2 and _n_distinct(answers) < 2:
            chosen, answers = _drawn_until_two_classes(chosen, answers, ask, n_pool, seed)
            facts["initial_extra_draws"] = chosen.size - count
        return initial_state(chosen, answers, n_pool, History(seed, info=facts))
    chosen = given_indices(initial, n_pool)
    given = ask(chosen) if labels is None and ask is not None else given_labels(labels, chosen.size)
    history = History(seed, info=pool_facts(X, y))
    return initial_state(chosen, given, n_pool, history, strategy=GIVEN_STRATEGY)


def given_indices(initial: Any, n_pool: int) -> np.ndarray:
    """Distinct pool indices from ``initial``: indices, or a boolean mask over the pool.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.engine.steps import given_indices
    >>> given_indices([4, 0, 2], 5).tolist(), given_indices(np.array([True, False, True]), 3).tolist()
    ([4, 0, 2], [0, 2])
    >>> given_indices([1, 1], 5)
    Traceback (most recent call last):
    ...
    ValueError: initial must hold distinct pool indices; 1 is given twice
    """
    chosen = np.asarray(initial)
    if chosen.dtype == bool:
        if chosen.shape != (n_pool,):
            raise ValueError(
                f"initial as a boolean mask must have one entry per pool row ({n_pool}), got {chosen.shape}"
            )
        chosen = np.flatnonzero(chosen)
    if chosen.ndim != 1 or chosen.size == 0:
        raise ValueError(f"initial must be a non-empty 1-D array of pool indices, got shape {chosen.shape}")
    if chosen.dtype.kind not in "iu":
        raise TypeError(f"initial must hold integer pool indices or be a boolean mask, got dtype {chosen.dtype}")
    if chosen.min() < 0 or chosen.max() >= n_pool:
        raise ValueError(
            f"initial must hold indices in [0, {n_pool}), got values from {chosen.min()} to {chosen.max()}"
        )
    values, counts = np.unique(chosen, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"initial must hold distinct pool indices; {values[counts > 1][0]} is given twice")
    return chosen.astype(np.int64)


def given_labels(labels: Any, size: int) -> np.ndarray:
    """Check the labels given with an initial set: one per index, none missing (NaN or ``None``).

    Examples
    --------
    >>> from alfunc.engine.steps import given_labels
    >>> given_labels(["cat", "dog"], 2).tolist()
    ['cat', 'dog']
    >>> given_labels(["cat"], 2)
    Traceback (most recent call last):
    ...
    ValueError: labels must hold one label per index of initial (2), got shape (1,)
    """
    labels = np.asarray(labels)
    if labels.shape != (size,):
        raise ValueError(f"labels must hold one label per index of initial ({size}), got shape {labels.shape}")
    return check_no_missing(labels, "labels")


def initial_state(
    initial: np.ndarray, labels: Any, n_pool: int, history: History, strategy: str = "initial"
) -> ALState:
    """The unfitted state whose labeled set is ``initial``, pending as iteration 0's query.

    Use it to start from an initial set you chose yourself instead of
    ``init_step``'s random one.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.engine.steps import initial_state
    >>> X, y = load_iris(return_X_y=True)
    >>> chosen = np.array([0, 50, 100])  # one flower of each species
    >>> state = initial_state(chosen, y[chosen], len(X), al.History(seed=0))
    >>> state.n_labeled, state.iteration, state.model is None, state.pending.strategy
    (3, 0, True, 'initial')
    >>> fitted = al.fit_step(state, X, LogisticRegression(max_iter=1000))
    >>> fitted.history[0].queried.tolist(), fitted.history[0].n_labeled
    ([0, 50, 100], 3)
    """
    return ALState(
        labeled=initial,
        labels=labels,
        n_pool=n_pool,
        history=history,
        pending=Query(initial, np.full(len(initial), np.nan), strategy),
    )


def initial_indices(n_pool: int, count: int, seed: int, y: np.ndarray | None) -> np.ndarray:
    """A seeded uniform sample of ``count`` indices, with a second class swapped in if needed.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.engine.steps import initial_indices
    >>> chosen = initial_indices(10, 3, seed=0, y=None)
    >>> chosen.shape, np.unique(chosen).size, bool((chosen == initial_indices(10, 3, seed=0, y=None)).all())
    ((3,), 3, True)

    With labels known, a rare class is swapped in so the first model sees two:

    >>> y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    >>> [sorted(y[initial_indices(10, 2, seed, y)].tolist()) for seed in range(4)]
    [[0, 1], [0, 1], [0, 1], [0, 1]]
    """
    rng = step_generator(seed, 0, "init")
    chosen = rng.choice(n_pool, size=count, replace=False)
    if y is None or count < 2 or np.unique(y[chosen]).size > 1:
        return chosen
    other_class = np.flatnonzero(y != y[chosen[0]])
    if other_class.size:
        chosen[-1] = rng.choice(other_class)
    return chosen


def further_draws(n_pool: int, chosen: np.ndarray, seed: int) -> np.ndarray:
    """The seeded random order in which ``init_step`` draws more points when ``chosen`` holds one class.

    Every pool index not in ``chosen``, shuffled by a generator of its own
    (seed, iteration 0, ``"init-more"``): ``init_step`` asks for them in this
    order until a second class appears, so the set it ends with is ``chosen``
    followed by a prefix of this order.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.engine.steps import further_draws
    >>> more = further_draws(10, np.array([3, 7]), seed=0)
    >>> sorted(more.tolist()), bool((more == further_draws(10, np.array([3, 7]), seed=0)).all())
    ([0, 1, 2, 4, 5, 6, 8, 9], True)
    """
    rest = np.setdiff1d(np.arange(n_pool, dtype=np.int64), chosen, assume_unique=True)
    return step_generator(seed, 0, "init-more").permutation(rest)


def redrawn_initial(history: History, n_pool: int, y: Any = None) -> np.ndarray:
    """The indices ``init_step`` drew for iteration 0 of ``history``, re-drawn from its seed (for verification).

    ``y`` is the label array of a simulation (the second class is swapped in as
    ``init_step`` did) or ``None`` for a callable oracle, whose extra draws
    ``history.info["initial_extra_draws"]`` counts.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> import alfunc as al
    >>> from alfunc.engine.steps import redrawn_initial
    >>> from sklearn.naive_bayes import GaussianNB
    >>> X, _ = load_iris(return_X_y=True)
    >>> rare = (np.arange(150) % 50 == 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, lambda indices: rare[indices], n_init=4, random_state=0), X, GaussianNB())
    >>> bool((redrawn_initial(state.history, 150) == state.labeled).all())
    True
    """
    if not history:
        raise ValueError("history has no records: iteration 0 was never fitted")
    extra = history.info.get("initial_extra_draws", 0)
    size = history[0].queried.size
    if not is_count(extra) or not 0 <= extra < size:
        raise ValueError(f"history.info['initial_extra_draws'] must be an int in [0, {size}), got {extra!r}")
    chosen = initial_indices(n_pool, size - extra, history.seed, None if y is None else np.asarray(y))
    if extra == 0:
        return chosen
    return np.concatenate([chosen, further_draws(n_pool, chosen, history.seed)[:extra]])


def _n_distinct(labels: np.ndarray) -> int:
    return len(set(labels.tolist()))


def _drawn_until_two_classes(
    chosen: np.ndarray, answers: np.ndarray, ask: Any, n_pool: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``chosen`` and its one-class ``answers``, extended one random point at a time until a second class shows."""
    first = answers[0]
    taken = []
    more = []
    for index in further_draws(n_pool, chosen, seed):
        answer = ask(np.array([index]))
        taken.append(index)
        more.append(answer)
        if answer[0] != first:
            break
    indices = np.concatenate([chosen, np.asarray(taken, dtype=np.int64)])
    return indices, np.concatenate([answers, *more])


def teach(
    state: ALState,
    indices: Any,
    labels: Any,
    *,
    utilities: Any = None,
    strategy: str = "manual",
) -> ALState:
    """Add labels for pool points that were unlabeled; the next ``fit_step`` records them.

    ``indices`` must be distinct, unlabeled pool indices and ``labels`` one
    label per index. ``utilities`` and ``strategy`` describe why they were
    chosen (NaN and ``"manual"`` when unknown).

    Parameters
    ----------
    state : ALState
        The state to add labels to.
    indices : array-like of int
        Distinct pool indices of unlabeled points.
    labels : array-like
        One label per index, in the same order (NaN and ``None`` are refused).
    utilities : array-like of float, default=None
        The utilities the points were chosen by, one per index (``None``: NaN).
    strategy : str, default="manual"
        The name of what chose them, recorded with the next fit.

    Returns
    -------
    ALState
        A new state with the points labeled and pending until the next ``fit_step``.

    Examples
    --------
    With a person in the loop, ``select`` a batch (no labels needed), show it
    to the annotator, then teach their answers:

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, model)
    >>> indices = al.select(state, X, "margin", 5)
    >>> labels = y[indices]  # in practice: the annotator's answers
    >>> taught = al.teach(state, indices, labels, strategy="margin")
    >>> taught.n_labeled, taught.pending.strategy, len(taught.history)  # not fitted yet
    (15, 'margin', 1)
    >>> fitted = al.fit_step(taught, X, model)
    >>> len(fitted.history), fitted.history[-1].n_labeled, fitted.history[-1].queried.size
    (2, 15, 5)

    A point cannot be labeled twice, and labels keep their kind (numbers here):

    >>> al.teach(taught, indices[:1], labels[:1])
    Traceback (most recent call last):
    ...
    ValueError: indices [...] are already labeled
    >>> al.teach(taught, al.select(taught, X, "random", 1), ["setosa"])
    Traceback (most recent call last):
    ...
    TypeError: labels have dtype <U6 (text) but the state's labels have dtype int64 (numbers); ...
    """
    check_state(state)
    indices = _check_new_indices(state, indices)
    labels = check_no_missing(labels, "labels", indices)
    if labels.shape != indices.shape:
        raise ValueError(f"labels must hold one label per index ({indices.size}), got shape {labels.shape}")
    check_label_kind(labels, state.labels)
    utilities = np.full(indices.size, np.nan) if utilities is None else np.asarray(utilities, dtype=np.float64)
    if utilities.shape != indices.shape:
        raise ValueError(f"utilities must hold one value per index ({indices.size}), got shape {utilities.shape}")
    return _taught(state, indices, labels, utilities, str(strategy), {})


def correct(state: ALState, indices: Any, labels: Any) -> ALState:
    """Replace the labels of points labeled before; the next ``fit_step`` records the corrections.

    A correction is an event, not an edit: the records already made keep the
    labels they were fitted on, and the next record lists the corrected indices
    and their new labels (``Record.corrected``, ``Record.corrected_labels``),
    so ``replay`` applies them at the same fit. Correcting a point twice before
    a fit keeps both events; the later label wins.

    Parameters
    ----------
    state : ALState
        The state whose labels to correct; it is not modified.
    indices : array-like of int
        Distinct pool indices that are already labeled in ``state``.
    labels : array-like
        One new label per index, of the same kind as the state's labels.

    Returns
    -------
    ALState
        The state with the new labels, its open query holding the corrections.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, GaussianNB())
    >>> first = int(state.labeled[0])
    >>> fixed = al.fit_step(al.correct(state, [first], [2]), X, GaussianNB())
    >>> fixed.labels[0].item(), state.labels[0].item() == y[first].item()  # the earlier state keeps its label
    (2, True)
    >>> record = fixed.history[-1]
    >>> record.strategy, record.queried.size, record.corrected.tolist() == [first], record.corrected_labels.tolist()
    ('correction', 0, True, [2])

    Only labeled points can be corrected:

    >>> al.correct(state, [int(state.unlabeled()[0])], [1])
    Traceback (most recent call last):
    ...
    ValueError: indices [...] are not labeled: teach them instead of correcting them
    """
    check_state(state)
    indices = np.asarray(indices)
    if indices.ndim != 1 or indices.size == 0 or indices.dtype.kind not in "iu":
        raise ValueError(f"indices must be a non-empty 1-D array of pool indices, got {indices!r}")
    if np.unique(indices).size != indices.size:
        raise ValueError("indices must be distinct: correct a point once per call")
    position = {int(index): place for place, index in enumerate(state.labeled)}
    unknown = [int(index) for index in indices if int(index) not in position]
    if unknown:
        raise ValueError(f"indices {unknown[:10]} are not labeled: teach them instead of correcting them")
    labels = check_no_missing(labels, "labels", indices)
    if labels.shape != indices.shape:
        raise ValueError(f"labels must hold one label per index ({indices.size}), got shape {labels.shape}")
    labels = check_label_kind(labels, state.labels)
    new_labels = replaced_labels(state.labels, [position[int(index)] for index in indices], labels)
    pending = state.pending or Query(np.empty(0, dtype=np.int64), np.empty(0), CORRECTION_STRATEGY)
    earlier = pending.corrected_labels
    return attrs.evolve(
        state,
        labels=new_labels,
        iteration=state.next_iteration,
        pending=attrs.evolve(
            pending,
            corrected=np.concatenate([pending.corrected, indices.astype(np.int64)]),
            corrected_labels=labels if earlier is None else np.concatenate([earlier, labels]),
        ),
    )


def query_step(
    state: ALState,
    X: Any,
    oracle: Any,
    strategy: str | Strategy = "margin",
    batch_size: int = 10,
    *,
    chunk_size: int | None = None,
    representation: Any = None,
    progress: bool = False,
) -> ALState:
    """Select a batch with ``strategy``, ask the oracle for its labels, and teach them.

    ``chunk_size``, ``representation`` and ``progress`` are passed to ``select``.

    Parameters
    ----------
    state : ALState
        A state (fitted, unless the strategy needs no model).
    X : array-like, sparse matrix, DataFrame or list
        The pool the state's indices refer to.
    oracle : array-like or callable
        A label array ``y`` or a callable ``indices -> labels``, asked for the chosen points only.
    strategy : str or callable, default="margin"
        A name from ``alfunc.STRATEGIES`` or a strategy function.
    batch_size : int, default=10
        Points to choose (capped by the unlabeled pool).
    chunk_size : int, default=None
        Rows per model call, passed to ``select`` (the selection does not depend on it).
    representation : {"input", "model"}, array-like or callable, default=None
        The geometry distance-based strategies measure in, passed to ``select``.
    progress : bool, default=False
        Let a long strategy show its progress (tqdm), passed to ``select``.

    Returns
    -------
    ALState
        A new state with the batch labeled, pending until the next ``fit_step``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, model)
    >>> queried = al.query_step(state, X, y, strategy="margin", batch_size=5)
    >>> queried.n_labeled, queried.n_unlabeled, queried.iteration, queried.pending.strategy
    (15, 135, 1, 'margin')
    >>> state.n_labeled  # the previous state is unchanged
    10

    It is ``select`` followed by ``teach``; the oracle can also be a callable:

    >>> indices, utilities = al.select(state, X, "margin", 5, return_utilities=True)
    >>> queried == al.teach(state, indices, y[indices], utilities=utilities, strategy="margin")
    True
    >>> queried == al.query_step(state, X, lambda asked: y[asked], "margin", 5)
    True
    """
    check_state(state)
    ask = as_oracle(oracle, state.n_pool)
    name, _ = resolve_strategy(strategy)
    started = time.perf_counter()
    indices, utilities = select(
        state,
        X,
        strategy,
        batch_size,
        chunk_size=chunk_size,
        representation=representation,
        return_utilities=True,
        progress=progress,
    )
    selected = time.perf_counter()
    labels = check_label_kind(ask(indices), state.labels, "the oracle's labels")
    timings = {"select": selected - started, "oracle": time.perf_counter() - selected}
    return _taught(state, indices, labels, utilities, name, timings)


def fit_step(
    state: ALState,
    X: Any,
    estimator: Any,
    X_test: Any = None,
    y_test: Any = None,
    scoring: Any = None,
    *,
    keep_model: bool = False,
    ids: Any = None,
    warm: bool = False,
) -> ALState:
    """Fit a clone of ``estimator`` on every labeled point and record one ``Record``.

    Rows are fitted in increasing index order, so the model does not depend on
    the order in which points were acquired. Scores are taken on the labeled set
    (``train_*``) and, when given, on the test set (``test_*``); see
    ``alfunc.core.scoring`` for ``scoring``. ``keep_model`` also stores the model in
    the record (it can always be rebuilt by replay). The record keeps the user's
    keys of the new rows (``ids``, one per pool row, else a DataFrame's index;
    see ``alfunc.row_ids``). An estimator that cannot fit the rows (text given
    to a model that needs numbers, say) raises its own error, prefixed with
    what it was fitted on.

    Same seed, same run, even for an estimator with randomness of its own: a
    ``random_state`` left at ``None`` (the estimator's, or any nested
    ``*random_state`` that ``get_params(deep=True)`` reaches in a pipeline or
    meta-estimator) is set on the clone to an int derived from the state's seed,
    the iteration and the parameter's name (``alfunc.core.rng.step_seed``), and
    the names of the parameters so set are recorded in
    ``history.info["estimator_seeded"]``. A ``random_state`` you set is left as
    it is, and the estimator you pass is never modified.

    ``warm=True`` continues from a copy of the state's model instead of a
    fresh clone (see ``alfunc.engine.warm``): refitted on every label from its
    previous solution when the estimator has ``warm_start``, else updated with
    ``partial_fit`` on the rows taught or corrected since the last fit. The
    first fit of a run is cold, and so is a fit whose labels hold a class the
    previous model has not seen; the state's model is never touched.

    Parameters
    ----------
    state : ALState
        The state whose labeled points are fitted.
    X : array-like, sparse matrix, DataFrame or list
        The pool the state's indices refer to.
    estimator : estimator
        A scikit-learn estimator; a clone is fitted, the estimator itself is never modified.
    X_test : array-like, sparse matrix, DataFrame or list, default=None
        A test set of the same kind as ``X``, scored after the fit.
    y_test : array-like, default=None
        The labels of ``X_test``.
    scoring : str, callable, list, dict or None, default=None
        As ``cross_validate`` takes it: ``None`` (the estimator's ``score``), a scorer name or object, a list or a
        dict of them; recorded as ``train_<name>`` and ``test_<name>``.
    keep_model : bool, default=False
        Also store the fitted model in the record.
    ids : array-like, default=None
        One key per pool row; the record keeps those of its new rows (``None``: a DataFrame's index, if any).
    warm : bool, default=False
        Continue from a copy of the state's model (``warm_start`` or ``partial_fit``) instead of a fresh clone.

    Returns
    -------
    ALState
        A new state holding the fitted model, with one more ``Record`` in its history.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, model)
    >>> hasattr(state.model, "coef_"), hasattr(model, "coef_")  # a fitted clone; model stays unfitted
    (True, False)
    >>> queried = al.query_step(state, X, y, "margin", 10)
    >>> X_test, y_test = X[::3], y[::3]  # a stand-in test set, for the example
    >>> state = al.fit_step(queried, X, model, X_test=X_test, y_test=y_test, scoring=["accuracy"])
    >>> record = state.history[-1]
    >>> len(state.history), record.iteration, record.n_labeled, list(record.scores)
    (2, 1, 20, ['train_accuracy', 'test_accuracy'])

    A random forest left unseeded is seeded from the run, so its runs repeat:

    >>> from sklearn.ensemble import RandomForestClassifier
    >>> forest = al.fit_step(queried, X, RandomForestClassifier(n_estimators=5))
    >>> forest.history.info["estimator_seeded"], forest.model.random_state is not None
    (('random_state',), True)
    >>> bool((al.fit_step(queried, X, RandomForestClassifier(n_estimators=5)).model.predict_proba(X)
    ...       == forest.model.predict_proba(X)).all())
    True

    Each fit records the labels taught since the previous one:

    >>> al.fit_step(state, X, model)
    Traceback (most recent call last):
    ...
    ValueError: state has no new labels since its last fit; teach or query before fit_step
    """
    check_state(state)
    check_estimator(estimator)
    if state.pending is None:
        raise ValueError("state has no new labels since its last fit; teach or query before fit_step")
    X = check_same_pool(X, state.n_pool, state.history.info)
    X_test, y_test = check_test_set(X_test, y_test, X)
    scorers = resolve_scorers(estimator, scoring)
    if ids is not None:
        row_ids(X, np.empty(0, dtype=np.int64), ids)  # checks their length before any fit
    mode = warm_mode(estimator) if warm else None
    X_fit, y_fit = state.training_set(X)
    started = time.perf_counter()
    if mode is not None and state.model is not None and same_classes(state.model, y_fit):
        seeded: tuple[str, ...] = ()
        model = _warm_fitted(state, X, estimator, mode, X_fit, y_fit)
    else:
        unfitted, seeded = seeded_clone(estimator, state.seed, state.iteration)
        model = _fitted(unfitted, estimator, X_fit, y_fit)
    fitted = time.perf_counter()
    splits = {"train": (X_fit, y_fit)} | ({} if X_test is None else {"test": (X_test, y_test)})
    scores = evaluate(model, scorers, splits)
    pending = state.pending
    record = Record(
        iteration=state.iteration,
        queried=pending.indices,
        utilities=pending.utilities,
        strategy=pending.strategy,
        n_labeled=state.n_labeled,
        scores=scores,
        timings={**pending.timings, "fit": fitted - started, "score": time.perf_counter() - fitted},
        model=model if keep_model else None,
        ids=row_ids(X, pending.indices, ids) if ids is not None or pool_kind(X) == "frame" else None,
        labels=state.labels[state.n_labeled - pending.indices.size :],
        corrected=pending.corrected,
        corrected_labels=pending.corrected_labels,
    )
    history = state.history.appended(record)
    if seeded:
        history = history.with_info({"estimator_seeded": seeded})
    return attrs.evolve(state, model=model, history=history, pending=None)


def seeded_clone(estimator: Any, seed: int, iteration: int) -> tuple[Any, tuple[str, ...]]:
    """A clone of ``estimator`` whose ``random_state`` parameters left at ``None`` are set from the run's seed.

    Every parameter ``get_params(deep=True)`` names ``random_state`` or
    ``<step>__random_state`` (or ending in ``random_state``) whose value is
    ``None`` gets ``step_seed(seed, iteration, "estimator <name>")`` drawn as a
    32-bit int, so the same run fits the same models. Returns the clone and the
    names of the parameters it set. A nested estimator that ``clone`` does not
    copy (one that shares it with the original through ``__sklearn_clone__``)
    is left alone, so the estimator passed in is never modified.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from alfunc.engine.steps import seeded_clone
    >>> pipeline = make_pipeline(StandardScaler(), RandomForestClassifier())
    >>> clone, seeded = seeded_clone(pipeline, seed=0, iteration=3)
    >>> seeded, clone[-1].random_state == seeded_clone(pipeline, 0, 3)[0][-1].random_state
    (('randomforestclassifier__random_state',), True)
    >>> pipeline[-1].random_state is None  # the estimator given is unchanged
    True
    >>> seeded_clone(RandomForestClassifier(random_state=7), 0, 3)[1]  # a seed you set is kept
    ()
    """
    model = clone(estimator)
    given = estimator.get_params(deep=True)
    params = model.get_params(deep=True)
    seeds = {}
    for key, value in params.items():
        owner, _, leaf = key.rpartition("__")
        if value is not None or not leaf.endswith("random_state"):
            continue
        if owner and params.get(owner) is given.get(owner):
            continue  # not copied by clone: setting it would modify the estimator passed in
        seeds[key] = int(step_seed(seed, iteration, f"estimator {key}").generate_state(1)[0])
    if seeds:
        model.set_params(**seeds)
    return model, tuple(sorted(seeds))


def _fitted(model: Any, estimator: Any, X_fit: Any, y_fit: np.ndarray) -> Any:
    """``model`` (a clone of ``estimator``) fitted; its own error, if any, says it came from fitting the rows of X."""
    try:
        return model.fit(X_fit, y_fit)
    except (TypeError, ValueError) as error:
        kind = TypeError if isinstance(error, TypeError) else ValueError
        raise kind(
            f"estimator {type(estimator).__name__} could not be fitted on the labeled rows of X "
            f"({n_rows(X_fit)} rows, {pool_kind(X_fit)}): {error}"
        ) from error


def _warm_fitted(state: ALState, X: Any, estimator: Any, mode: str, X_fit: Any, y_fit: np.ndarray) -> Any:
    """A copy of the state's model continued on the labels (``partial_fit``: those taught or corrected since)."""
    pending = state.pending
    assert pending is not None
    changed = np.unique(np.concatenate([pending.indices, pending.corrected]))
    place = {int(index): position for position, index in enumerate(state.labeled)}
    y_new = state.labels[[place[int(index)] for index in changed]]
    try:
        return warm_fitted(state.model, mode, X_fit, y_fit, take_rows(X, changed), y_new)
    except (TypeError, ValueError) as error:
        kind = TypeError if isinstance(error, TypeError) else ValueError
        raise kind(
            f"estimator {type(estimator).__name__} could not continue ({mode}) on the labeled rows of X: {error}"
        ) from error


def _check_new_indices(state: ALState, indices: Any) -> np.ndarray:
    indices = np.asarray(indices)
    if indices.ndim != 1 or indices.size == 0:
        raise ValueError(f"indices must be a non-empty 1-D array of pool indices, got shape {indices.shape}")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"indices must be integers, got dtype {indices.dtype}")
    if indices.min() < 0 or indices.max() >= state.n_pool:
        raise ValueError(f"indices must lie in [0, {state.n_pool}), got values from {indices.min()} to {indices.max()}")
    if np.unique(indices).size != indices.size:
        raise ValueError("indices must be distinct: a point cannot be labeled twice")
    already = indices[state.labeled_mask()[indices]]
    if already.size:
        raise ValueError(f"indices {already[:10].tolist()} are already labeled")
    return indices.astype(np.int64)


def _taught(
    state: ALState,
    indices: np.ndarray,
    labels: np.ndarray,
    utilities: np.ndarray,
    strategy: str,
    timings: dict[str, float],
) -> ALState:
    """The state with ``indices`` labeled, merged into the open (unfitted) query if any."""
    pending = state.pending
    if pending is None:
        pending = Query(indices[:0], utilities[:0], strategy)
    elif pending.indices.size == 0 and pending.strategy == CORRECTION_STRATEGY:
        pending = attrs.evolve(pending, strategy=strategy)
    merged = pending.strategy if pending.strategy == strategy else f"{pending.strategy}+{strategy}"
    timings = {k: pending.timings.get(k, 0.0) + timings.get(k, 0.0) for k in sorted({*pending.timings, *timings})}
    return attrs.evolve(
        state,
        labeled=np.concatenate([state.labeled, indices]),
        labels=np.concatenate([state.labels, labels]),
        iteration=state.next_iteration,
        pending=attrs.evolve(
            pending,
            indices=np.concatenate([pending.indices, indices]),
            utilities=np.concatenate([pending.utilities, utilities]),
            strategy=merged,
            timings=FrozenMap(timings),
        ),
    )
