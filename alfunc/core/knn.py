"""Chunked exact nearest neighbours and ball counts between two sets of rows, in bounded memory.

Brute force over blocks of query rows against every reference row: a block
of squared distances holds at most ``BLOCK_ELEMENTS`` floats (8 MiB), never
a queries x references matrix. Squared distances come from the BLAS
expansion ``|q|^2 + |r|^2 - 2 q.r`` (one matrix product per block, much
faster than subtracting rows); the answers are then made exact: the
distances of the neighbours found are recomputed by subtracting the rows,
and pairs whose expanded distance lies within rounding of the radius are
decided by the subtracted distance. So the results do not depend on the
block size except through which of two neighbours at the same distance (to
rounding) is found first. Rows are dense float arrays or CSR matrices.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

BLOCK_ELEMENTS = 1 << 20
ROUNDING = 1e-10


def squared_norms(rows: Any) -> np.ndarray:
    """Squared Euclidean norm of each row of a dense array or a CSR matrix.

    Parameters
    ----------
    rows : ndarray or sparse matrix of shape (n, d)
        The rows.

    Returns
    -------
    ndarray of shape (n,)
        Their squared norms, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.knn import squared_norms
    >>> squared_norms(np.array([[3.0, 4.0], [0.0, 1.0]])).tolist()
    [25.0, 1.0]
    """
    if sp.issparse(rows):
        return np.asarray(rows.multiply(rows).sum(axis=1), dtype=np.float64).ravel()
    rows = np.asarray(rows, dtype=np.float64)
    return np.einsum("ij,ij->i", rows, rows)


def row_distances(left: Any, right: Any) -> np.ndarray:
    """Euclidean distance between ``left[i]`` and ``right[i]`` for each i, by subtracting the rows (exact).

    Parameters
    ----------
    left : ndarray or sparse matrix of shape (n, d)
        First rows.
    right : ndarray or sparse matrix of shape (n, d)
        Second rows, paired with the first by position.

    Returns
    -------
    ndarray of shape (n,)
        The n distances.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.knn import row_distances
    >>> row_distances(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[3.0, 4.0], [1.0, 1.0]])).tolist()
    [5.0, 0.0]
    """
    if sp.issparse(left) or sp.issparse(right):
        difference = sp.csr_matrix(left) - sp.csr_matrix(right)
        return np.sqrt(np.asarray(difference.multiply(difference).sum(axis=1), dtype=np.float64).ravel())
    difference = np.asarray(left, dtype=np.float64) - np.asarray(right, dtype=np.float64)
    return np.sqrt(np.einsum("ij,ij->i", difference, difference))


def distance_blocks(
    queries: Any, references: Any, block_elements: int = BLOCK_ELEMENTS
) -> Iterator[tuple[slice, np.ndarray]]:
    """Squared distances from consecutive blocks of ``queries`` to every row of ``references``.

    Yields ``(positions, squared)``: the slice of query rows and their
    ``block x n_references`` squared distances (expanded, clipped at 0), each
    block holding at most ``block_elements`` floats (at least one row).

    Parameters
    ----------
    queries : ndarray or sparse matrix of shape (n, d)
        Query rows.
    references : ndarray or sparse matrix of shape (m, d)
        Reference rows.
    block_elements : int, default=BLOCK_ELEMENTS
        Most floats in one block of distances.

    Yields
    ------
    positions : slice
        The query rows of the block.
    squared : ndarray of shape (block, m)
        Their squared distances to every reference row.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.knn import distance_blocks
    >>> queries, references = np.array([[0.0], [1.0], [2.0]]), np.array([[0.0], [3.0]])
    >>> [(part, block.tolist()) for part, block in distance_blocks(queries, references, block_elements=4)]
    [(slice(0, 2, None), [[0.0, 9.0], [1.0, 4.0]]), (slice(2, 3, None), [[4.0, 1.0]])]
    """
    n_queries, n_references = queries.shape[0], references.shape[0]
    step = max(1, block_elements // max(1, n_references))
    reference_norms = squared_norms(references)
    transposed = references.T if sp.issparse(references) else np.asarray(references, dtype=np.float64).T
    for start in range(0, n_queries, step):
        block = queries[start : start + step]
        product = block @ transposed
        squared = np.asarray(product.toarray() if sp.issparse(product) else product, dtype=np.float64)
        squared *= -2.0
        squared += squared_norms(block)[:, None]
        squared += reference_norms[None, :]
        np.maximum(squared, 0.0, out=squared)
        yield slice(start, start + block.shape[0]), squared
        del product, squared  # the consumer drops its reference too: one block alive at a time


def k_nearest(
    queries: Any, references: Any, k: int, block_elements: int = BLOCK_ELEMENTS
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest reference rows of each query row, by brute force in blocks (exact distances).

    Memory: one block of at most ``block_elements`` distances (and as many
    positions) plus the answer; time ``O(n_queries x n_references x d)``.
    A query row that is also a reference finds itself first, at distance 0.

    Parameters
    ----------
    queries : ndarray or sparse matrix of shape (n, d)
        Query rows.
    references : ndarray or sparse matrix of shape (m, d)
        Reference rows.
    k : int
        Neighbours per query, in [1, m].
    block_elements : int, default=BLOCK_ELEMENTS
        Most floats in one block of distances.

    Returns
    -------
    distances : ndarray of shape (n, k)
        Euclidean distances to the neighbours, increasing along each row.
    indices : ndarray of shape (n, k)
        Their positions in ``references``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.knn import k_nearest
    >>> rows = np.array([[0.0], [1.0], [3.0], [7.0]])
    >>> distances, indices = k_nearest(rows, rows, 2)
    >>> distances.tolist(), indices.tolist()
    ([[0.0, 1.0], [0.0, 1.0], [0.0, 2.0], [0.0, 4.0]], [[0, 1], [1, 0], [2, 1], [3, 2]])
    >>> k_nearest(rows, rows, 5)
    Traceback (most recent call last):
    ...
    ValueError: k must be an integer in [1, 4] (the number of references), got 5
    """
    n_references = references.shape[0]
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n_references:
        raise ValueError(f"k must be an integer in [1, {n_references}] (the number of references), got {k!r}")
    n_queries = queries.shape[0]
    distances, indices = np.empty((n_queries, k)), np.empty((n_queries, k), dtype=np.int64)
    for positions, squared in distance_blocks(queries, references, block_elements):
        found = squared.argmin(axis=1)[:, None] if k == 1 else np.argpartition(squared, k - 1, axis=1)[:, :k]
        block = queries[positions]
        exact = np.column_stack([row_distances(block, references[found[:, j]]) for j in range(k)])
        order = np.lexsort((found, exact), axis=1)
        distances[positions] = np.take_along_axis(exact, order, axis=1)
        indices[positions] = np.take_along_axis(found, order, axis=1)
        del squared  # one block alive at a time (see distance_blocks)
    return distances, indices


def radius_counts(
    queries: Any,
    references: Any,
    radius: float,
    weights: np.ndarray | None = None,
    block_elements: int = BLOCK_ELEMENTS,
) -> np.ndarray:
    """For each query row, the (weighted) number of reference rows at Euclidean distance at most ``radius``.

    Pairs whose expanded squared distance lies within rounding of
    ``radius ** 2`` are decided by subtracting the rows, so the counts are
    those of exact distances whatever the block size. Memory: one block of
    at most ``block_elements`` distances.

    Parameters
    ----------
    queries : ndarray or sparse matrix of shape (n, d)
        Query rows.
    references : ndarray or sparse matrix of shape (m, d)
        Reference rows.
    radius : float
        The balls' radius (non-negative).
    weights : ndarray of shape (m,), default=None
        A weight per reference row (``None``: ones).
    block_elements : int, default=BLOCK_ELEMENTS
        Most floats in one block of distances.

    Returns
    -------
    ndarray of shape (n,)
        The weighted counts, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.knn import radius_counts
    >>> rows = np.array([[0.0], [1.0], [3.0]])
    >>> radius_counts(rows, rows, 1.0).tolist()  # a distance of exactly 1 is inside
    [2.0, 2.0, 1.0]
    >>> radius_counts(rows, rows, 1.0, weights=np.array([0.0, 1.0, 1.0])).tolist()
    [1.0, 1.0, 1.0]
    """
    weights = np.ones(references.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    largest_norm = float(squared_norms(references).max(initial=0.0))
    limit = float(radius) ** 2
    counts = np.zeros(queries.shape[0])
    for positions, squared in distance_blocks(queries, references, block_elements):
        # rounding of the expansion is below ROUNDING x (|q|^2 + |r|^2 + radius^2): a band per row, in place
        slack = ROUNDING * (squared_norms(queries[positions]) + largest_norm + limit)[:, None]
        inside = squared <= limit - slack
        squared -= limit
        np.abs(squared, out=squared)
        rows, columns = np.nonzero(squared <= slack)
        if rows.size:
            inside[rows, columns] = row_distances(queries[positions][rows], references[columns]) <= radius
        start = positions.start
        for row in range(0, inside.shape[0], 64):  # a product casts the booleans to floats: a few rows at a time
            part = inside[row : row + 64]
            counts[start + row : start + row + part.shape[0]] = part @ weights
        del squared  # one block alive at a time (see distance_blocks)
    return counts
