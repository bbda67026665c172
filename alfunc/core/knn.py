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
    reference_norms = squared_norms(references)
    for positions, squared in product_blocks(queries, references, block_elements):
        squared *= -2.0
        squared += squared_norms(queries[positions])[:, None]
        squared += reference_norms[None, :]
        np.maximum(squared, 0.0, out=squared)
        yield positions, squared
        del squared  # the consumer drops its reference too: one block alive at a time


def product_blocks(
    queries: Any, references: Any, block_elements: int = BLOCK_ELEMENTS
) -> Iterator[tuple[slice, np.ndarray]]:
    """Dot products ``q . r`` of consecutive blocks of ``queries`` with every row of ``references``.

    The one matrix product behind ``distance_blocks``, ``k_nearest`` and
    ``radius_counts``: each block is a fresh dense float64 array of at most
    ``block_elements`` entries (at least one row), which the consumer may
    overwrite.

    Parameters
    ----------
    queries : ndarray or sparse matrix of shape (n, d)
        Query rows.
    references : ndarray or sparse matrix of shape (m, d)
        Reference rows.
    block_elements : int, default=BLOCK_ELEMENTS
        Most floats in one block.

    Yields
    ------
    positions : slice
        The query rows of the block.
    products : ndarray of shape (block, m)
        Their dot products with every reference row.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.knn import product_blocks
    >>> [(part, block.tolist()) for part, block in product_blocks(np.eye(2), np.array([[1.0, 2.0]]), 1)]
    [(slice(0, 1, None), [[1.0]]), (slice(1, 2, None), [[2.0]])]
    """
    n_queries, n_references = queries.shape[0], references.shape[0]
    step = max(1, block_elements // max(1, n_references))
    transposed = references.T if sp.issparse(references) else np.asarray(references, dtype=np.float64).T
    for start in range(0, n_queries, step):
        block = queries[start : start + step]
        product = block @ transposed
        product = np.asarray(product.toarray() if sp.issparse(product) else product, dtype=np.float64)
        yield slice(start, start + block.shape[0]), product
        del product  # the consumer drops its reference too: one block alive at a time


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
    reference_norms = squared_norms(references)
    for positions, rank in product_blocks(queries, references, block_elements):
        rank *= -2.0  # |r|^2 - 2 q.r orders each row like the squared distance (|q|^2 is the row's constant)
        rank += reference_norms[None, :]
        found = rank.argmin(axis=1)[:, None] if k == 1 else np.argpartition(rank, k - 1, axis=1)[:, :k]
        del rank  # one block alive at a time (see product_blocks)
        block = queries[positions]
        exact = _neighbour_distances(block, references, found, block_elements)
        order = np.lexsort((found, exact), axis=1)
        distances[positions] = np.take_along_axis(exact, order, axis=1)
        indices[positions] = np.take_along_axis(found, order, axis=1)
    return distances, indices


def _neighbour_distances(block: Any, references: Any, found: np.ndarray, block_elements: int) -> np.ndarray:
    """Exact distance from each row of ``block`` to its ``found`` references, a few rows at a time."""
    if sp.issparse(block) or sp.issparse(references):
        return np.column_stack([row_distances(block, references[found[:, j]]) for j in range(found.shape[1])])
    block, references = np.asarray(block, dtype=np.float64), np.asarray(references, dtype=np.float64)
    step = max(1, block_elements // max(1, found.shape[1] * block.shape[1]))
    exact = np.empty(found.shape)
    for start in range(0, block.shape[0], step):
        difference = references[found[start : start + step]] - block[start : start + step, None]
        exact[start : start + step] = np.sqrt(np.einsum("ijk,ijk->ij", difference, difference))
    return exact


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
    weights = None if weights is None else np.asarray(weights, dtype=np.float64)
    reference_norms = squared_norms(references)
    largest_norm = float(reference_norms.max(initial=0.0))
    half_norms = reference_norms / 2
    limit = float(radius) ** 2
    counts = np.zeros(queries.shape[0])
    for positions, product in product_blocks(queries, references, block_elements):
        # |q - r| <= radius  <=>  q.r - |r|^2 / 2 >= (|q|^2 - radius^2) / 2; the expansion's rounding stays
        # below ROUNDING x (|q|^2 + |r|^2 + radius^2), a band per row decided by subtracting the rows
        product -= half_norms[None, :]
        query_norms = squared_norms(queries[positions])
        threshold = ((query_norms - limit) / 2)[:, None]
        slack = (ROUNDING * (query_norms + largest_norm + limit))[:, None]
        inside = product >= threshold + slack
        border = np.not_equal(product >= threshold - slack, inside)
        del product  # one block alive at a time (see product_blocks)
        if border.any():
            rows, columns = np.nonzero(border)
            inside[rows, columns] = row_distances(queries[positions][rows], references[columns]) <= radius
        start = positions.start
        if weights is None:
            counts[positions] = np.count_nonzero(inside, axis=1)
            continue
        for row in range(0, inside.shape[0], 64):  # a product casts the booleans to floats: a few rows at a time
            part = inside[row : row + 64]
            counts[start + row : start + row + part.shape[0]] = part @ weights
    return counts
