"""MaxHerding (Bae, Noh & Sutherland 2024, "Generalized Coverage for More Robust Low-Budget Active Learning").

Generalized coverage of a labeled set ``L`` is the average, over the pool,
of each point's largest kernel similarity to ``L``:

    GC(L) = mean_x max_{l in L} k(x, l),    k(x, y) = exp(-||x - y||^2 / (2 bandwidth^2)),

with feature rows scaled to unit length first (``normalize=True``, as for
the self-supervised features of the paper). MaxHerding adds, greedily, the
candidate that raises ``GC`` most: the gain of ``c`` is
``mean_x max(k(x, c) - m(x), 0)`` where ``m(x)`` is ``x``'s current best
similarity to the labeled points and the picks so far. ``GC`` is a
facility-location function, so gains only shrink as the batch grows, and
the greedy pass is lazy: after a pick only the candidates whose stale gain
could still be the best are rescored (``rescore`` at a time), which gives
exactly the picks of the plain greedy pass.

Bounded cost: the average over ``x`` runs over a reference sample of at most
``n_reference`` unlabeled points (the smallest hashes of the seed and the pool
index, ``alfunc.strategies.subsample``; all of them when there are fewer). Labeled points are already covered
(``k(l, l) = 1``) and add no gain, so the unlabeled ones are the whole
reference. Scoring every candidate costs ``n_candidates x n_reference``
kernel values, in chunks of candidates (memory: a chunk x the reference,
never pool x pool); with the default 1,000 references a 100,000-point pool
takes 10^8 kernel values per full pass. Distances are exact per pair
(``scipy`` ``cdist``), so results do not depend on the chunk size.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

from alfunc.core.context import Context
from alfunc.core.representation import Features
from alfunc.core.validation import check_positive_int, is_real
from alfunc.strategies.base import BatchStrategy, batch_strategy, described, uses_features
from alfunc.strategies.farthest import best_position
from alfunc.strategies.pooled import WORKING_ELEMENTS, geometry
from alfunc.strategies.subsample import hashed_subset

RESCORE = 256
KERNEL_ELEMENTS = WORKING_ELEMENTS // 8  # a chunk's kernel values (4 MiB): its few temporaries stay small


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit Euclidean length (rows of zeros stay zero).

    Parameters
    ----------
    rows : ndarray of shape (n, width)

    Returns
    -------
    ndarray of shape (n, width)

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.maxherding import unit_rows
    >>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
    return rows / np.where(norms > 0, norms, 1.0)[:, None]


def gaussian_kernel(left: np.ndarray, right: np.ndarray, bandwidth: float) -> np.ndarray:
    """``exp(-||x - y||^2 / (2 bandwidth^2))`` for every row ``x`` of ``left`` and ``y`` of ``right``.

    Parameters
    ----------
    left, right : ndarray of shape (n, width), (m, width)
    bandwidth : float

    Returns
    -------
    ndarray of shape (n, m)

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.maxherding import gaussian_kernel
    >>> gaussian_kernel(np.array([[0.0], [2.0]]), np.array([[0.0]]), 1.0).round(4).tolist()
    [[1.0], [0.1353]]
    """
    return np.exp(-cdist(left, right, "sqeuclidean") / (2.0 * bandwidth**2))


def maxherding(
    bandwidth: float = 1.0, normalize: bool = True, n_reference: int = 1000, chunk_rows: int | None = None
) -> BatchStrategy:
    """MaxHerding: greedy maximisation of generalized coverage with a Gaussian kernel (see the module docstring).

    Needs no model. Utilities are each pick's coverage gain when it was
    picked (a mean over the reference points, so in [0, 1]). Ties go by a
    hashed uniform per candidate.

    Parameters
    ----------
    bandwidth : float, default 1.0
        The Gaussian kernel's width, in the units of the (normalized) features.
    normalize : bool, default True
        Scale feature rows to unit length first.
    n_reference : int, default 1000
        At most this many unlabeled points stand for the pool in the coverage.
    chunk_rows : int, optional
        Candidates per block of kernel values (default: about ``WORKING_ELEMENTS``
        values per block); results do not depend on it.

    Returns
    -------
    BatchStrategy
        The strategy, named ``"maxherding"`` for the defaults.

    Examples
    --------
    Points on a line, with the one at 0 labeled: the first pick sits in the
    middle of the largest uncovered group, the next in the other group:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies import maxherding
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1], [5.2], [9.0], [9.1]])
    >>> state = al.ALState(labeled=[0], labels=[0], n_pool=7, history=al.History(seed=0))
    >>> strategy = maxherding(bandwidth=0.5, normalize=False)
    >>> idx, gains = al.select(state, X, strategy, 2, return_utilities=True)
    >>> X[idx, 0].tolist(), bool(gains[0] > gains[1] > 0)
    ([5.1, 9.0], True)
    >>> maxherding(bandwidth=0)
    Traceback (most recent call last):
    ...
    ValueError: bandwidth must be a positive finite number, got 0
    """
    if not is_real(bandwidth) or not 0 < bandwidth < np.inf:
        raise ValueError(f"bandwidth must be a positive finite number, got {bandwidth!r}")
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize must be a bool, got {type(normalize).__name__}")
    references = check_positive_int(n_reference, "n_reference")
    rows_per_chunk = None if chunk_rows is None else check_positive_int(chunk_rows, "chunk_rows")
    width = float(bandwidth)

    @uses_features
    @batch_strategy
    def maxherding(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        candidates, features = context.candidates, geometry(context)
        state = context.state
        reference = hashed_subset(candidates, references, state.seed, context.iteration, "maxherding-reference")
        ref_rows = _rows(features, reference, normalize)
        step = rows_per_chunk or max(1, KERNEL_ELEMENTS // (reference.size + features.width))
        covered = np.zeros(reference.size)
        labeled = context.state.labeled
        for start in range(0, labeled.size, step):
            similar = gaussian_kernel(ref_rows, _rows(features, labeled[start : start + step], normalize), width)
            np.maximum(covered, similar.max(axis=1), out=covered)

        def gains(positions: np.ndarray) -> np.ndarray:
            values = np.empty(positions.size)
            for start in range(0, positions.size, step):
                part = positions[start : start + step]
                similar = gaussian_kernel(_rows(features, candidates[part], normalize), ref_rows, width)
                values[start : start + part.size] = np.maximum(similar - covered, 0.0).sum(axis=1) / reference.size
            return values

        tie = functools.partial(context.uniform, "maxherding")
        k = min(batch_size, candidates.size)
        bound = gains(np.arange(candidates.size))  # exact now; an upper bound once picks raise `covered`
        fresh = np.ones(candidates.size, dtype=bool)
        available = np.ones(candidates.size, dtype=bool)
        picks, values = np.empty(k, dtype=np.int64), np.empty(k)
        for round_ in range(k):
            while True:
                masked = np.where(available, bound, -np.inf)
                best = best_position(masked, available, tie)
                if fresh[best]:
                    break
                top = np.argpartition(-masked, min(RESCORE, masked.size - 1))[:RESCORE]
                stale = np.union1d(top[~fresh[top] & available[top]], [best])
                bound[stale], fresh[stale] = gains(stale), True
            picks[round_], values[round_] = best, bound[best]
            available[best] = False
            pick_row = _rows(features, candidates[best : best + 1], normalize)
            np.maximum(covered, gaussian_kernel(ref_rows, pick_row, width)[:, 0], out=covered)
            fresh[:] = False
        return candidates[picks], values

    if (width, normalize, references, rows_per_chunk) != (1.0, True, 1000, None):
        maxherding.__name__ = maxherding.__qualname__ = (
            f"maxherding(bandwidth={bandwidth}, normalize={normalize}, n_reference={references}, "
            f"chunk_rows={rows_per_chunk})"
        )
    return described(
        maxherding,
        "MaxHerding (Bae et al. 2024): greedy maximisation of generalized coverage with a Gaussian kernel on the "
        "representation.",
        f"Made by ``maxherding(bandwidth={bandwidth!r}, normalize={normalize!r}, n_reference={n_reference!r})``.",
    )


def _rows(features: Features, indices: np.ndarray, normalize: bool) -> np.ndarray:
    rows = features.rows(indices)
    return unit_rows(rows) if normalize else rows
