"""Chunked passes over the pool for batch strategies: utilities, feature rows and exact distances.

A batch strategy sees the whole pool, but must not copy it nor build a
pool x pool matrix. Geometry comes from the run's representation (a
``Features`` object, ``context.embedding``; see ``alfunc.core.representation``),
never from ``X`` itself, which may hold documents or a DataFrame. These helpers
read feature rows in chunks sized by ``features.width`` so that a chunk of rows
(chunk x width) or of distances (chunk x centres) stays below
``WORKING_ELEMENTS`` floats, even for wide features such as a TF-IDF
pipeline's (``Features.rows`` densifies only the rows asked for). Distances
are exact Euclidean (``scipy`` ``cdist`` on dense chunks), so rows identical in
the representation are at distance exactly 0, which the no-duplicate rule
relies on. The model, in contrast, gets pool rows in the pool's own container
(``take_rows``), so a pipeline that selects DataFrame columns by name still works.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import numpy as np
import scipy.sparse as sp

from alfunc.core.context import Context
from alfunc.core.representation import Features
from alfunc.core.rows import OBJECT_CHUNK_ROWS, n_rows, pool_kind, row_layout, take_rows
from alfunc.strategies.base import for_selection
from alfunc.strategies.nearest import PoolRows, distances, nearest_exact, pass_step, row_vector

WORKING_ELEMENTS = 1 << 22
SCORING_SHARE = 16


def chunks(indices: np.ndarray, width: int) -> Iterator[np.ndarray]:
    """Consecutive slices of ``indices`` holding at most ``WORKING_ELEMENTS / width`` entries.

    ``width`` is what one entry costs in floats: ``features.width`` for a chunk
    of feature rows, plus the number of centres for a chunk of distances.

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


def geometry(context: Context) -> Features:
    """The run's representation for a whole-pool pass: ``context.embedding``, computed once if it is not stored.

    ``select`` already hands strategies marked ``uses_features`` stored
    features; a direct call with a model-made representation gets them
    computed here once (in chunks), not once per pass.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies.pooled import geometry
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> state = al.init_step(X, np.array([0, 1, 0, 1]), n_init=2, random_state=0)
    >>> twice = lambda rows: 2 * rows  # a computed representation
    >>> features = geometry(al.Context(state, X, state.unlabeled(), 1, representation=twice))
    >>> features.stored, features.width, features.rows(np.array([3])).tolist()
    (True, 2, [[12.0, 14.0]])
    """
    return context.embedding.materialized(context.state.n_pool)


def dense_rows(features: Features, indices: np.ndarray) -> np.ndarray:
    """The feature rows of pool ``indices`` as a dense float64 array (ask for a chunk: see ``chunks``).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.pooled import dense_rows
    >>> features = stored_features(sp.csr_matrix(np.eye(3, dtype=np.int64)))
    >>> rows = dense_rows(features, np.array([2, 0]))
    >>> rows.tolist(), rows.dtype.name
    ([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], 'float64')
    """
    return features.rows(np.asarray(indices, dtype=np.int64))


def feature_matrix(features: Features, indices: np.ndarray) -> Any:
    """The feature rows of ``indices`` stacked, for estimators that need every row at once (k-means, neighbours).

    A dense float64 array when the features are dense, or when the dense
    matrix would hold at most ``WORKING_ELEMENTS`` floats (so a small sparse
    pool clusters exactly like the same numbers held densely); otherwise the
    CSR matrix the features come as, which those estimators take as well:
    wide sparse features are never densified whole.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies import pooled
    >>> pooled.feature_matrix(stored_features(np.arange(6.0).reshape(3, 2)), np.array([2, 0])).tolist()
    [[4.0, 5.0], [0.0, 1.0]]
    >>> sparse = stored_features(sp.eye(3, format="csr"))
    >>> pooled.feature_matrix(sparse, np.array([1, 2])).tolist()  # small: dense
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    >>> pooled.WORKING_ELEMENTS, saved = 4, pooled.WORKING_ELEMENTS  # pretend memory is short
    >>> matrix = pooled.feature_matrix(sparse, np.array([1, 2]))
    >>> pooled.WORKING_ELEMENTS = saved
    >>> sp.issparse(matrix), matrix.shape
    (True, (2, 3))
    """
    indices = np.asarray(indices, dtype=np.int64)
    parts = [features.raw(part) for part in chunks(indices, features.width)]
    if not parts:
        return np.empty((0, features.width))
    if sp.issparse(parts[0]) and indices.size * features.width > WORKING_ELEMENTS:
        return sp.vstack(parts, format="csr").astype(np.float64)
    return np.concatenate(
        [np.asarray(part.toarray() if sp.issparse(part) else part, dtype=np.float64) for part in parts]
    )


def model_chunk_rows(X: Any) -> int:
    """Pool rows per call of a model: about ``WORKING_ELEMENTS`` values of numeric rows, else ``OBJECT_CHUNK_ROWS``.

    Numeric rows cost their number of columns (for a sparse matrix, its mean
    number of stored values per row); documents, paths and mixed tables have no
    fixed size, and what a chunk of them costs is the model's featurisation.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.pooled import model_chunk_rows
    >>> model_chunk_rows(np.zeros((10, 1024))), model_chunk_rows(["a document", "another"])
    (4096, 8192)
    """
    kind = pool_kind(X)
    if kind == "sparse":
        width = int(X.nnz) // max(1, n_rows(X)) + 1
    elif kind == "frame" and X.ndim == 2:
        width = len(X.columns)
    elif kind == "array" and X.dtype.kind in "biuf" and X.ndim >= 2:
        width = int(np.prod(row_layout(X) or (1,)))
    else:
        return OBJECT_CHUNK_ROWS
    return max(1, WORKING_ELEMENTS // max(1, width))


def scoring_chunk_rows(X: Any) -> int:
    """Rows per model call when a batch strategy scores candidates: ``model_chunk_rows(X) // SCORING_SHARE``.

    About 2 MiB of numeric rows, as ``select``'s own chunks: the model's
    temporaries stay in cache and no chunk-sized copy grows with the pool.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.pooled import scoring_chunk_rows
    >>> scoring_chunk_rows(np.zeros((10, 20)))
    13107
    """
    return max(1, model_chunk_rows(X) // SCORING_SHARE)


def candidate_utilities(score: Callable, model: Any, X: Any, context: Context) -> np.ndarray:
    """A utility strategy's scores for every candidate of ``context``, computed chunk by chunk.

    Each chunk of candidates is scored on its rows taken from ``X`` in the
    pool's own container (``take_rows``), with a context for just those
    candidates (same state, iteration and representation). A chunk holds
    ``model_chunk_rows(X) // SCORING_SHARE`` rows (about 2 MiB of numeric
    rows, like ``select``'s own chunks): the copy of its rows is all the
    memory scoring adds besides the utilities.

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
    score = for_selection(score)  # a registered committee name: one committee for all chunks
    step = scoring_chunk_rows(X)
    parts = [
        chunk_utilities(score, model, take_rows(X, part), attrs.evolve(context, candidates=part))
        for part in (candidates[start : start + step] for start in range(0, candidates.size, step))
    ]
    return np.concatenate(parts) if parts else np.empty(0)


def chunk_utilities(score: Callable, model: Any, rows: Any, context: Context) -> np.ndarray:
    """``score`` on one chunk of candidate ``rows`` (``context.candidates``), checked: one non-NaN float each.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies.pooled import chunk_utilities
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> state = al.init_step(X, np.array([0, 1, 0, 1]), n_init=2, random_state=0)
    >>> context = al.Context(state, X, state.unlabeled(), 1)
    >>> chunk_utilities(lambda model, rows, context: rows[:, 0], None, X[context.candidates], context).shape
    (2,)
    """
    utilities = np.asarray(score(model, rows, context), dtype=np.float64)
    if utilities.shape != context.candidates.shape or np.isnan(utilities).any():
        raise ValueError(
            f"strategy {getattr(score, '__name__', score)!r} must return one non-NaN utility per candidate"
        )
    return utilities


def pairwise_blocks(
    features: Features, rows: np.ndarray, centres: np.ndarray
) -> Iterator[tuple[slice, slice, np.ndarray, np.ndarray]]:
    """Dense feature blocks of ``rows`` x ``centres`` (pool indices), each pair of chunks once.

    Yields ``(row_positions, centre_positions, row_block, centre_block)``; the
    two blocks and any chunk x chunk matrix made from them each hold at most
    about ``WORKING_ELEMENTS`` floats, whatever the sizes of ``rows`` and
    ``centres``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.pooled import pairwise_blocks
    >>> features = stored_features(np.arange(8.0).reshape(4, 2))
    >>> [(r, c, a.shape, b.shape) for r, c, a, b in pairwise_blocks(features, np.array([0, 1, 2]), np.array([3]))]
    [(slice(0, 3, None), slice(0, 1, None), (3, 2), (1, 2))]
    """
    width = features.width
    centre_start = 0
    for centre_part in chunks(centres, width):
        centre_rows = features.rows(centre_part)
        centre_slice = slice(centre_start, centre_start + centre_part.size)
        row_start = 0
        for part in chunks(rows, centre_part.size + width):
            yield slice(row_start, row_start + part.size), centre_slice, features.rows(part), centre_rows
            row_start += part.size
        centre_start += centre_part.size


def nearest_distances(features: Features, rows: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """For each pool index in ``rows``, the Euclidean distance to its nearest pool row in ``centres``.

    Distances are measured between feature rows; ``inf`` when there are no
    centres. Memory: one chunk of rows x one chunk of centres. The numbers of
    ``cdist``, computed mostly by matrix products (see ``alfunc.strategies.nearest``).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.pooled import nearest_distances
    >>> features = stored_features(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0], [0.0, 1.0]]))
    >>> nearest_distances(features, np.array([1, 2, 3]), np.array([0])).tolist()
    [5.0, 10.0, 1.0]
    >>> nearest_distances(features, np.array([2, 3]), np.array([0, 1])).tolist()
    [5.0, 1.0]
    >>> nearest_distances(features, np.array([1, 2]), np.array([], dtype=np.int64)).tolist()
    [inf, inf]
    """
    return nearest_exact(features, rows, centres)


def distances_to(features: Features, rows: np.ndarray, index: int) -> np.ndarray:
    """Euclidean distance from the feature row of each pool index in ``rows`` to that of pool row ``index``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.pooled import distances_to
    >>> features = stored_features(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
    >>> distances_to(features, np.array([0, 1, 2]), 1).tolist()
    [5.0, 0.0, 5.0]
    """
    rows = np.asarray(rows, dtype=np.int64)
    return distances(PoolRows(features, rows, pass_step(features)), row_vector(features, index))


def distinct_groups(features: Features, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``indices`` have identical feature rows: ``(first, group)``.

    ``first`` holds the positions (into ``indices``) of the first occurrence of
    each distinct row, in increasing order; ``group[i]`` is the number of the
    distinct row at position ``i`` (its position in ``first``). Rows are read a
    chunk at a time and told apart by a 128-bit digest of their values (0.0 and
    -0.0 are the same value; sparse rows by their non-zero entries, so they are
    never made dense), so memory is one chunk plus a digest per row.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.pooled import distinct_groups
    >>> features = stored_features(np.array([[1.0, 2.0], [0.0, 0.0], [1.0, 2.0], [5.0, 5.0]]))
    >>> first, group = distinct_groups(features, np.array([3, 0, 1, 2]))
    >>> first.tolist(), group.tolist()
    ([0, 1, 2], [0, 1, 2, 1])
    """
    seen: dict[bytes, int] = {}
    first: list[int] = []
    group = np.empty(indices.size, dtype=np.int64)
    position = 0
    for part in chunks(np.asarray(indices, dtype=np.int64), features.width):
        for key in _row_keys(features.raw(part)):
            number = seen.setdefault(key, len(first))
            if number == len(first):
                first.append(position)
            group[position] = number
            position += 1
    return np.array(first, dtype=np.int64), group


def _row_keys(block: Any) -> Iterator[bytes]:
    """A 128-bit digest of each row's values (-0.0 as 0.0); a sparse row by its non-zero entries, never made dense."""
    if sp.issparse(block):
        block = sp.csr_matrix(block, dtype=np.float64, copy=True)
        block.sum_duplicates()
        block.data += 0.0  # -0.0 becomes 0.0
        block.eliminate_zeros()  # explicit zeros are zeros
        for start, stop in zip(block.indptr[:-1], block.indptr[1:], strict=True):
            entries = block.indices[start:stop].astype(np.int64).tobytes() + block.data[start:stop].tobytes()
            yield hashlib.blake2b(entries, digest_size=16).digest()
        return
    dense = np.ascontiguousarray(np.asarray(block, dtype=np.float64) + 0.0)  # + 0.0 turns -0.0 into 0.0
    for row in dense:
        yield hashlib.blake2b(row.tobytes(), digest_size=16).digest()


def distinct_rows(features: Features, indices: np.ndarray) -> np.ndarray:
    """Positions in ``indices`` of the first occurrence of each distinct feature row, in order.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.pooled import distinct_rows
    >>> features = stored_features(np.array([[1.0, 2.0], [0.0, 0.0], [1.0, 2.0], [5.0, 5.0]]))
    >>> distinct_rows(features, np.array([0, 1, 2, 3])).tolist()
    [0, 1, 3]
    >>> distinct_rows(features, np.array([2, 0, 3])).tolist()  # positions into the given indices
    [0, 2]
    """
    return distinct_groups(features, indices)[0]
