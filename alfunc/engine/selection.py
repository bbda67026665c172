"""``select``: score the unlabeled pool in chunks and keep a streaming top-k.

Memory is bounded by the chunk, not the pool: candidate rows are a view of
``X`` when a chunk is wholly unlabeled and a chunk-sized copy otherwise; the
utilities of a chunk are reduced to its best ``k``, merged into the best ``k``
seen so far and dropped. Ties are broken by a seeded hash of the pool index, so
the batch does not depend on the chunk size nor favour low or high indices
(given utilities that do not depend on it: BLAS may change the last bit of a
model's scores with the number of rows per call, which can only reorder points
whose utilities lie within an ulp of each other).

The default chunk holds about ``alfunc.engine.candidates.DEFAULT_CHUNK_BYTES`` of pool rows (so wide
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
from alfunc.core.representation import check_representation, features_for
from alfunc.core.rows import pool_kind
from alfunc.core.state import ALState, check_state
from alfunc.core.validation import check_positive_int, check_same_pool
from alfunc.engine.candidates import (
    checked_utilities,
    default_chunk_rows,
    streaming_top_k,
    unavailable,
)
from alfunc.engine.capabilities import check_capabilities
from alfunc.engine.dask_pools import dask_top_k, refuse_whole_pool
from alfunc.strategies import (
    Strategy,
    for_selection,
    needs_classifier,
    needs_features,
    needs_regressor,
    resolve_strategy,
    selects_batch,
)


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
    check_state(state)
    name, score = resolve_strategy(strategy)
    k = check_positive_int(batch_size, "batch_size")
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {type(progress).__name__} {progress!r}")
    X = check_same_pool(X, state.n_pool, state.history.info)
    on_dask = pool_kind(X) == "dask"
    if on_dask:
        refuse_whole_pool(name, score)
    representation = None if on_dask else check_representation(representation, X)
    chunk = None if chunk_size is None else check_positive_int(chunk_size, "chunk_size")
    if (needs_classifier(score) or needs_regressor(score)) and state.model is None:
        raise ValueError(f"strategy {name!r} needs a fitted model; call fit_step on the state first")
    if state.model is not None:
        check_capabilities(name, score, state.model, "the state's model")
    if state.n_unlabeled == 0:
        raise ValueError("the unlabeled pool is empty: every point is already labeled")
    blocked = unavailable(state, exclude)
    available = state.n_pool - int(np.count_nonzero(blocked))
    if available == 0:
        raise ValueError("exclude leaves no candidates: every unlabeled point is excluded")
    k = min(k, available)
    score = for_selection(score)  # a registered committee strategy: fitted once for all chunks
    if on_dask:
        found = dask_top_k(state, X, name, score, k, chunk, blocked)
    else:
        if needs_features(score):
            representation = features_for(representation, X, state.model).materialized(state.n_pool)
        if selects_batch(score):
            found = _joint_batch(state, X, name, score, k, representation, blocked, bool(progress))
        else:
            rows = default_chunk_rows(X) if chunk is None else chunk
            found = streaming_top_k(
                X, blocked, state, score, name, k, rows, representation=representation, progress=bool(progress)
            )
    return found if return_utilities else found[0]


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
    return indices.astype(np.int64), checked_utilities(answer[1], k, name)
