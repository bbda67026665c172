"""Rows of a Dask pool: recognise a ``dask.array`` or ``dask.dataframe`` pool, count and fetch its rows.

A pool that outgrows one machine lives in a Dask collection: a 2-D
``dask.array.Array`` (row blocks along axis 0) or a ``dask.dataframe.DataFrame``
(partitions). Pool indices are positions, as for every other pool: the rows of
block ``b`` are ``offsets[b]:offsets[b + 1]``, whatever the dataframe's index
or divisions say (divisions are not needed, known or not).

Dask is never imported at module import time: a Dask collection can only
exist once ``dask`` is imported, so ``is_dask`` looks in ``sys.modules`` first.
Fetching rows (``dask_take``) computes only the blocks that hold them, on the
scheduler Dask would use anyway (a ``distributed.Client`` when one is active).

``LabeledRows`` is the stand-in for the pool that a strategy sees on a worker:
it holds the labeled rows only (a committee fits on them), and refuses any
other row with ``RowsNotOnWorker``, so a strategy that reads the rest of the
pool is found out, never silently wrong.
"""

from __future__ import annotations

import hashlib
import math
import sys
from typing import Any

import numpy as np

NUMERIC_KINDS = "biuf"


class RowsNotOnWorker(ValueError):
    """A strategy asked a ``LabeledRows`` stand-in for rows it does not hold (rows of the pool beyond the labeled).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.dask_rows import LabeledRows, RowsNotOnWorker
    >>> pool = LabeledRows(np.array([2]), np.ones((1, 3)), n_pool=5)
    >>> try:
    ...     pool.take(np.array([0]))
    ... except RowsNotOnWorker as error:
    ...     print(error)
    rows [0] of the Dask pool are not labeled: a strategy scoring Dask blocks sees only the candidate rows and the labeled rows
    """


class LabeledRows:
    """The labeled rows of a pool, standing in for the whole pool where only they are at hand.

    ``alfunc.core.rows`` reads it like a pool of ``n_pool`` rows, but only the
    rows at ``indices`` can be taken; any other raises ``RowsNotOnWorker``.

    Parameters
    ----------
    indices : ndarray of int
        Pool indices of the rows held, increasing.
    rows : ndarray or DataFrame
        Those rows, in the same order.
    n_pool : int
        Rows in the whole pool.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.dask_rows import LabeledRows
    >>> from alfunc.core.rows import n_rows, take_rows
    >>> pool = LabeledRows(np.array([1, 4]), np.array([[1.0, 1.0], [4.0, 4.0]]), n_pool=6)
    >>> n_rows(pool), take_rows(pool, np.array([4, 1])).tolist()
    (6, [[4.0, 4.0], [1.0, 1.0]])
    """

    def __init__(self, indices: np.ndarray, rows: Any, n_pool: int) -> None:
        self.indices = np.asarray(indices, dtype=np.int64)
        self.rows = rows
        self.n_pool = int(n_pool)

    def __len__(self) -> int:
        return self.n_pool

    def take(self, indices: Any) -> Any:
        """The held rows at pool ``indices``, in that order, in the container kind of ``rows``."""
        wanted = np.asarray(indices, dtype=np.int64).reshape(-1)
        places = np.minimum(np.searchsorted(self.indices, wanted), max(0, self.indices.size - 1))
        held = self.indices[places] == wanted if self.indices.size else np.zeros(wanted.size, dtype=bool)
        missing = wanted[~held]
        if missing.size:
            raise RowsNotOnWorker(
                f"rows {missing[:5].tolist()} of the Dask pool are not labeled: a strategy scoring Dask blocks "
                "sees only the candidate rows and the labeled rows"
            )
        return self.rows.iloc[places] if hasattr(self.rows, "iloc") else self.rows[places]


def is_dask(X: Any) -> bool:
    """True when ``X`` is a Dask collection (without importing Dask when nothing has).

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from alfunc.core.dask_rows import is_dask
    >>> is_dask(da.zeros((4, 2), chunks=2)), is_dask(np.zeros((4, 2)))
    (True, False)
    """
    if "dask" not in sys.modules or not type(X).__module__.startswith("dask"):
        return False
    from dask import is_dask_collection

    return bool(is_dask_collection(X))


def is_dask_frame(X: Any) -> bool:
    """True for a Dask DataFrame (or Series), False for a Dask array.

    Examples
    --------
    >>> import dask.array as da
    >>> from alfunc.core.dask_rows import is_dask_frame
    >>> is_dask_frame(da.zeros((4, 2), chunks=2))
    False
    """
    return hasattr(X, "npartitions") and hasattr(X, "divisions")


def check_dask_pool(X: Any, name: str = "X") -> Any:
    """Check that a Dask collection is a pool: a 2-D numeric array with known chunks, or a DataFrame.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from alfunc.core.dask_rows import check_dask_pool
    >>> X = da.zeros((10, 3), chunks=4)
    >>> check_dask_pool(X) is X
    True
    >>> check_dask_pool(da.zeros(10, chunks=4))
    Traceback (most recent call last):
    ...
    ValueError: X must be a 2-D dask array of shape (n_samples, n_features), got shape (10,); reshape a single feature with X.reshape(-1, 1)
    >>> check_dask_pool(X[X[:, 0] > 0])
    Traceback (most recent call last):
    ...
    ValueError: X has unknown chunk sizes (nan) along its rows, so its rows have no known positions; call X = X.compute_chunk_sizes() first
    """
    if is_dask_frame(X):
        if getattr(X, "ndim", 2) != 2:
            raise TypeError(f"{name} as a Dask collection must be a dask DataFrame or a 2-D dask array, got a Series")
        if len(X.columns) < 1:
            raise ValueError(f"{name} must have at least one column, got none")
        return X
    if not hasattr(X, "chunks") or not hasattr(X, "dtype"):
        raise TypeError(
            f"{name} as a Dask collection must be a 2-D dask array or a dask DataFrame, got {type(X).__name__}"
        )
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D dask array of shape (n_samples, n_features), got shape {X.shape}"
            + ("; reshape a single feature with X.reshape(-1, 1)" if X.ndim == 1 else "; flatten each row first")
        )
    if any(math.isnan(size) for size in X.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes (nan) along its rows, so its rows have no known positions; "
            f"call {name} = {name}.compute_chunk_sizes() first"
        )
    if X.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(f"{name} as a dask array must hold numbers, got dtype {X.dtype}")
    if X.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {X.shape}")
    return X


def dask_blocks(X: Any) -> list[Any]:
    """The row blocks of a Dask pool as ``dask.delayed`` objects, in row order (one column block per row block).

    Examples
    --------
    >>> import dask
    >>> import dask.array as da
    >>> from alfunc.core.dask_rows import dask_blocks
    >>> blocks = dask_blocks(da.ones((5, 4), chunks=(2, 3)))
    >>> [block.shape for block in dask.compute(*blocks)]
    [(2, 4), (2, 4), (1, 4)]
    """
    if is_dask_frame(X):
        return list(X.to_delayed())
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    return list(X.to_delayed().ravel())


def block_lengths(X: Any) -> np.ndarray:
    """Rows in each block of a Dask pool: an array's row chunks, or a DataFrame's partition lengths (computed).

    Examples
    --------
    >>> import dask.array as da
    >>> from alfunc.core.dask_rows import block_lengths
    >>> block_lengths(da.ones((5, 4), chunks=(2, 3))).tolist()
    [2, 2, 1]
    """
    if not is_dask_frame(X):
        return np.asarray(X.chunks[0], dtype=np.int64)
    import dask

    return np.asarray(dask_compute(*[dask.delayed(len)(part) for part in X.to_delayed()]), dtype=np.int64)


def dask_n_rows(X: Any) -> int:
    """Rows of a Dask pool (a DataFrame's length is computed, cheaply when it is persisted or from pandas).

    Examples
    --------
    >>> import dask.array as da
    >>> from alfunc.core.dask_rows import dask_n_rows
    >>> dask_n_rows(da.ones((5, 4), chunks=2))
    5
    """
    return int(len(X)) if is_dask_frame(X) else int(X.shape[0])


def dask_compute(*collections: Any) -> tuple[Any, ...]:
    """``dask.compute`` on Dask's current scheduler (a ``distributed.Client`` when one is active).

    Examples
    --------
    >>> import dask
    >>> from alfunc.core.dask_rows import dask_compute
    >>> dask_compute(dask.delayed(len)([1, 2, 3]), dask.delayed(sum)([1, 2]))
    (3, 3)
    """
    import dask

    compute: Any = dask.compute  # untyped
    return tuple(compute(*collections))


def _rows_at(block: Any, positions: np.ndarray) -> Any:
    return block.iloc[positions] if hasattr(block, "iloc") else block[positions]


def dask_take(X: Any, indices: Any, lengths: np.ndarray | None = None) -> Any:
    """The rows at pool positions ``indices``, in that order, computed: a numpy array or a pandas DataFrame.

    Only the blocks holding them are computed, each reduced to those rows on
    the worker before it is sent back.

    Parameters
    ----------
    X : dask.array.Array or dask.dataframe.DataFrame
        The pool.
    indices : array-like of int
        Pool positions.
    lengths : ndarray of int, default=None
        The pool's ``block_lengths`` when already known.

    Returns
    -------
    ndarray or DataFrame
        The rows.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from alfunc.core.dask_rows import dask_take
    >>> X = da.from_array(np.arange(10.0).reshape(5, 2), chunks=2)
    >>> dask_take(X, np.array([4, 0])).tolist()
    [[8.0, 9.0], [0.0, 1.0]]
    """
    import dask

    wanted = np.asarray(indices, dtype=np.int64).reshape(-1)
    lengths = block_lengths(X) if lengths is None else lengths
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    order = np.argsort(wanted, kind="stable")
    ordered = wanted[order]
    owner = np.searchsorted(offsets, ordered, side="right") - 1
    blocks = dask_blocks(X)
    pieces = []
    for block in np.unique(owner) if ordered.size else np.array([0]):
        local = ordered[owner == block] - offsets[block]
        pieces.append(dask.delayed(_rows_at)(blocks[int(block)], local))
    computed = dask_compute(*pieces)
    if is_dask_frame(X):
        import pandas as pd

        rows = pd.concat(computed) if len(computed) > 1 else computed[0]
    else:
        rows = np.concatenate(computed) if len(computed) > 1 else computed[0]
    return _rows_at(rows, np.argsort(order, kind="stable"))


def dask_fingerprint(X: Any, group_rows: int) -> str:
    """A SHA-256 hex digest of a Dask pool, its values hashed on the workers in one pass (the pool is never gathered).

    A dask array is cut into groups of ``group_rows`` rows aligned on the pool
    (``rechunk``); each worker hashes its groups' bytes with SHA-256 and the
    digest is SHA-256 of ``"dask-dense|<dtype>|<shape>|"`` and the groups'
    digests in row order. A DataFrame's partitions are hashed row by row with
    pandas' ``hash_pandas_object`` (index included) and the 8-byte row hashes
    are digested in order after the same header a pandas DataFrame's
    fingerprint has, so a dask DataFrame has the fingerprint of the pandas
    DataFrame it computes to. Either way the digest does not depend on the
    blocks or partitions.

    Parameters
    ----------
    X : dask.array.Array or dask.dataframe.DataFrame
        The pool.
    group_rows : int
        Rows per hashed group of an array.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from alfunc.core.dask_rows import dask_fingerprint
    >>> values = np.arange(20.0).reshape(10, 2)
    >>> dask_fingerprint(da.from_array(values, chunks=3), 4) == dask_fingerprint(da.from_array(values, chunks=7), 4)
    True
    >>> dask_fingerprint(da.from_array(values, chunks=3), 4) == dask_fingerprint(da.from_array(values + 1, chunks=3), 4)
    False
    """
    import dask

    digest = hashlib.sha256()
    if is_dask_frame(X):
        hashes = dask_compute(*[dask.delayed(_row_hashes)(part) for part in X.to_delayed()])
        n = sum(part.size for part in hashes)
        columns = list(X.columns)
        dtypes = [str(dtype) for dtype in X.dtypes]
        digest.update(f"frame|{(n, len(columns))}|{columns!r}|{dtypes}|".encode())
        for part in hashes:
            digest.update(part.tobytes())
        return digest.hexdigest()
    digest.update(f"dask-dense|{X.dtype.str}|{tuple(int(size) for size in X.shape)}|".encode())
    groups = X.rechunk({0: group_rows, 1: -1}).to_delayed().ravel()
    for group_digest in dask_compute(*[dask.delayed(_bytes_digest)(group) for group in groups]):
        digest.update(group_digest)
    return digest.hexdigest()


def _bytes_digest(block: np.ndarray) -> bytes:
    return hashlib.sha256(np.ascontiguousarray(block).tobytes()).digest()


def _row_hashes(part: Any) -> np.ndarray:
    from pandas.util import hash_pandas_object

    try:
        return np.ascontiguousarray(hash_pandas_object(part, index=True).to_numpy(dtype=np.uint64))
    except TypeError:  # cells pandas cannot hash (lists, dicts): one hash per row of their text
        rows = part.astype(str).itertuples(name=None)
        return np.array(
            [int.from_bytes(hashlib.sha256(repr(row).encode()).digest()[:8], "little") for row in rows], dtype=np.uint64
        )
