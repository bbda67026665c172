"""Which pool points a selection may choose, how many rows it scores at a time, and what a utility must be.

Shared by ``select``'s in-memory path and its Dask path
(``alfunc.engine.dask_pools``), so both apply the same rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.core.ranking import top_k
from alfunc.core.rng import step_salt
from alfunc.core.rows import (
    OBJECT_CHUNK_ROWS,
    is_numeric,
    n_rows,
    pool_kind,
    row_block,
    row_blocks,
    row_layout,
    take_rows,
)
from alfunc.core.state import ALState

DEFAULT_CHUNK_BYTES = 2**21


def default_chunk_rows(X: Any) -> int:
    """Rows per chunk: about ``DEFAULT_CHUNK_BYTES`` of a numeric pool, ``OBJECT_CHUNK_ROWS`` of other rows.

    Documents, paths and mixed rows have no fixed size in memory; what a chunk
    of them costs is the model's featurisation, which ``OBJECT_CHUNK_ROWS``
    keeps to a few megabytes for short texts.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.engine.candidates import DEFAULT_CHUNK_BYTES, default_chunk_rows
    >>> DEFAULT_CHUNK_BYTES  # 2 MiB
    2097152
    >>> default_chunk_rows(np.zeros((10, 20))), default_chunk_rows(np.zeros((10, 20), dtype=np.float32))
    (13107, 26214)
    >>> default_chunk_rows(["a document", "another"])
    8192
    """
    layout = row_layout(X)
    if not is_numeric(X) or layout is None:
        return OBJECT_CHUNK_ROWS
    if pool_kind(X) == "frame":
        row_bytes = sum(np.dtype(dtype).itemsize for dtype in X.dtypes)
    else:
        row_bytes = int(np.prod(layout)) * X.dtype.itemsize
    return max(1, DEFAULT_CHUNK_BYTES // max(1, row_bytes))


def unavailable(state: ALState, exclude: Any) -> np.ndarray:
    """A mask over the pool, True where a point is labeled or in ``exclude`` (checked: integer pool indices).

    Parameters
    ----------
    state : ALState
        The state whose labeled points are unavailable.
    exclude : array-like of int or None
        Further pool indices that must not be chosen.

    Returns
    -------
    ndarray of bool
        One flag per pool point; a new array.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.engine.candidates import unavailable
    >>> state = al.init_step(np.zeros((5, 1)), np.array([0, 1, 0, 1, 0]), initial=[0, 1])
    >>> unavailable(state, [3]).tolist()
    [True, True, False, True, False]
    >>> unavailable(state, [7])
    Traceback (most recent call last):
    ...
    ValueError: exclude must hold pool indices in [0, 5), got values from 7 to 7
    """
    blocked = state.labeled_mask()
    if exclude is None:
        return blocked
    excluded = np.asarray(exclude)
    if excluded.size == 0:
        return blocked
    if excluded.ndim != 1 or excluded.dtype.kind not in "iu":
        raise TypeError(
            f"exclude must be a 1-D array of integer pool indices, got {excluded.dtype} of shape {excluded.shape}"
        )
    if excluded.min() < 0 or excluded.max() >= state.n_pool:
        raise ValueError(
            f"exclude must hold pool indices in [0, {state.n_pool}), got values from {excluded.min()} to {excluded.max()}"
        )
    blocked[excluded] = True
    return blocked


def checked_utilities(utilities: Any, n_candidates: int, name: str) -> np.ndarray:
    """A strategy's utilities as float64, or an error that names the strategy and what it returned.

    The same rule for built-in strategies and users' own (and for the
    utilities of a batch strategy's batch): one real number per candidate.
    ``TypeError`` for ``None`` or values that are not real numbers (strings,
    even numeric ones, dates, complex numbers, objects); ``ValueError`` for a
    wrong shape, NaN or ``+inf`` (counted): NaN cannot be ranked, and ``+inf``
    ties every such candidate at the top whatever they hold, which is how an
    overflow or a division by zero shows. ``-inf`` is accepted: it ranks a
    candidate last, a strategy's way of saying "only if nothing else is left"
    (``expected_error_reduction`` gives it to the candidates it did not score).
    Booleans count as 0 and 1.

    Parameters
    ----------
    utilities : object
        What the strategy returned.
    n_candidates : int
        How many candidates it was asked to score.
    name : str
        The strategy's name, for the error message.

    Returns
    -------
    ndarray of float64
        The utilities.

    Examples
    --------
    >>> from alfunc.engine.candidates import checked_utilities
    >>> checked_utilities([1, 0.5, True], 3, "mine").tolist()
    [1.0, 0.5, 1.0]
    >>> checked_utilities([1.0, float("nan")], 2, "mine")
    Traceback (most recent call last):
    ...
    ValueError: strategy 'mine' returned NaN for 1 of 2 candidates; utilities must be finite numbers (-inf is allowed and ranks a candidate last)
    """
    if utilities is None:
        raise TypeError(f"strategy {name!r} returned None instead of {n_candidates} utilities (a missing return?)")
    try:
        array = np.asarray(utilities)
    except (TypeError, ValueError) as error:  # ragged nested lists, objects numpy cannot make an array of
        raise TypeError(
            f"strategy {name!r} returned a {type(utilities).__name__} that is not an array: {error}"
        ) from None
    if array.dtype.kind == "O":
        # astype would read numeric strings as numbers and None as NaN: neither is a utility
        odd = [value for value in array.ravel() if value is None or isinstance(value, (str, bytes))]
        try:
            if odd:
                raise TypeError(f"{len(odd)} of them None or strings, such as {odd[0]!r}")
            array = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"strategy {name!r} returned utilities that are not all real numbers ({type(utilities).__name__} "
                f"of objects: {error}); return a float array"
            ) from None
    elif array.dtype.kind not in "biuf":
        raise TypeError(
            f"strategy {name!r} returned utilities of dtype {array.dtype} ({type(utilities).__name__}); "
            "utilities must be real numbers: return a float array"
        )
    utilities = array.astype(np.float64, copy=False)
    if utilities.shape != (n_candidates,):
        raise ValueError(f"strategy {name!r} returned utilities of shape {utilities.shape}; expected ({n_candidates},)")
    rankable = utilities < np.inf  # False for NaN and +inf
    if not rankable.all():
        n_nan = int(np.isnan(utilities).sum())
        n_inf = int(n_candidates - rankable.sum()) - n_nan
        found = " and ".join(f"{what} for {count}" for count, what in ((n_nan, "NaN"), (n_inf, "+inf")) if count)
        raise ValueError(
            f"strategy {name!r} returned {found} of {n_candidates} candidates; utilities must be finite "
            "numbers (-inf is allowed and ranks a candidate last)"
        )
    return utilities


def streaming_top_k(
    rows: Any,
    blocked: np.ndarray,
    state: ALState,
    score: Any,
    name: str,
    k: int,
    chunk: int,
    *,
    offset: int = 0,
    pool: Any = None,
    representation: Any = None,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``k`` candidates among ``rows``, scored ``chunk`` rows at a time: memory of one chunk, not the rows.

    Each chunk's utilities are reduced to their best ``k`` and merged into
    the best ``k`` so far, by ``top_k`` with the selection's seeded tie-break
    salt: a total order, so neither the chunks nor (for a pool split into
    blocks) the blocks change the result. A chunk with no blocked row is
    passed to the strategy as a view.

    Parameters
    ----------
    rows : array-like, sparse matrix, DataFrame or list
        The rows to score: the whole pool, or one block of it.
    blocked : ndarray of bool
        One flag per row of ``rows``: True where the point is not a candidate (labeled or excluded).
    state : ALState
        The state selected from.
    score : callable
        The utility strategy.
    name : str
        The strategy's name, for error messages.
    k : int
        Candidates to keep.
    chunk : int
        Rows per call of the strategy.
    offset : int, default=0
        Pool index of the first row of ``rows``.
    pool : object, default=None
        What the strategy's context holds as the pool (``None``: ``rows``).
    representation : object, default=None
        The run's representation, for the context.
    progress : bool, default=False
        Whether long strategies may show progress (``Context.ticking``).

    Returns
    -------
    indices : ndarray of int
        Pool indices of the best ``k`` candidates, best first.
    utilities : ndarray of float
        Their utilities.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.engine.candidates import streaming_top_k
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> state = al.init_step(X, np.arange(10) % 2, initial=[8, 9])
    >>> first = lambda model, rows, context: rows[:, 0]
    >>> streaming_top_k(X, state.labeled_mask(), state, first, "first", 2, chunk=3)[0].tolist()
    [7, 6]
    >>> streaming_top_k(X[4:8], np.zeros(4, bool), state, first, "first", 2, chunk=1, offset=4)[0].tolist()
    [7, 6]
    """
    salt = step_salt(state.seed, state.next_iteration, "tie-break")
    pool = rows if pool is None else pool
    best_indices = np.empty(0, dtype=np.int64)
    best_utilities = np.empty(0, dtype=np.float64)
    for start, stop in row_blocks(n_rows(rows), chunk):
        local = start + np.flatnonzero(~blocked[start:stop])
        if local.size == 0:
            continue
        part = row_block(rows, start, stop) if local.size == stop - start else take_rows(rows, local)
        candidates = offset + local.astype(np.int64)
        context = Context(state, pool, candidates, state.next_iteration, representation, progress=progress)
        utilities = checked_utilities(score(state.model, part, context), candidates.size, name)
        chunk_indices, chunk_utilities = top_k(candidates, utilities, k, salt)
        best_indices, best_utilities = top_k(
            np.concatenate([best_indices, chunk_indices]), np.concatenate([best_utilities, chunk_utilities]), k, salt
        )
    return best_indices, best_utilities
