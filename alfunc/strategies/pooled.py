"""Chunked passes over pool rows for batch strategies: utilities and exact distances.

A batch strategy sees the whole pool, but must not copy it nor build a
pool x pool matrix. These helpers gather rows in chunks sized so that a chunk of
distances (chunk x centres) or of rows (chunk x features) stays below
``WORKING_ELEMENTS`` floats. Distances are exact Euclidean (``scipy`` ``cdist``),
so identical rows are at distance exactly 0, which the no-duplicate rule relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.spatial.distance import cdist

from alfunc.core.context import Context

WORKING_ELEMENTS = 1 << 22


def chunks(indices: np.ndarray, width: int) -> Iterator[np.ndarray]:
    """Consecutive slices of ``indices`` holding at most ``WORKING_ELEMENTS / width`` entries."""
    step = max(1, WORKING_ELEMENTS // max(1, width))
    for start in range(0, indices.size, step):
        yield indices[start : start + step]


def dense_rows(X: Any, indices: np.ndarray) -> np.ndarray:
    """The rows ``X[indices]`` as a dense float array (a chunk-sized copy)."""
    rows = X[indices]
    return np.asarray(rows.toarray() if sp.issparse(rows) else rows, dtype=np.float64)


def candidate_utilities(score: Callable, model: Any, X: Any, context: Context) -> np.ndarray:
    """A utility strategy's scores for every candidate of ``context``, computed chunk by chunk."""
    candidates = context.candidates
    parts = [
        np.asarray(score(model, X[part], Context(context.state, X, part, context.iteration)), dtype=np.float64)
        for part in chunks(candidates, X.shape[1])
    ]
    utilities = np.concatenate(parts) if parts else np.empty(0)
    if utilities.shape != candidates.shape or np.isnan(utilities).any():
        raise ValueError(
            f"strategy {getattr(score, '__name__', score)!r} must return one non-NaN utility per candidate"
        )
    return utilities


def nearest_distances(X: Any, rows: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """For each pool index in ``rows``, the Euclidean distance to its nearest row in ``centres``.

    ``inf`` when there are no centres. Memory: one chunk of rows x all centres.
    """
    nearest = np.full(rows.size, np.inf)
    if centres.size == 0:
        return nearest
    for centre_part in chunks(centres, X.shape[1]):
        centre_rows = dense_rows(X, centre_part)
        position = 0
        for part in chunks(rows, centre_part.size + X.shape[1]):
            block = cdist(dense_rows(X, part), centre_rows).min(axis=1)
            np.minimum(nearest[position : position + part.size], block, out=nearest[position : position + part.size])
            position += part.size
    return nearest


def distances_to(X: Any, rows: np.ndarray, index: int) -> np.ndarray:
    """Euclidean distance from each pool row in ``rows`` to the pool row ``index``."""
    return nearest_distances(X, rows, np.array([index]))


def distinct_rows(X: Any, indices: np.ndarray) -> np.ndarray:
    """Positions in ``indices`` of the first occurrence of each distinct row, in order."""
    if indices.size == 0:
        return np.empty(0, dtype=np.int64)
    _, first = np.unique(dense_rows(X, indices), axis=0, return_index=True)
    return np.sort(first)
