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
    """Consecutive slices of ``indices`` holding at most ``WORKING_ELEMENTS / width`` entries.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.pooled import WORKING_ELEMENTS, chunks
    >>> [part.tolist() for part in chunks(np.arange(5), 10)]  # narrow rows: one chunk
    [[0, 1, 2, 3, 4]]
    >>> [part.tolist() for part in chunks(np.arange(5), WORKING_ELEMENTS // 2)]  # two rows per chunk
    [[0, 1], [2, 3], [4]]
    """
    step = max(1, WORKING_ELEMENTS // max(1, width))
    for start in range(0, indices.size, step):
        yield indices[start : start + step]


def dense_rows(X: Any, indices: np.ndarray) -> np.ndarray:
    """The rows ``X[indices]`` as a dense float array (a chunk-sized copy).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.strategies.pooled import dense_rows
    >>> X = sp.csr_matrix(np.eye(3, dtype=np.int64))
    >>> rows = dense_rows(X, np.array([2, 0]))
    >>> rows.tolist(), rows.dtype.name
    ([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], 'float64')
    """
    rows = X[indices]
    return np.asarray(rows.toarray() if sp.issparse(rows) else rows, dtype=np.float64)


def candidate_utilities(score: Callable, model: Any, X: Any, context: Context) -> np.ndarray:
    """A utility strategy's scores for every candidate of ``context``, computed chunk by chunk.

    Examples
    --------
    How a batch strategy scores the whole unlabeled pool with a utility
    strategy, here margin (highest at the boundary, 0.0):

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import margin
    >>> from alfunc.strategies.pooled import candidate_utilities
    >>> X = np.linspace(-3, 3, 13).reshape(-1, 1)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    >>> X[context.candidates, 0].tolist()
    [-2.0, -1.5, -1.0, 0.0, 1.0, 2.0, 3.0]
    >>> candidate_utilities(margin, state.model, X, context).round(2).tolist()
    [0.25, 0.39, 0.58, 0.92, 0.45, 0.18, 0.07]

    A strategy must give one utility per candidate row:

    >>> def two_zeros(model, X, context):
    ...     return np.zeros(2)
    >>> candidate_utilities(two_zeros, state.model, X, context)
    Traceback (most recent call last):
    ...
    ValueError: strategy 'two_zeros' must return one non-NaN utility per candidate
    """
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

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.pooled import nearest_distances
    >>> X = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0], [0.0, 1.0]])
    >>> nearest_distances(X, np.array([1, 2, 3]), np.array([0])).tolist()
    [5.0, 10.0, 1.0]
    >>> nearest_distances(X, np.array([2, 3]), np.array([0, 1])).tolist()
    [5.0, 1.0]
    >>> nearest_distances(X, np.array([1, 2]), np.array([], dtype=np.int64)).tolist()
    [inf, inf]
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
    """Euclidean distance from each pool row in ``rows`` to the pool row ``index``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.pooled import distances_to
    >>> X = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    >>> distances_to(X, np.array([0, 1, 2]), 1).tolist()
    [5.0, 0.0, 5.0]
    """
    return nearest_distances(X, rows, np.array([index]))


def distinct_rows(X: Any, indices: np.ndarray) -> np.ndarray:
    """Positions in ``indices`` of the first occurrence of each distinct row, in order.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.pooled import distinct_rows
    >>> X = np.array([[1.0, 2.0], [0.0, 0.0], [1.0, 2.0], [5.0, 5.0]])
    >>> distinct_rows(X, np.array([0, 1, 2, 3])).tolist()
    [0, 1, 3]
    >>> distinct_rows(X, np.array([2, 0, 3])).tolist()  # positions into the given indices
    [0, 2]
    """
    if indices.size == 0:
        return np.empty(0, dtype=np.int64)
    _, first = np.unique(dense_rows(X, indices), axis=0, return_index=True)
    return np.sort(first)
