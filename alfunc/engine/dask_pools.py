"""``select`` over a Dask pool: the blocks are scored on the workers, their top-k merged on the client.

``alfunc.select`` hands a ``dask.array`` (2-D) or ``dask.dataframe`` pool to
``dask_top_k`` (after its own checks). Each row block (partition) becomes one task that scores the
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
from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.core.dask_rows import LabeledRows, RowsNotOnWorker, block_lengths, dask_blocks, dask_compute, dask_take
from alfunc.core.ranking import top_k
from alfunc.core.rng import step_salt
from alfunc.core.rows import n_rows
from alfunc.core.state import ALState
from alfunc.engine.candidates import checked_utilities, default_chunk_rows, streaming_top_k
from alfunc.strategies import (
    needs_features,
    selects_batch,
)

WHAT_TO_DO = (
    "compute the pool (X.compute(), or save it as a memmap) and select in memory, or shortlist candidates on the "
    "Dask pool with a per-point strategy such as 'margin', compute those rows and run this strategy on them"
)


def dask_top_k(
    state: ALState, X: Any, name: str, score: Any, k: int, chunk: int | None, blocked: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``select`` over a Dask pool: score the blocks on the workers, merge their top-k on the client.

    ``alfunc.select`` calls it for a Dask pool once it has checked its
    arguments (use ``select``); the batch is exactly the one the same pool in
    memory gives, for any blocks. Dask's current scheduler runs the tasks (a
    ``distributed.Client`` when one is active). The strategy is first tried on
    one candidate row on the client, to learn which rows of the pool it reads.

    Parameters
    ----------
    state : ALState
        The state to choose from.
    X : dask.array.Array or dask.dataframe.DataFrame
        The pool: a 2-D dask array with known chunk sizes, or a dask DataFrame.
    name : str
        The strategy's name, for error messages.
    score : callable
        A per-point (utility) strategy (see ``refuse_whole_pool``).
    k : int
        Points to choose (at most the number of candidates).
    chunk : int or None
        Rows per model call within a block (``None``: sized by the block's rows).
    blocked : ndarray of bool
        One flag per pool point: True where it is labeled or excluded.

    Returns
    -------
    indices : ndarray of int
        The chosen pool indices, best first.
    utilities : ndarray of float
        Their utilities.

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
    lengths = block_lengths(X)
    stand_in = _worker_pool(state, X, name, score, lengths, int(np.argmin(blocked)))
    return _scored_on_workers(state, X, name, score, k, chunk, lengths, blocked, stand_in)


def refuse_whole_pool(name: str, score: Any) -> None:
    """Refuse, naming the strategy, what blocks scored apart cannot compute: batch strategies and ``uses_features``.

    Parameters
    ----------
    name : str
        The strategy's name.
    score : callable
        The strategy.

    Examples
    --------
    >>> import alfunc as al
    >>> from alfunc.engine.dask_pools import refuse_whole_pool
    >>> refuse_whole_pool("margin", al.STRATEGIES["margin"])  # a per-point strategy: fine
    >>> refuse_whole_pool("dwus", al.STRATEGIES["dwus"])
    Traceback (most recent call last):
    ...
    ValueError: strategy 'dwus' cannot run on a Dask pool: it measures distances or densities over the pool (it reads context.features), which a block cannot see; compute the pool (X.compute(), or save it as a memmap) and select in memory, or shortlist candidates on the Dask pool with a per-point strategy such as 'margin', compute those rows and run this strategy on them
    """
    if selects_batch(score):
        why = "it chooses its batch jointly over the whole pool (a batch strategy), which blocks scored apart cannot do"
    elif needs_features(score):
        why = "it measures distances or densities over the pool (it reads context.features), which a block cannot see"
    else:
        return
    raise ValueError(f"strategy {name!r} cannot run on a Dask pool: {why}; {WHAT_TO_DO}")


def _worker_pool(state: ALState, X: Any, name: str, score: Any, lengths: np.ndarray, probe: int) -> LabeledRows:
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
        checked_utilities(score(state.model, row, Context(state, empty, candidates, state.next_iteration)), 1, name)
        return empty
    except RowsNotOnWorker:
        pass
    labeled = np.sort(state.labeled)
    pool = LabeledRows(labeled, dask_take(X, labeled, lengths), state.n_pool)
    try:
        checked_utilities(score(state.model, row, Context(state, pool, candidates, state.next_iteration)), 1, name)
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
) -> tuple[np.ndarray, np.ndarray]:
    """One task per block that holds a candidate, the state, strategy and stand-in each in the graph once."""
    import dask

    salt = step_salt(state.seed, state.next_iteration, "tie-break")
    tag = uuid.uuid4().hex  # keys of this selection's shared objects: never hashed, never reused
    shared = [
        dask.delayed(value, name=f"alfunc-{what}-{tag}")
        for what, value in (("state", state), ("strategy", score), ("pool", stand_in))
    ]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    tasks = []
    for block, (start, stop) in zip(dask_blocks(X), zip(offsets[:-1], offsets[1:], strict=True), strict=True):
        local_blocked = np.flatnonzero(blocked[start:stop])
        if local_blocked.size == stop - start:
            continue
        tasks.append(dask.delayed(block_top_k, pure=True)(block, int(start), local_blocked, *shared, name, k, chunk))
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
    name: str,
    k: int,
    chunk_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` candidates of one block of the pool (run on a worker): ``streaming_top_k`` over its rows.

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
    name : str
        The strategy's name, for error messages.
    k : int
        Candidates to keep.
    chunk_size : int, default=None
        Rows per model call (``None``: ``default_chunk_rows(block)``).

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
    >>> from alfunc.engine.dask_pools import block_top_k
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> state = al.init_step(X, np.arange(10) % 2, n_init=2, random_state=0)
    >>> first = lambda model, rows, context: rows[:, 0]
    >>> best, _ = block_top_k(X[4:8], 4, np.array([0]), state, first, None, "first", 2)
    >>> best.tolist()  # rows 5..7 are candidates; the largest first feature wins
    [7, 6]
    """
    mask = np.zeros(n_rows(block), dtype=bool)
    mask[blocked] = True
    step = default_chunk_rows(block) if chunk_size is None else chunk_size
    return streaming_top_k(block, mask, state, score, name, k, step, offset=offset, pool=pool)
