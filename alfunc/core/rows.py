"""Rows of a pool, whatever holds them: count them, take them by position, turn them into numbers.

A pool is any row container scikit-learn accepts: a numpy array (numeric, or
object/str for documents and paths; a memmap), a scipy sparse matrix, a pandas
DataFrame or Series (rows by position with ``iloc``, so column names, dtypes
and the index are kept) or a Python list of rows. This module is the one place
that knows how each kind is indexed, the way scikit-learn's own indexing
helpers do; everything else goes through ``n_rows``, ``take_rows`` and
``row_block``. pandas is never imported here: frames are recognised by their
``iloc`` indexer. Dask pools (kind ``"dask"``: a 2-D ``dask.array`` or a
``dask.dataframe``) are counted and read through ``alfunc.core.dask_rows``,
which computes only the blocks holding the rows asked for; a
``LabeledRows`` stand-in (kind ``"labeled"``) serves the labeled rows of a
pool on a Dask worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

from alfunc.core.dask_rows import LabeledRows, dask_n_rows, dask_take, is_dask, is_dask_frame

NUMERIC_KINDS = "biuf"
OBJECT_CHUNK_ROWS = 8192  # rows per model call for rows without a fixed size (documents, paths, mixed tables)


def pool_kind(X: Any) -> str:
    """What holds the rows: ``"sparse"``, ``"frame"`` (pandas), ``"array"`` (numpy), ``"dask"`` or ``"sequence"``.

    ``"labeled"`` is the ``LabeledRows`` stand-in a strategy sees on a Dask worker.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.core.rows import pool_kind
    >>> pool_kind(np.zeros((2, 3))), pool_kind(sp.eye(2, format="csr")), pool_kind(["a doc", "another"])
    ('array', 'sparse', 'sequence')
    """
    if sp.issparse(X):
        return "sparse"
    if isinstance(X, LabeledRows):
        return "labeled"
    if is_dask(X):
        return "dask"
    if hasattr(X, "iloc") and hasattr(X, "index"):
        return "frame"
    if isinstance(X, np.ndarray):
        return "array"
    return "sequence"


def n_rows(X: Any) -> int:
    """Number of rows of a pool of any kind.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.core.rows import n_rows
    >>> n_rows(np.zeros((4, 2))), n_rows(sp.eye(5, format="csr")), n_rows(["a", "b", "c"])
    (4, 5, 3)
    """
    kind = pool_kind(X)
    if kind in ("sequence", "labeled"):
        return len(X)
    if kind == "dask":
        return dask_n_rows(X)
    return int(X.shape[0])


def take_rows(X: Any, indices: np.ndarray) -> Any:
    """The rows at positions ``indices``, in that order, in the container kind of ``X``.

    A DataFrame keeps its columns, dtypes and index (``iloc``); a list gives a
    list; arrays and sparse matrices give a copy of just those rows.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.rows import take_rows
    >>> take_rows(np.arange(6).reshape(3, 2), np.array([2, 0])).tolist()
    [[4, 5], [0, 1]]
    >>> take_rows(["first", "second", "third"], np.array([2, 0]))
    ['third', 'first']
    """
    kind = pool_kind(X)
    if kind == "frame":
        return X.iloc[indices]
    if kind == "sequence":
        return [X[int(i)] for i in indices]
    if kind == "dask":
        return dask_take(X, indices)
    if kind == "labeled":
        return X.take(indices)
    return X[indices]


def row_block(X: Any, start: int, stop: int) -> Any:
    """The rows ``start:stop`` (a view for arrays, a slice for the other kinds).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.rows import row_block
    >>> X = np.arange(10).reshape(5, 2)
    >>> row_block(X, 1, 3).tolist(), np.shares_memory(row_block(X, 1, 3), X)
    ([[2, 3], [4, 5]], True)
    >>> row_block(("a", "b", "c"), 1, 3)
    ['b', 'c']
    """
    kind = pool_kind(X)
    if kind == "frame":
        return X.iloc[start:stop]
    if kind == "sequence":
        return list(X[start:stop])
    if kind in ("dask", "labeled"):
        return take_rows(X, np.arange(start, stop))
    return X[start:stop]


def row_blocks(n: int, chunk_size: int) -> Iterator[tuple[int, int]]:
    """Consecutive ``(start, stop)`` row ranges covering ``range(n)``.

    Examples
    --------
    >>> from alfunc.core.rows import row_blocks
    >>> list(row_blocks(10, 4))  # the last block is shorter
    [(0, 4), (4, 8), (8, 10)]
    """
    for start in range(0, n, chunk_size):
        yield start, min(start + chunk_size, n)


def is_numeric(X: Any) -> bool:
    """True when the rows of ``X`` are numbers (so they can serve as geometry as they are).

    Numeric arrays and sparse matrices, DataFrames whose columns are all
    numeric, and lists whose first row is a sequence of numbers. Documents,
    paths, dicts and mixed tables are not.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.rows import is_numeric
    >>> is_numeric(np.zeros((2, 3))), is_numeric([[1, 2], [3, 4]])
    (True, True)
    >>> is_numeric(np.array(["a doc", "another"], dtype=object)), is_numeric([{"size": 3}])
    (False, False)
    """
    kind = pool_kind(X)
    if kind == "labeled":
        return is_numeric(X.rows)
    if kind == "dask" and not is_dask_frame(X):
        return X.dtype.kind in NUMERIC_KINDS and X.ndim >= 2
    if kind in ("array", "sparse"):
        return X.dtype.kind in NUMERIC_KINDS and X.ndim >= 2
    if kind in ("frame", "dask"):
        dtypes = list(X.dtypes) if X.ndim == 2 else []
        return bool(dtypes) and all(getattr(dtype, "kind", "O") in NUMERIC_KINDS for dtype in dtypes)
    if len(X) == 0 or isinstance(X[0], (str, bytes, dict)):
        return False
    try:
        first = np.asarray(X[0])
    except (TypeError, ValueError):
        return False
    return first.ndim >= 1 and first.dtype.kind in NUMERIC_KINDS


def numeric_rows(rows: Any, name: str = "X") -> Any:
    """Rows of a numeric pool as a 2-D float64 array (or CSR matrix), images flattened.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.rows import numeric_rows
    >>> numeric_rows([[1, 2], [3, 4]]).dtype.name
    'float64'
    >>> numeric_rows(np.zeros((2, 8, 8))).shape  # one row per image
    (2, 64)
    >>> numeric_rows(["a doc"])
    Traceback (most recent call last):
    ...
    TypeError: X must hold numeric rows to be used as geometry, got str
    """
    kind = pool_kind(rows)
    if kind == "sparse":
        return sp.csr_matrix(rows, dtype=np.float64)
    if kind == "frame":
        values = rows.to_numpy()
    else:
        values = np.asarray(rows) if kind == "sequence" else rows
    if values.dtype.kind not in NUMERIC_KINDS:
        first = type(rows[0]).__name__ if kind == "sequence" and len(rows) else str(values.dtype)
        raise TypeError(f"{name} must hold numeric rows to be used as geometry, got {first}")
    return np.asarray(values, dtype=np.float64).reshape(values.shape[0], -1)


def row_layout(X: Any) -> tuple[Any, ...] | None:
    """What every row of ``X`` looks like, as plain data, for checks between two pools.

    The column names of a DataFrame, the shape of a row of an array or sparse
    matrix; ``None`` where rows carry no fixed layout (lists, 1-D arrays of
    documents, Series).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.rows import row_layout
    >>> row_layout(np.zeros((3, 4))), row_layout(np.zeros((3, 8, 8))), row_layout(["doc"])
    ((4,), (8, 8), None)
    """
    kind = pool_kind(X)
    if kind == "labeled":
        return row_layout(X.rows)
    if kind == "frame" or kind == "dask" and is_dask_frame(X):
        return tuple(str(column) for column in X.columns) if X.ndim == 2 else None
    if kind in ("array", "sparse", "dask") and X.ndim >= 2:
        return tuple(int(size) for size in X.shape[1:])
    return None


def row_ids(X: Any, indices: Any, ids: Any = None) -> np.ndarray:
    """The user's own keys of the pool rows at ``indices``, to join picks back to the source.

    ``ids`` (one key per pool row) wins; otherwise a DataFrame's or Series'
    index; otherwise the positions themselves.

    Parameters
    ----------
    X : array-like, sparse matrix, DataFrame or list
        The pool.
    indices : array-like of int
        Pool positions.
    ids : array-like, default=None
        One key per pool row.

    Returns
    -------
    ndarray
        The key of each position, in the order of ``indices``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.rows import row_ids
    >>> row_ids(np.zeros((3, 2)), [2, 0])
    array([2, 0])
    >>> row_ids(np.zeros((3, 2)), [2, 0], ids=["ann", "bob", "cy"]).tolist()
    ['cy', 'ann']
    """
    positions = np.asarray(indices, dtype=np.int64)
    if ids is not None:
        keys = np.asarray(ids)
        if keys.ndim != 1 or keys.shape[0] != n_rows(X):
            raise ValueError(f"ids must hold one key per row of X ({n_rows(X)}), got shape {keys.shape}")
        return keys[positions]
    if pool_kind(X) == "frame":
        return np.asarray(X.index[positions])
    return positions
