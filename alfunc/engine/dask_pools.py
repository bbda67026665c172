"""``select`` over a Dask pool: the blocks are scored on the workers, their top-k merged on the client.

``alfunc.select`` hands a ``dask.array`` (2-D) or ``dask.dataframe`` pool to
``dask_select``. Each row block (partition) becomes one task that scores the
block's unlabeled, not excluded rows with the strategy, a chunk at a time
(the same streaming top-k as in memory, so a worker's memory is bounded by the
block it holds), and reduces them to the block's own top ``k`` with
``alfunc.core.ranking.top_k`` and the selection's seeded tie-break salt. The
client merges the block top-ks with the same ``top_k``. ``top_k`` orders by
(utility, salted hash of the pool index, index), a total order, so the best
``k`` of the union of every block's best ``k`` is the best ``k`` of the pool:
the batch is exactly the in-memory pool's batch (indices, order, utilities),
for any blocks.

The state (and so the model) and the strategy enter the task graph once, each
under one key, so every worker receives them once, not once per block. What a
strategy sees on a worker is its candidate rows and a ``Context`` whose
``candidates`` are their pool indices and whose pool is a
``alfunc.core.dask_rows.LabeledRows`` stand-in: the labeled rows only, gathered
once on the client, and only when the strategy asks for them (a committee that
fits on the labeled set, such as ``"vote_entropy"``). Per-point strategies whose
utilities depend on the model, the candidate rows, the labeled set and
per-index randomness work: ``margin``, ``entropy``, ``least_confident``,
``breaking_ties``, ``random``, ``power_*``, the committees.

Refused up front, with a ``ValueError`` naming the strategy: batch strategies
(they choose the batch jointly over the whole pool), strategies that measure
distances or densities in the pool (marked ``uses_features``), and strategies
that read other rows of the pool through their context (expected error
reduction). A strategy is tried on one candidate row on the client before any
block is scored, so the last kind is found before the pass, not in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from alfunc.core.context import Context
from alfunc.core.dask_rows import LabeledRows, RowsNotOnWorker, block_lengths, dask_blocks, dask_compute, dask_take
from alfunc.core.ranking import top_k
from alfunc.core.rng import step_salt
from alfunc.core.rows import n_rows, row_block, row_blocks, take_rows
from alfunc.core.state import ALState, check_state
from alfunc.core.validation import check_positive_int, check_same_pool
from alfunc.engine.capabilities import check_capabilities
from alfunc.strategies import (
    Strategy,
    for_selection,
    needs_classifier,
    needs_features,
    needs_regressor,
    resolve_strategy,
    selects_batch,
)


@attrs.frozen
class SelectionRules:
    """``select``'s own rules, handed to the Dask path so both paths apply the same ones.

    Parameters
    ----------
    blocked : callable
        ``(state, exclude) -> mask`` over the pool, True where a point is labeled or excluded (checks ``exclude``).
    checked : callable
        ``(utilities, n_candidates, name) -> float64 utilities``, refusing what is not one real number per candidate.
    chunk_rows : callable
        ``(rows) -> int``, rows per model call for a block.

    Examples
    --------
    >>> from alfunc.engine.selection import SELECTION_RULES
    >>> SELECTION_RULES.checked([1, 0.5], 2, "mine").tolist()
    [1.0, 0.5]
    """

    blocked: Callable[[ALState, Any], np.ndarray]
    checked: Callable[[Any, int, str], np.ndarray]
    chunk_rows: Callable[[Any], int]


WHAT_TO_DO = (
    "compute the pool (X.compute(), or save it as a memmap) and select in memory, or shortlist candidates on the "
    "Dask pool with a per-point strategy such as 'margin', compute those rows and run this strategy on them"
)


def dask_select(
    state: ALState,
    X: Any,
    strategy: str | Strategy = "margin",
    batch_size: int = 10,
    *,
    chunk_size: int | None = None,
    exclude: Any = None,
    return_utilities: bool = False,
    rules: SelectionRules,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``select`` over a Dask pool: score the blocks on the workers, merge their top-k on the client.

    ``alfunc.select`` calls it for a Dask pool; the batch is exactly the one
    the same pool in memory gives, for any blocks. Dask's current scheduler
    runs the tasks (a ``distributed.Client`` when one is active).

    Parameters
    ----------
    state : ALState
        The state to choose from (fitted, unless the strategy needs no model).
    X : dask.array.Array or dask.dataframe.DataFrame
        The pool: a 2-D dask array with known chunk sizes, or a dask DataFrame.
    strategy : str or callable, default="margin"
        A per-point (utility) strategy: a name from ``alfunc.STRATEGIES`` or a function.
    batch_size : int, default=10
        Points to choose; capped by the number of candidates.
    chunk_size : int, default=None
        Rows per model call within a block (``None``: sized by the block's rows); the result does not depend on it.
    exclude : array-like of int, default=None
        Unlabeled pool indices that must not be chosen.
    return_utilities : bool, default=False
        Also return the chosen points' utilities.
    rules : SelectionRules
        ``select``'s own checks (excluded indices, utilities) and chunk sizing, passed by ``select`` so that the
        two paths never differ.

    Returns
    -------
    indices : ndarray of int
        The chosen pool indices, best first.
    utilities : ndarray of float
        Their utilities, only with ``return_utilities=True``.

    Examples
    --------
    >>> import numpy as np
    >>> import dask
    >>> import dask.array as da
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X, y = make_classification(300, random_state=0)
    >>> pool = da.from_array(X, chunks=(70, -1))  # five row blocks
    >>> state = al.fit_step(al.init_step(pool, y, n_init=10, random_state=0), pool, LogisticRegression())
    >>> with dask.config.set(scheduler="synchronous"):
    ...     picked = al.select(state, pool, "margin", 5)
    >>> bool((picked == al.select(state, X, "margin", 5)).all())  # the in-memory pool's batch
    True

    Strategies that need the whole pool are refused before any work:

    >>> al.select(state, pool, "k_center_greedy", 5)
    Traceback (most recent call last):
    ...
    ValueError: strategy 'k_center_greedy' cannot run on a Dask pool: it chooses its batch jointly over the whole pool (a batch strategy), which blocks scored apart cannot do; compute the pool (X.compute(), or save it as a memmap) and select in memory, or shortlist candidates on the Dask pool with a per-point strategy such as 'margin', compute those rows and run this strategy on them
    """
    check_state(state)
    name, score = resolve_strategy(strategy)
    k = check_positive_int(batch_size, "batch_size")
    X = check_same_pool(X, state.n_pool, state.history.info)
    chunk = None if chunk_size is None else check_positive_int(chunk_size, "chunk_size")
    _refuse_whole_pool(name, score)
    if (needs_classifier(score) or needs_regressor(score)) and state.model is None:
        raise ValueError(f"strategy {name!r} needs a fitted model; call fit_step on the state first")
    if state.model is not None:
        check_capabilities(name, score, state.model, "the state's model")
    if state.n_unlabeled == 0:
        raise ValueError("the unlabeled pool is empty: every point is already labeled")
    blocked = rules.blocked(state, exclude)
    free = np.flatnonzero(~blocked)
    if free.size == 0:
        raise ValueError("exclude leaves no candidates: every unlabeled point is excluded")
    k = min(k, int(free.size))
    score = for_selection(score)  # a registered committee strategy: one instance (one committee fit) per worker
    lengths = block_lengths(X)
    stand_in = _worker_pool(state, X, name, score, lengths, int(free[0]), rules.checked)
    indices, utilities = _scored_on_workers(state, X, name, score, k, chunk, lengths, blocked, stand_in, rules)
    return (indices, utilities) if return_utilities else indices


def _refuse_whole_pool(name: str, score: Any) -> None:
    if selects_batch(score):
        why = "it chooses its batch jointly over the whole pool (a batch strategy), which blocks scored apart cannot do"
    elif needs_features(score):
        why = "it measures distances or densities over the pool (it reads context.features), which a block cannot see"
    else:
        return
    raise ValueError(f"strategy {name!r} cannot run on a Dask pool: {why}; {WHAT_TO_DO}")


def _worker_pool(
    state: ALState, X: Any, name: str, score: Any, lengths: np.ndarray, probe: int, checked: Any
) -> LabeledRows:
    """The pool a strategy sees on the workers: no rows, or the labeled rows if it asks for them (tried on one row).

    The strategy is called on the client with the candidate ``probe`` first
    with no rows of the pool at hand, then, if it asked for some, with the
    labeled rows; a strategy that still reads other rows is refused.
    """
    row = dask_take(X, np.array([probe]), lengths)
    candidates = np.array([probe], dtype=np.int64)
    empty = LabeledRows(
        np.empty(0, dtype=np.int64), row[:0] if not hasattr(row, "iloc") else row.iloc[:0], state.n_pool
    )
    try:
        checked(score(state.model, row, Context(state, empty, candidates, state.next_iteration)), 1, name)
        return empty
    except RowsNotOnWorker:
        pass
    labeled = np.sort(state.labeled)
    pool = LabeledRows(labeled, dask_take(X, labeled, lengths), state.n_pool)
    try:
        checked(score(state.model, row, Context(state, pool, candidates, state.next_iteration)), 1, name)
    except RowsNotOnWorker:
        raise ValueError(
            f"strategy {name!r} cannot run on a Dask pool: it reads rows of the pool beyond the candidates and "
            f"the labeled rows through its context (such as expected error reduction's evaluation points); "
            f"{WHAT_TO_DO}"
        ) from None
    return pool


def _scored_on_workers(
    state: ALState,
    X: Any,
    name: str,
    score: Any,
    k: int,
    chunk: int | None,
    lengths: np.ndarray,
    blocked: np.ndarray,
    stand_in: LabeledRows,
    rules: SelectionRules,
) -> tuple[np.ndarray, np.ndarray]:
    """One task per block that holds a candidate, the state, strategy and stand-in each in the graph once."""
    import dask

    salt = step_salt(state.seed, state.next_iteration, "tie-break")
    tag = uuid.uuid4().hex  # keys of this selection's shared objects: never hashed, never reused
    shared = [
        dask.delayed(value, name=f"alfunc-{what}-{tag}")
        for what, value in (("state", state), ("strategy", score), ("pool", stand_in), ("rules", rules))
    ]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    tasks = []
    for block, (start, stop) in zip(dask_blocks(X), zip(offsets[:-1], offsets[1:], strict=True), strict=True):
        local_blocked = np.flatnonzero(blocked[start:stop])
        if local_blocked.size == stop - start:
            continue
        tasks.append(
            dask.delayed(block_top_k, pure=True)(block, int(start), local_blocked, *shared, name, k, salt, chunk)
        )
    found = dask_compute(*tasks)
    indices = np.concatenate([part[0] for part in found])
    utilities = np.concatenate([part[1] for part in found])
    return top_k(indices, utilities, k, salt)


def block_top_k(
    block: Any,
    offset: int,
    blocked: np.ndarray,
    state: ALState,
    score: Any,
    pool: Any,
    rules: SelectionRules,
    name: str,
    k: int,
    salt: int,
    chunk_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` candidates of one block of the pool (run on a worker): a streaming top-k over its chunks.

    Parameters
    ----------
    block : ndarray or DataFrame
        The block's rows.
    offset : int
        Pool index of the block's first row.
    blocked : ndarray of int
        Positions in the block of rows that are not candidates (labeled or excluded).
    state : ALState
        The state selected from.
    score : callable
        The utility strategy.
    pool : object
        What the strategy's context holds as the pool (a ``LabeledRows`` stand-in).
    rules : SelectionRules
        ``select``'s checks and chunk sizing.
    name : str
        The strategy's name, for error messages.
    k : int
        Candidates to keep.
    salt : int
        The selection's tie-break salt (``step_salt(seed, iteration, "tie-break")``).
    chunk_size : int, default=None
        Rows per model call (``None``: ``rules.chunk_rows(block)``).

    Returns
    -------
    indices : ndarray of int
        Pool indices of the block's best ``k`` candidates, best first.
    utilities : ndarray of float
        Their utilities.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.core.rng import step_salt
    >>> from alfunc.engine.dask_pools import block_top_k
    >>> from alfunc.engine.selection import SELECTION_RULES
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> state = al.init_step(X, np.arange(10) % 2, n_init=2, random_state=0)
    >>> salt = step_salt(state.seed, state.next_iteration, "tie-break")
    >>> first = lambda model, rows, context: rows[:, 0]
    >>> best, _ = block_top_k(X[4:8], 4, np.array([0]), state, first, None, SELECTION_RULES, "first", 2, salt)
    >>> best.tolist()  # rows 5..7 are candidates; the largest first feature wins
    [7, 6]
    """
    size = n_rows(block)
    free = np.ones(size, dtype=bool)
    free[blocked] = False
    step = rules.chunk_rows(block) if chunk_size is None else chunk_size
    iteration = state.next_iteration
    best_idx = np.empty(0, dtype=np.int64)
    best_u = np.empty(0, dtype=np.float64)
    for start, stop in row_blocks(size, step):
        local = start + np.flatnonzero(free[start:stop])
        if local.size == 0:
            continue
        rows = row_block(block, start, stop) if local.size == stop - start else take_rows(block, local)
        candidates = offset + local.astype(np.int64)
        context = Context(state, pool, candidates, iteration)
        utilities = rules.checked(score(state.model, rows, context), candidates.size, name)
        chunk_idx, chunk_u = top_k(candidates, utilities, k, salt)
        best_idx, best_u = top_k(np.concatenate([best_idx, chunk_idx]), np.concatenate([best_u, chunk_u]), k, salt)
    return best_idx, best_u
