"""``select``: score the unlabeled pool in chunks and keep a streaming top-k.

Memory is bounded by the chunk, not the pool: candidate rows are a view of
``X`` when a chunk is wholly unlabeled and a chunk-sized copy otherwise; the
utilities of a chunk are reduced to its best ``k``, merged into the best ``k``
seen so far and dropped. Ties are broken by a seeded hash of the pool index, so
the batch does not depend on the chunk size nor favour low or high indices
(given utilities that do not depend on it: BLAS may change the last bit of a
model's scores with the number of rows per call, which can only reorder points
whose utilities lie within an ulp of each other).

The default chunk holds about ``DEFAULT_CHUNK_BYTES`` of pool rows (so wide
pools get fewer rows per chunk). ``benchmarks/bench_query.py --chunk-sizes``
measured it: around 1-2 MiB of rows per chunk keeps the model's temporaries in
cache and is faster than one whole-pool pass; beyond about 3 MiB per chunk
multithreaded BLAS made each chunk several times slower on a shared 2-core
machine, for 20 and for 100 features alike.
"""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np

from alfunc.core.context import Context
from alfunc.core.ranking import top_k
from alfunc.core.representation import check_representation, features_for
from alfunc.core.rng import step_salt
from alfunc.core.rows import OBJECT_CHUNK_ROWS, is_numeric, pool_kind, row_block, row_blocks, row_layout, take_rows
from alfunc.core.state import ALState, check_state
from alfunc.core.validation import check_positive_int, check_same_pool
from alfunc.engine.capabilities import check_capabilities
from alfunc.engine.dask_pools import SelectionRules, dask_select
from alfunc.strategies import (
    Strategy,
    for_selection,
    needs_classifier,
    needs_features,
    needs_regressor,
    resolve_strategy,
    selects_batch,
)

DEFAULT_CHUNK_BYTES = 2**21


@overload
def select(
    state: ALState,
    X: Any,
    strategy: str | Strategy = ...,
    batch_size: int = ...,
    *,
    chunk_size: int | None = ...,
    representation: Any = ...,
    exclude: Any = ...,
    return_utilities: Literal[False] = ...,
    progress: bool = ...,
) -> np.ndarray: ...
@overload
def select(
    state: ALState,
    X: Any,
    strategy: str | Strategy = ...,
    batch_size: int = ...,
    *,
    chunk_size: int | None = ...,
    representation: Any = ...,
    exclude: Any = ...,
    return_utilities: Literal[True],
    progress: bool = ...,
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def select(
    state: ALState,
    X: Any,
    strategy: str | Strategy = ...,
    batch_size: int = ...,
    *,
    chunk_size: int | None = ...,
    representation: Any = ...,
    exclude: Any = ...,
    return_utilities: bool = ...,
    progress: bool = ...,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]: ...
def select(
    state: ALState,
    X: Any,
    strategy: str | Strategy = "margin",
    batch_size: int = 10,
    *,
    chunk_size: int | None = None,
    representation: Any = None,
    exclude: Any = None,
    return_utilities: bool = False,
    progress: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Choose the next ``min(batch_size, n_unlabeled)`` pool indices to label (pure).

    Returns the indices best first, and their utilities with
    ``return_utilities=True``. Needs no labels; the randomness comes from the
    state's seed and iteration, so the same state always selects the same batch.
    ``X`` is any pool the estimator takes (see ``alfunc.core.rows``);
    ``representation`` is the geometry that distance-based strategies measure
    in (see ``alfunc.core.representation``; uncertainty strategies ignore it).
    A strategy must give one real number per candidate: anything else (None,
    strings, a wrong shape, NaN, ``+inf``) is refused, naming the strategy.
    ``-inf`` is allowed and ranks a candidate last. ``exclude`` lists pool
    indices that must not be chosen although unlabeled (a batch already out
    with an annotator, points they skipped); they stay in the pool, so
    strategies that estimate densities still see them. A Dask pool (a 2-D
    ``dask.array`` or a ``dask.dataframe``) is scored block by block on Dask's
    workers, giving the batch the same pool in memory gives (per-point
    strategies only; see ``alfunc.engine.dask_pools``).

    Parameters
    ----------
    state : ALState
        The state to choose from (fitted, unless the strategy needs no model).
    X : array-like, sparse matrix, DataFrame, list, dask array or dask DataFrame
        The pool the state's indices refer to.
    strategy : str or callable, default="margin"
        A name from ``alfunc.STRATEGIES``, a utility strategy ``(model, X_candidates, context) -> utilities`` or a
        batch strategy (see ``alfunc.strategies.batch_strategy``).
    batch_size : int, default=10
        Points to choose; capped by the number of unlabeled points.
    chunk_size : int, default=None
        Rows per model call when scoring the pool (``None``: sized by the pool's rows); the result does not depend
        on it.
    representation : {"input", "model"}, array-like or callable, default=None
        The space distance-based strategies measure in (``None``: ``"input"`` for numeric pools, ``"model"``
        otherwise).
    exclude : array-like of int, default=None
        Unlabeled pool indices that must not be chosen (out with an annotator, skipped); they stay in the
        pool for strategies that estimate densities.
    return_utilities : bool, default=False
        Also return the chosen points' utilities.
    progress : bool, default=False
        Let a long strategy show its progress (tqdm.auto, on stderr): ``Context.progress`` is set, and strategies
        such as ``eer_log_loss`` (its refits), ``typiclust`` and ``probcover`` (their picks) tick a bar through
        ``Context.ticking``. The batch does not depend on it.

    Returns
    -------
    indices : ndarray of int
        The chosen pool indices, best first.
    utilities : ndarray of float
        Their utilities, only with ``return_utilities=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, LogisticRegression(max_iter=1000))
    >>> indices, utilities = al.select(state, X, "margin", 5, return_utilities=True)
    >>> indices.shape, bool(np.isin(indices, state.labeled).any())  # 5 points, none labeled yet
    ((5,), False)
    >>> bool((np.diff(utilities) <= 0).all())  # best first
    True
    >>> bool((al.select(state, X, "margin", 5) == indices).all()), state.n_labeled  # pure
    (True, 10)

    ``batch_size`` is capped by the unlabeled pool; strategies that use the
    model need a fitted state, ``"random"`` does not:

    >>> al.select(state, X, "margin", 500).shape
    (140,)
    >>> unfitted = al.init_step(X, y, n_init=10, random_state=0)
    >>> al.select(unfitted, X, "random", 3).shape
    (3,)
    >>> al.select(unfitted, X, "margin", 3)
    Traceback (most recent call last):
    ...
    ValueError: strategy 'margin' needs a fitted model; call fit_step on the state first

    Points already out for labelling are left out with ``exclude``:

    >>> again = al.select(state, X, "margin", 5, exclude=indices[:2])
    >>> again[:3].tolist() == indices[2:].tolist(), bool(np.isin(indices[:2], again).any())
    (True, False)
    """
    if pool_kind(X) == "dask":  # blocks scored on Dask's workers, top-ks merged: alfunc.engine.dask_pools
        return dask_select(
            state,
            X,
            strategy,
            batch_size,
            chunk_size=chunk_size,
            exclude=exclude,
            return_utilities=return_utilities,
            rules=SELECTION_RULES,
        )
    check_state(state)
    name, score = resolve_strategy(strategy)
    k = check_positive_int(batch_size, "batch_size")
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {type(progress).__name__} {progress!r}")
    X = check_same_pool(X, state.n_pool, state.history.info)
    representation = check_representation(representation, X)
    chunk = default_chunk_rows(X) if chunk_size is None else check_positive_int(chunk_size, "chunk_size")
    if (needs_classifier(score) or needs_regressor(score)) and state.model is None:
        raise ValueError(f"strategy {name!r} needs a fitted model; call fit_step on the state first")
    if state.model is not None:
        check_capabilities(name, score, state.model, "the state's model")
    if state.n_unlabeled == 0:
        raise ValueError("the unlabeled pool is empty: every point is already labeled")
    blocked = _blocked(state, exclude)
    available = state.n_pool - int(np.count_nonzero(blocked))
    if available == 0:
        raise ValueError("exclude leaves no candidates: every unlabeled point is excluded")
    k = min(k, available)
    score = for_selection(score)  # a registered committee strategy: fitted once for all chunks
    if needs_features(score):
        representation = features_for(representation, X, state.model).materialized(state.n_pool)
    if selects_batch(score):
        indices, utilities = _joint_batch(state, X, name, score, k, representation, blocked, bool(progress))
    else:
        indices, utilities = _streaming_top_k(state, X, name, score, k, chunk, representation, blocked, bool(progress))
    return (indices, utilities) if return_utilities else indices


def _blocked(state: ALState, exclude: Any) -> np.ndarray:
    """A mask over the pool, True where a point is labeled or excluded (checked: pool indices)."""
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


def _streaming_top_k(
    state: ALState,
    X: Any,
    name: str,
    score: Strategy,
    k: int,
    chunk: int,
    representation: Any,
    blocked: np.ndarray,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    iteration = state.next_iteration
    salt = step_salt(state.seed, iteration, "tie-break")
    best_idx = np.empty(0, dtype=np.int64)
    best_u = np.empty(0, dtype=np.float64)
    for start, stop in row_blocks(state.n_pool, chunk):
        free = ~blocked[start:stop]
        candidates = start + np.flatnonzero(free)
        if candidates.size == 0:
            continue
        rows = row_block(X, start, stop) if candidates.size == stop - start else take_rows(X, candidates)
        context = Context(state, X, candidates, iteration, representation, progress=progress)
        utilities = _checked_utilities(score(state.model, rows, context), candidates.size, name)
        chunk_idx, chunk_u = top_k(candidates, utilities, k, salt)
        best_idx, best_u = top_k(np.concatenate([best_idx, chunk_idx]), np.concatenate([best_u, chunk_u]), k, salt)
    return best_idx, best_u


def default_chunk_rows(X: Any) -> int:
    """Rows per chunk: about ``DEFAULT_CHUNK_BYTES`` of a numeric pool, ``OBJECT_CHUNK_ROWS`` of other rows.

    Documents, paths and mixed rows have no fixed size in memory; what a chunk
    of them costs is the model's featurisation, which ``OBJECT_CHUNK_ROWS``
    keeps to a few megabytes for short texts.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.engine.selection import DEFAULT_CHUNK_BYTES, default_chunk_rows
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


def _joint_batch(
    state: ALState,
    X: Any,
    name: str,
    choose: Any,
    k: int,
    representation: Any,
    blocked: np.ndarray,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Run a batch strategy over every candidate (unlabeled, not excluded) and check its answer."""
    candidates = np.flatnonzero(~blocked)
    context = Context(state, X, candidates, state.next_iteration, representation, progress=progress)
    answer = choose(state.model, X, context, k)
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise TypeError(f"batch strategy {name!r} must return a pair (indices, utilities), got {type(answer).__name__}")
    indices = np.asarray(answer[0])
    if indices.dtype.kind not in "iu":
        raise TypeError(f"batch strategy {name!r} must return integer pool indices, got dtype {indices.dtype}")
    if indices.shape != (k,):
        raise ValueError(f"batch strategy {name!r} must return {k} indices, got shape {indices.shape}")
    outside = indices[(indices < 0) | (indices >= state.n_pool)]
    if outside.size:
        raise ValueError(
            f"batch strategy {name!r} returned indices outside the pool [0, {state.n_pool}): {outside[:10].tolist()}"
        )
    if np.unique(indices).size != k or blocked[indices].any():
        raise ValueError(f"batch strategy {name!r} returned repeated, already labeled or excluded indices")
    return indices.astype(np.int64), _checked_utilities(answer[1], k, name)


def _checked_utilities(utilities: Any, n_candidates: int, name: str) -> np.ndarray:
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


SELECTION_RULES = SelectionRules(blocked=_blocked, checked=_checked_utilities, chunk_rows=default_chunk_rows)
