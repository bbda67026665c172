"""``check_strategy``: the contract of a query strategy, checked on edge cases and generated states.

The properties, checked on each example on direct calls of the strategy, then
through ``select``, in about this order (the first broken one is reported, with
the smallest example hypothesis shrinks it to; the edge cases run after the
generated examples):

``runs``
    The strategy returns without error on every valid state, edges included:
    one unlabeled point left, a batch at least as large as what is left, a
    single class in the labeled set, identical rows (ties everywhere), and for
    classifiers labels that are not ``0..k-1`` (``1..k``, strings) and a class
    of the pool that no labeled point has. On each edge the other properties
    are checked too (chunks of one row): a strategy that reads a label as a
    column position, or guesses from the values a chunk holds, fails there.
``finite``
    A utility strategy returns one number per candidate, none NaN or ``+inf``
    (``-inf`` is allowed: it ranks a candidate last, e.g. one a strategy did not
    score). A batch strategy returns one such utility per chosen index.
``pure``
    ``X``, the state and its model are unchanged afterwards. The rows and the
    pool a strategy sees are read-only, so a write fails on the spot and is
    reported here, not as an error.
``deterministic``
    The same state gives the same result, bit for bit, even when numpy's and
    Python's global generators are reseeded differently between two calls:
    randomness must come from ``context.uniform`` / ``context.generator``.
``unlabeled``
    Only unlabeled points are selected. A batch strategy must return indices
    from ``context.candidates``. A utility strategy cannot name a point (
    ``select`` only asks it to score unlabeled rows); it picks a labeled point
    by scoring the wrong rows. One that scores the whole pool (``context.X``)
    returns a utility per pool row, labeled ones included, and fails here; so
    does one whose utilities do not follow the candidates it is given (asked
    for the same candidates in reverse order, it must return its utilities
    reversed). One that takes rows by position (``context.X[:n]``) fails here
    or, when a single candidate is left, under ``row_order``, which moves the
    rows under it. ``select``'s batch must be a subset of the unlabeled pool.
``distinct``
    No index is chosen twice (by a batch strategy, and by ``select``).
``batch_size``
    A batch strategy returns exactly ``k`` indices; ``select`` returns exactly
    ``min(batch_size, n_unlabeled)``.
``chunking``
    (utility strategies) Scoring the candidates in chunks gives the same
    utilities as one pass, and ``select`` with a small ``chunk_size`` picks the
    same batch as without one (or one of equal utilities: a tie).
``row_order``
    Permuting the rows of the pool (and the labeled indices with them) does not
    change what is chosen: each candidate keeps its utility (utility strategies)
    or the batch maps through the permutation, up to ties (batch strategies).
    Randomness keyed by the pool index or position (``context.uniform``, a
    bootstrap of the labeled rows, seeded tie-breaks) legitimately moves with
    the rows, so this is checked only on examples where the result changes
    with the seed neither for the original nor for the permuted pool (two
    reseeds each): a randomized strategy that also depends on row order is not
    caught here.
"""

from __future__ import annotations

import pickle
import reprlib
from collections.abc import Callable, Iterator
from functools import partial
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
from hypothesis import strategies as st
from sklearn.base import is_regressor

from alfunc.core.context import Context
from alfunc.core.frozen import freeze, readonly
from alfunc.core.state import ALState
from alfunc.core.validation import check_estimator
from alfunc.engine.selection import select
from alfunc.engine.steps import init_step
from alfunc.strategies import resolve_strategy, selects_batch
from alfunc.testing.data import fit_if_possible, fitted_state, pools, states
from alfunc.testing.estimators import default_estimator
from alfunc.testing.report import PropertyFailed, call, global_rng_seeded, search, shown

DEFAULT_MAX_EXAMPLES = 50
DEFAULT_MAX_ROWS = 12

STRATEGY_PROPERTIES = MappingProxyType(
    {
        "runs": "the strategy runs on every valid state, edges included",
        "finite": "one utility per candidate, none NaN or +inf",
        "pure": "the strategy leaves X, the state and the model unchanged",
        "deterministic": "the same state gives the same result, whatever the global random state",
        "unlabeled": "only unlabeled candidates are selected (utilities belong to the rows given)",
        "distinct": "no index is selected twice",
        "batch_size": "exactly min(batch_size, n_unlabeled) indices are selected",
        "chunking": "chunked scoring and selection equal the unchunked ones",
        "row_order": "permuting the pool rows permutes the selection (up to ties and seeded randomness)",
    }
)


@attrs.frozen(eq=False)
class StrategyExample:
    """One checked situation: a read-only pool, a state over it, a batch size, a chunk size, a row permutation.

    Examples
    --------
    What a failure shows as its example:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.testing import CentroidClassifier
    >>> from alfunc.testing.strategy_check import StrategyExample
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 1, 0, 1, 0, 1])
    >>> state = al.fit_step(al.init_step(X, y, 2, random_state=0), X, CentroidClassifier())
    >>> print(StrategyExample(X, y, state, batch_size=3, chunk_size=2, permutation=np.arange(6)[::-1]))
    X = [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]
    y = [0, 1, 0, 1, 0, 1]
    state: labeled = [3, 4] (acquisition order), labels = [1, 0], iteration = 0, seed = 0, model = CentroidClassifier()
    batch_size = 3, chunk_size = 2, row permutation = [5, 4, 3, 2, 1, 0]
    """

    X: np.ndarray
    y: np.ndarray
    state: ALState
    batch_size: int
    chunk_size: int
    permutation: np.ndarray
    edge: str = ""

    def __str__(self) -> str:
        state = self.state
        pending = "" if state.pending is None else f", pending = {state.pending.indices.tolist()}"
        return "\n".join(
            ([f"edge case: {self.edge}"] if self.edge else [])
            + [
                f"X = {self.X.tolist()}",
                f"y = {self.y.tolist()}",
                f"state: labeled = {state.labeled.tolist()} (acquisition order), labels = {state.labels.tolist()}, "
                f"iteration = {state.iteration}, seed = {state.seed}{pending}, model = {state.model!r}",
                f"batch_size = {self.batch_size}, chunk_size = {self.chunk_size}, "
                f"row permutation = {self.permutation.tolist()}",
            ]
        )


def check_strategy(
    strategy: str | Callable,
    *,
    estimator: Any = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> None:
    """Check a strategy (a function or a registered name) against the strategy contract.

    Runs the properties of ``STRATEGY_PROPERTIES`` (see this module's docstring)
    on fixed edge cases (see this module's docstring) and ``max_examples`` generated states over pools of
    at most ``max_rows`` rows, and raises ``PropertyFailed`` (an
    ``AssertionError``) naming the first broken property and showing the
    shrunk example. Returns None when every property holds.

    ``estimator`` (unfitted) is what the states are fitted with; by default
    ``default_estimator(strategy)``: a ``TinyRidge`` for a strategy marked
    ``needs_regressor``, a small random forest for one marked ``needs_ensemble``,
    else a ``CentroidClassifier``. Pass your own when the strategy needs more
    (``decision_function``, ``estimators_``, ...); states it cannot fit (it
    raises ``ValueError``, e.g. on one class) are skipped. A regressor
    (``sklearn.base.is_regressor``) gets pools with real targets, any other
    estimator integer class labels.

    Parameters
    ----------
    strategy : str or callable
        A registered name or a strategy function (utility or batch).
    estimator : estimator, default=None
        The unfitted estimator states are fitted with (``None``: ``default_estimator(strategy)``).
    max_examples : int, default=50
        Generated states to check, besides the fixed edge cases.
    max_rows : int, default=12
        Most rows of a generated pool.

    Raises
    ------
    PropertyFailed
        Naming the first broken property, with the shrunk example.

    Examples
    --------
    A strategy that holds every property returns None:

    >>> import numpy as np
    >>> from alfunc.testing import STRATEGY_PROPERTIES, PropertyFailed, check_strategy
    >>> def closest_to_zero(model, X, context):
    ...     return -np.abs(X).sum(axis=1)
    >>> check_strategy(closest_to_zero, max_examples=10)
    >>> check_strategy("margin", max_examples=5)  # a registered name works too
    >>> list(STRATEGY_PROPERTIES)
    ['runs', 'finite', 'pure', 'deterministic', 'unlabeled', 'distinct', 'batch_size', 'chunking', 'row_order']

    A broken one raises ``PropertyFailed`` naming the property. This strategy
    scores each row against the closest row *it is given*, so its utilities
    change with the chunk the rows come in. (``max_rows=2`` keeps the demo
    fast: such pools leave one candidate, where the bug cannot show, and an
    edge case catches it; a real check keeps the default.)

    >>> def relative_to_closest(model, X, context):
    ...     distance = np.abs(X).sum(axis=1)
    ...     return distance.min() - distance
    >>> try:
    ...     check_strategy(relative_to_closest, max_examples=5, max_rows=2)
    ... except PropertyFailed as failure:
    ...     print(failure)
    property 'chunking' does not hold: chunked scoring and selection equal the unchunked ones
      scored in chunks of 1, candidates [0, 1, 2, 5] got [0.0, 0.0, 0.0, 0.0] instead of [0.0, -1.0, -2.0, -5.0]
    failing example (shrunk):
      edge case: batch larger than the unlabeled pool
      X = [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]
      y = [0, 1, 0, 1, 0, 1]
      state: labeled = [3, 4] (acquisition order), labels = [1, 0], iteration = 0, seed = 0,
      model = CentroidClassifier()
      batch_size = 7, chunk_size = 1, row permutation = [5, 4, 3, 2, 1, 0]
    """
    name, score = resolve_strategy(strategy)
    estimator = default_estimator(score) if estimator is None else check_estimator(estimator)
    task = "regression" if is_regressor(estimator) else "classification"
    examples = _generated_examples(task, estimator, max_rows)
    search(partial(_check_example, score), _edge_examples(task, estimator), examples, max_examples, STRATEGY_PROPERTIES)


@st.composite
def _generated_examples(draw: st.DrawFn, task: str, estimator: Any, max_rows: int) -> StrategyExample:
    X, y = draw(pools(min_rows=2, max_rows=max_rows, task=task))
    state = draw(states((X, y), estimator=estimator, min_unlabeled=1))
    if state.model is None:  # the initial set, not yet fitted: strategies may need a model
        state = fitted_state(state, X, estimator)
    n_unlabeled = state.n_unlabeled
    return StrategyExample(
        X=readonly(X),
        y=y,
        state=state,
        batch_size=draw(st.integers(1, n_unlabeled + 2)),
        chunk_size=draw(st.integers(1, n_unlabeled)),
        permutation=np.asarray(draw(st.permutations(range(len(y))))),
    )


def _edge_examples(task: str, estimator: Any) -> Iterator[StrategyExample]:
    """The edges of the contract, each as a small fitted example (skipped if the estimator cannot fit it).

    Each edge starts from ``n_init`` random points or from given initial
    indices; the last three are about class labels, so only classifiers get them.
    """
    line = np.arange(6.0).reshape(-1, 1)
    alternating = np.arange(6) % 2
    three = np.arange(6) % 3
    edges: list[tuple[str, np.ndarray, np.ndarray, int | list[int], int]] = [
        ("one unlabeled point left", line[:4], alternating[:4], 3, 2),
        ("batch larger than the unlabeled pool", line, alternating, 2, 7),
        ("one class in the labeled set", line, np.zeros(6, dtype=np.int64), 3, 2),
        ("ties everywhere: identical rows", np.zeros((6, 2)), alternating, 2, 3),
    ]
    if task == "classification":
        edges += [
            ("labels 1..k, not 0..k-1", line, three + 1, 3, 2),
            ("string labels", line, np.array(["ant", "bee", "cat"])[three], 3, 2),
            ("a class of the pool absent from the labeled set (labels 1, 2 of 0, 1, 2)", line, three, [1, 2, 4, 5], 2),
        ]
    for edge, X, y, start, batch_size in edges:
        y = y.astype(np.float64) if task == "regression" else y
        initial = init_step(X, y, start, random_state=0) if isinstance(start, int) else init_step(X, y, initial=start)
        state = fit_if_possible(initial, X, estimator)
        if state is not None:
            yield StrategyExample(readonly(X), y, state, batch_size, 1, np.arange(len(y))[::-1], edge)


def _check_example(score: Callable, example: StrategyExample) -> None:
    if selects_batch(score):
        _check_batch_strategy(score, example)
    else:
        _check_utility_strategy(score, example)
    _check_selection(score, example)


def _check_utility_strategy(score: Callable, example: StrategyExample) -> None:
    state, X = example.state, example.X
    candidates = state.unlabeled()
    X_before, model_before = X.copy(), _pickled(state.model)
    with global_rng_seeded(0):
        utilities = _utilities(score, state, X, candidates)
    _check_pure(example, X_before, model_before)
    with global_rng_seeded(1):
        again = _utilities(score, state, X, candidates)
    if not _identical(utilities, again):
        _broken_determinism(utilities, again)
    reversed_order = _utilities(score, state, X, candidates[::-1])
    if not _close(reversed_order, utilities[::-1]).all():
        raise PropertyFailed(
            "unlabeled",
            f"asked for candidates {shown(candidates[::-1])} it returned {shown(reversed_order)}, not the utilities "
            f"{shown(utilities[::-1])} it gave those rows before: its utilities belong to other rows than the "
            "candidates (labeled ones, or rows taken by position)",
        )
    chunks = [
        _utilities(score, state, X, candidates[start : start + example.chunk_size])
        for start in range(0, candidates.size, example.chunk_size)
    ]
    chunked = np.concatenate(chunks)
    if not _close(chunked, utilities).all():
        raise PropertyFailed(
            "chunking",
            f"scored in chunks of {example.chunk_size}, candidates {shown(candidates)} got {shown(chunked)} "
            f"instead of {shown(utilities)}",
        )
    _check_row_order_utilities(score, example, utilities)


def _check_batch_strategy(score: Callable, example: StrategyExample) -> None:
    state, X = example.state, example.X
    k = min(example.batch_size, state.n_unlabeled)
    X_before, model_before = X.copy(), _pickled(state.model)
    with global_rng_seeded(0):
        indices, utilities = _batch(score, state, X, k)
    _check_pure(example, X_before, model_before)
    with global_rng_seeded(1):
        again = _batch(score, state, X, k)
    if not (_identical(indices, again[0]) and _identical(utilities, again[1])):
        _broken_determinism(utilities, again[1], (indices, again[0]))
    labeled = indices[~np.isin(indices, state.unlabeled())]
    if labeled.size:
        raise PropertyFailed("unlabeled", f"it chose {shown(labeled)}, which are labeled or not in the pool")
    if np.unique(indices).size != indices.size:
        raise PropertyFailed("distinct", f"it chose {shown(indices)}: some index twice")
    if indices.size != k:
        raise PropertyFailed("batch_size", f"asked for {k} indices, it returned {indices.size}: {shown(indices)}")
    _check_row_order_batch(score, example, indices, utilities)


def _check_selection(score: Callable, example: StrategyExample) -> None:
    """What ``select`` makes of the strategy: size, subset, distinctness, determinism, chunking."""
    state = example.state
    with global_rng_seeded(0):
        chosen, utilities = _selected(score, example, None)
    expected = min(example.batch_size, state.n_unlabeled)
    if np.isin(chosen, state.labeled).any():
        raise PropertyFailed("unlabeled", f"select chose {shown(chosen)}, some of them labeled")
    if np.unique(chosen).size != chosen.size:
        raise PropertyFailed("distinct", f"select chose {shown(chosen)}: some index twice")
    if chosen.size != expected:
        raise PropertyFailed(
            "batch_size", f"select returned {chosen.size} indices for min(batch_size, n_unlabeled) = {expected}"
        )
    with global_rng_seeded(2):
        again = _selected(score, example, None)
    if not (_identical(chosen, again[0]) and _identical(utilities, again[1])):
        _broken_determinism(utilities, again[1], (chosen, again[0]))
    if not selects_batch(score):
        chunked, chunked_utilities = _selected(score, example, example.chunk_size)
        if not _same_batch(chosen, utilities, chunked, chunked_utilities):
            raise PropertyFailed(
                "chunking",
                f"select chose {shown(chosen)} (utilities {shown(utilities)}) in one chunk but {shown(chunked)} "
                f"(utilities {shown(chunked_utilities)}) with chunk_size={example.chunk_size}",
            )


def _check_row_order_utilities(score: Callable, example: StrategyExample, utilities: np.ndarray) -> None:
    state, X, permutation = example.state, example.X, example.permutation
    candidates = state.unlabeled()
    if not _seed_free(score, state, X, utilities):
        return  # the utilities depend on the seed here: nothing order-free to compare
    moved, moved_X = _permuted(state, permutation), readonly(X[permutation])
    moved_candidates = moved.unlabeled()
    moved_utilities = _utilities(score, moved, moved_X, moved_candidates)
    if not _seed_free(score, moved, moved_X, moved_utilities):
        return
    by_old_index = np.empty(state.n_pool)
    by_old_index[permutation[moved_candidates]] = moved_utilities
    differs = ~_close(by_old_index[candidates], utilities)
    if differs.any():
        raise PropertyFailed(
            "row_order",
            f"with the rows permuted, candidates {shown(candidates[differs])} scored "
            f"{shown(by_old_index[candidates][differs])} instead of {shown(utilities[differs])}",
        )


def _check_row_order_batch(
    score: Callable, example: StrategyExample, indices: np.ndarray, utilities: np.ndarray
) -> None:
    state, X, permutation = example.state, example.X, example.permutation
    if not _seed_free(score, state, X, indices):
        return  # the batch depends on the seed (randomness or seeded tie-breaks): nothing order-free to compare
    moved, moved_X = _permuted(state, permutation), readonly(X[permutation])
    moved_indices, moved_utilities = _batch(score, moved, moved_X, indices.size)
    if not _seed_free(score, moved, moved_X, moved_indices):
        return
    mapped = permutation[np.asarray(moved_indices)]
    if not _same_batch(np.sort(indices), utilities, np.sort(mapped), moved_utilities):
        raise PropertyFailed(
            "row_order",
            f"it chose {shown(indices)} (utilities {shown(utilities)}), but with the rows permuted the rows "
            f"{shown(mapped)} (utilities {shown(moved_utilities)})",
        )


def _seed_free(score: Callable, state: ALState, X: np.ndarray, result: np.ndarray) -> bool:
    """Whether the strategy gives the same ``result`` on ``state`` under two other root seeds.

    ``result`` is the utilities of a utility strategy or the batch of a batch
    strategy. Asked of both the original and the permuted pool, so that a
    randomized strategy rarely passes for a deterministic one by coincidence.
    """
    for salt in (0x5EED, 0xC0FFEE):
        other = attrs.evolve(state, history=attrs.evolve(state.history, seed=state.seed ^ salt))
        if selects_batch(score):
            same = bool(np.array_equal(np.sort(_batch(score, other, X, result.size)[0]), np.sort(result)))
        else:
            same = bool(_close(_utilities(score, other, X, state.unlabeled()), result).all())
        if not same:
            return False
    return True


def _check_pure(example: StrategyExample, X_before: np.ndarray, model_before: bytes | None) -> None:
    if not np.array_equal(example.X, X_before):
        changed = np.flatnonzero((example.X != X_before).any(axis=1))
        raise PropertyFailed("pure", f"the strategy changed rows {shown(changed)} of X")
    if model_before is not None and _pickled(example.state.model) != model_before:
        raise PropertyFailed("pure", "the strategy changed the state's model (refit it in place?); fit a clone instead")


def _broken_determinism(first: np.ndarray, second: np.ndarray, choices: tuple | None = None) -> None:
    chosen = "" if choices is None else f" chose {shown(choices[0])} then {shown(choices[1])} and"
    gap = f" (apart by up to {np.nanmax(np.abs(first - second)):.3g})" if first.shape == second.shape else ""
    raise PropertyFailed(
        "deterministic",
        f"two calls on the same state{chosen} gave utilities {shown(first)} then {shown(second)}{gap}; "
        "the global numpy/random generators were reseeded in between: draw from context.uniform or "
        "context.generator instead",
    )


def _utilities(score: Callable, state: ALState, X: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """A direct call of a utility strategy on read-only candidate rows, checked for 'finite'."""
    context = Context(state, X, freeze(candidates.copy()), state.next_iteration)
    raw = call("the strategy", score, state.model, freeze(X[candidates]), context)
    if np.shape(raw) == (state.n_pool,) != (candidates.size,):
        raise PropertyFailed(
            "unlabeled",
            f"asked for {candidates.size} candidate(s), it returned one utility per pool row ({state.n_pool}), "
            "labeled rows included: score X (the candidate rows), not context.X",
        )
    return _finite(raw, candidates.size, f"for {candidates.size} candidate(s)")


def _batch(score: Callable, state: ALState, X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """A direct call of a batch strategy, with its answer's shape and utilities checked."""
    context = Context(state, X, freeze(state.unlabeled()), state.next_iteration)
    answer = call("the strategy", score, state.model, X, context, k)
    try:
        raw_indices, raw_utilities = answer
        indices = np.asarray(raw_indices)
    except (TypeError, ValueError):
        raise PropertyFailed("batch_size", f"it returned {answer!r}, not a pair (indices, utilities)") from None
    if indices.ndim != 1 or indices.dtype.kind not in "iu":
        raise PropertyFailed("batch_size", f"it returned indices {indices!r}, not a 1-D integer array")
    return indices, _finite(raw_utilities, indices.size, f"for {indices.size} chosen index(es)")


def _selected(score: Callable, example: StrategyExample, chunk_size: int | None) -> tuple[np.ndarray, np.ndarray]:
    return call(
        "select",
        partial(select, return_utilities=True, chunk_size=chunk_size),
        example.state,
        example.X,
        score,
        example.batch_size,
    )


def _finite(raw: Any, n: int, what: str) -> np.ndarray:
    """The utilities as floats, by ``select``'s rule: real numbers (not strings, even numeric ones, nor None)."""
    try:
        array = np.asarray(raw)
        odd = array.dtype.kind == "O" and any(v is None or isinstance(v, (str, bytes)) for v in array.ravel())
        if odd or array.dtype.kind not in "biufO":
            raise TypeError(array.dtype)
        utilities = array.astype(np.float64)
    except (TypeError, ValueError):
        raise PropertyFailed("finite", f"it returned {reprlib.repr(raw)} {what}, not real numbers") from None
    if utilities.shape != (n,):
        raise PropertyFailed("finite", f"it returned utilities of shape {utilities.shape} {what}; expected ({n},)")
    if np.isnan(utilities).any() or np.isposinf(utilities).any():
        raise PropertyFailed("finite", f"it returned {shown(utilities)} {what}: NaN or +inf")
    return utilities


def _permuted(state: ALState, permutation: np.ndarray) -> ALState:
    """The same state over the pool ``X[permutation]``: every pool index mapped to its new row."""
    new_index = np.argsort(permutation)
    history = attrs.evolve(
        state.history, records=[attrs.evolve(r, queried=new_index[r.queried]) for r in state.history]
    )
    pending = None if state.pending is None else attrs.evolve(state.pending, indices=new_index[state.pending.indices])
    return attrs.evolve(state, labeled=new_index[state.labeled], history=history, pending=pending)


def _same_batch(a: np.ndarray, a_utilities: np.ndarray, b: np.ndarray, b_utilities: np.ndarray) -> bool:
    """The same indices, or batches whose utilities are equal as multisets (ties broken differently)."""
    same_utilities = a_utilities.shape == b_utilities.shape and _close(np.sort(a_utilities), np.sort(b_utilities)).all()
    return np.array_equal(a, b) or bool(same_utilities)


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality up to floating-point reassociation (infinities equal themselves)."""
    return np.isclose(a, b, rtol=1e-7, atol=1e-10)


def _identical(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def _pickled(model: Any) -> bytes | None:
    """The model's pickle, to detect changes; None for a model that cannot be pickled."""
    try:
        return pickle.dumps(model)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
