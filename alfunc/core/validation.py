"""Argument checks shared by the steps and the loop.

Every check raises ``ValueError``/``TypeError`` naming the argument and what was
expected, and never modifies or copies what it checks beyond a bounded chunk.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from alfunc.core.dask_rows import check_dask_pool
from alfunc.core.rows import (
    NUMERIC_KINDS,
    is_numeric,
    n_rows,
    numeric_rows,
    pool_kind,
    row_block,
    row_blocks,
    row_layout,
)

CHECK_CHUNK_BYTES = 1 << 24  # 16 MiB of rows per finiteness check, whatever the width


def check_pool(X: Any, name: str = "X", *, check_finite: bool = True) -> Any:
    """Check that ``X`` is a pool of rows scikit-learn accepts, and return it (never copied).

    Numeric arrays (memmaps too) must be at least 2-D and, like sparse
    matrices, numeric DataFrames and lists of numeric rows, hold only finite
    values (checked in bounded chunks). Documents, paths, dicts and mixed tables
    are the estimator's business: only their length is checked here. Sparse
    matrices in a format without row indexing are converted to CSR once. A Dask
    pool (a 2-D ``dask.array`` with known chunk sizes or a ``dask.dataframe``)
    is checked for its shape, chunks and dtype only: its values are not read
    here (that would be a pass over the whole pool); the estimator refuses NaN
    when it meets them on a worker.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.validation import check_pool
    >>> X = np.zeros((3, 2))
    >>> check_pool(X) is X  # an array is returned as it is
    True
    >>> docs = ["a short document", "another one"]
    >>> check_pool(docs) is docs  # so is a list of documents
    True
    >>> check_pool(np.arange(4.0))
    Traceback (most recent call last):
    ...
    ValueError: X must be a 2-D array of shape (n_samples, n_features), got shape (4,); reshape a single feature with X.reshape(-1, 1)
    >>> check_pool(np.array([[1.0, np.nan]]), "X_test")
    Traceback (most recent call last):
    ...
    ValueError: X_test contains NaN or infinity; impute or drop those values first
    >>> check_pool(iter(docs))
    Traceback (most recent call last):
    ...
    TypeError: X must be a container of rows with a length (array, sparse matrix, DataFrame or list), got list_iterator
    """
    kind = pool_kind(X)
    if kind == "dask":
        X = check_dask_pool(X, name)
        if n_rows(X) < 1:
            raise ValueError(f"{name} must have at least one row, got 0")
        return X
    if kind == "sequence" and (
        isinstance(X, (str, bytes, dict)) or not hasattr(X, "__len__") or not hasattr(X, "__getitem__")
    ):
        raise TypeError(
            f"{name} must be a container of rows with a length (array, sparse matrix, DataFrame or list), "
            f"got {type(X).__name__}"
        )
    if kind == "sparse":
        X = _indexable_sparse(X, name)
    elif kind == "array":
        _check_array_shape(X, name)
    if n_rows(X) < 1:
        raise ValueError(f"{name} must have at least one row, got 0")
    if kind == "frame" and X.ndim == 2 and X.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {X.shape}")
    if check_finite and is_numeric(X):
        _check_finite(X, name)
    return X


def _indexable_sparse(X: Any, name: str) -> Any:
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got a sparse matrix with shape {X.shape}")
    if X.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(f"{name} must hold numbers, got dtype {X.dtype}")
    if X.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {X.shape}")
    return X if X.format in ("csr", "csc") else X.tocsr()


def _check_array_shape(X: np.ndarray, name: str) -> None:
    numeric = X.dtype.kind in NUMERIC_KINDS
    if X.ndim == 0 or (numeric and X.ndim == 1):
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}; "
            "reshape a single feature with X.reshape(-1, 1)"
        )
    if numeric and 0 in X.shape[1:]:
        raise ValueError(f"{name} must have at least one column, got shape {X.shape}")


def _check_finite(X: Any, name: str) -> None:
    """Refuse NaN/inf in a numeric pool, one chunk of at most ``CHECK_CHUNK_BYTES`` at a time.

    Arrays are checked in their own dtype (views, no conversion); frames and
    lists are converted a chunk at a time.
    """
    kind = pool_kind(X)
    if kind == "sparse":
        values = X.data
        step = max(1, CHECK_CHUNK_BYTES // values.dtype.itemsize)
        blocks: Any = (values[start:stop] for start, stop in row_blocks(values.shape[0], step))
    elif kind == "array":
        step = max(1, CHECK_CHUNK_BYTES // max(1, X[:1].nbytes))
        blocks = (X[start:stop] for start, stop in row_blocks(n_rows(X), step))
    else:
        width = numeric_rows(row_block(X, 0, 1), name).shape[1]
        step = max(1, CHECK_CHUNK_BYTES // max(1, 8 * width))
        blocks = (numeric_rows(row_block(X, start, stop), name) for start, stop in row_blocks(n_rows(X), step))
    for block in blocks:
        if block.dtype.kind == "f" and not np.isfinite(block).all():
            raise ValueError(f"{name} contains NaN or infinity; impute or drop those values first")


def accepts_missing_values(estimator: Any) -> bool:
    """True when NaN in ``X`` is the estimator's business: its tags allow NaN, or it is a pipeline.

    A bare estimator is asked through scikit-learn's tags (``HistGradientBoosting``
    takes NaN, ``LogisticRegression`` does not). A ``Pipeline`` or
    ``ColumnTransformer`` may impute in any step, which tags cannot tell, so a
    pool with gaps is handed to it and its own error (naming the step) is raised
    if it cannot cope.

    Examples
    --------
    >>> from sklearn.impute import SimpleImputer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from alfunc.core.validation import accepts_missing_values
    >>> accepts_missing_values(LogisticRegression()), accepts_missing_values(make_pipeline(SimpleImputer(), LogisticRegression()))
    (False, True)
    """
    if hasattr(estimator, "steps") or hasattr(estimator, "transformers"):
        return True
    try:
        from sklearn.utils import get_tags  # scikit-learn >= 1.6; older versions: NaN is refused up front
    except ImportError:
        return False
    try:
        return bool(get_tags(estimator).input_tags.allow_nan)
    except (AttributeError, TypeError, ValueError):
        return False


def check_same_pool(X: Any, n_pool: int, info: Any = None) -> Any:
    """Check that ``X`` is the pool of ``n_pool`` rows a state was built on (cheap: no finiteness pass).

    The steps after ``init_step`` use it to catch a state paired with the wrong
    pool; ``info`` (a history's ``info``) adds a check of the row layout, so a
    DataFrame whose columns changed is refused before any fit.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.validation import check_same_pool
    >>> check_same_pool(np.zeros((4, 2)), 4).shape
    (4, 2)
    >>> check_same_pool(np.zeros((3, 2)), 4)
    Traceback (most recent call last):
    ...
    ValueError: X must be the pool of 4 rows the state was built on, got 3 rows
    >>> check_same_pool(np.zeros((4, 3)), 4, info={"row_layout": (2,)})
    Traceback (most recent call last):
    ...
    ValueError: X must have the row layout the state was built on, (2,), got (3,)
    """
    X = check_pool(X, check_finite=False)
    if n_rows(X) != n_pool:
        raise ValueError(f"X must be the pool of {n_pool} rows the state was built on, got {n_rows(X)} rows")
    recorded = None if info is None else info.get("row_layout")
    if recorded is not None and tuple(recorded) != row_layout(X):
        raise ValueError(f"X must have the row layout the state was built on, {tuple(recorded)}, got {row_layout(X)}")
    return X


def check_labels_for(y: Any, n_samples: int, name: str = "y") -> np.ndarray:
    """Check that ``y`` is 1-D with one label per pool row.

    Examples
    --------
    >>> from alfunc.core.validation import check_labels_for
    >>> check_labels_for(["cat", "dog", "cat"], 3).tolist()
    ['cat', 'dog', 'cat']
    >>> check_labels_for([0, 1, 1], 4)
    Traceback (most recent call last):
    ...
    ValueError: y has 3 labels but X has 4 rows
    >>> check_labels_for([[0], [1], [1]], 3)
    Traceback (most recent call last):
    ...
    ValueError: y must be 1-D (one label per row), got shape (3, 1)
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per row), got shape {y.shape}")
    if y.shape[0] != n_samples:
        raise ValueError(f"{name} has {y.shape[0]} labels but X has {n_samples} rows")
    return y


def is_count(value: Any) -> bool:
    """True for an integer that is not a bool: Python's ``int`` and numpy's integers alike.

    The one integer check of alfunc (``check_positive_int`` uses it): use it
    wherever an argument is a count, an index or an iteration, so that
    ``np.int64(3)`` is accepted wherever ``3`` is.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.validation import is_count
    >>> is_count(3), is_count(np.int64(3)), is_count(True), is_count(3.0)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """True for a real number (Python or numpy, integer or float) that is not a bool.

    The companion of ``is_count`` for parameters that take any number
    (weights, exponents, probabilities): numpy scalars pass as Python ones do.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.validation import is_real
    >>> is_real(0.5), is_real(np.float32(0.5)), is_real(np.int64(2)), is_real(True), is_real("0.5")
    (True, True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive_int(value: Any, name: str, *, allow_zero: bool = False) -> int:
    """Check an integer >= 1 (or >= 0).

    Examples
    --------
    >>> from alfunc.core.validation import check_positive_int
    >>> check_positive_int(3, "batch_size")
    3
    >>> check_positive_int(0, "max_iter", allow_zero=True)
    0
    >>> check_positive_int(0, "batch_size")
    Traceback (most recent call last):
    ...
    ValueError: batch_size must be an int >= 1, got 0
    >>> check_positive_int(2.5, "batch_size")
    Traceback (most recent call last):
    ...
    TypeError: batch_size must be an int >= 1, got float 2.5
    """
    lowest = 0 if allow_zero else 1
    if not is_count(value):
        raise TypeError(f"{name} must be an int >= {lowest}, got {type(value).__name__} {value!r}")
    if value < lowest:
        raise ValueError(f"{name} must be an int >= {lowest}, got {value}")
    return int(value)


def resolve_count(value: Any, n_pool: int, name: str) -> int:
    """A count of pool points: an int in [1, n_pool] or a fraction in (0, 1] of the pool.

    Fractions are rounded to the nearest count and never below one point.

    Examples
    --------
    >>> from alfunc.core.validation import resolve_count
    >>> resolve_count(10, 150, "n_init"), resolve_count(0.1, 150, "n_init"), resolve_count(0.001, 150, "n_init")
    (10, 15, 1)
    >>> resolve_count(200, 150, "n_init")
    Traceback (most recent call last):
    ...
    ValueError: n_init must be between 1 and the pool size 150, got 200
    >>> resolve_count(1.5, 150, "n_init")
    Traceback (most recent call last):
    ...
    ValueError: n_init as a fraction must be in (0, 1], got 1.5
    """
    if is_count(value):
        count = int(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        if not 0.0 < float(value) <= 1.0 or math.isnan(value):
            raise ValueError(f"{name} as a fraction must be in (0, 1], got {value}")
        count = max(1, round(float(value) * n_pool))
    else:
        raise TypeError(f"{name} must be an int count or a float fraction, got {type(value).__name__}")
    if not 1 <= count <= n_pool:
        raise ValueError(f"{name} must be between 1 and the pool size {n_pool}, got {count}")
    return count


def check_estimator(estimator: Any, name: str = "estimator") -> Any:
    """Check that ``estimator`` is a scikit-learn style estimator (``fit`` and ``get_params``).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.core.validation import check_estimator
    >>> model = LogisticRegression()
    >>> check_estimator(model) is model
    True
    >>> check_estimator(LogisticRegression)
    Traceback (most recent call last):
    ...
    TypeError: estimator must be an estimator instance, got the class LogisticRegression; add ()
    """
    if isinstance(estimator, type):
        raise TypeError(f"{name} must be an estimator instance, got the class {estimator.__name__}; add ()")
    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
        raise TypeError(
            f"{name} must be a scikit-learn estimator with fit and get_params, got {type(estimator).__name__}"
        )
    return estimator


def check_test_set(X_test: Any, y_test: Any, X: Any) -> tuple[Any, np.ndarray | None]:
    """Check that the test set is given whole (both parts) and its rows are laid out like the pool ``X``'s.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.validation import check_test_set
    >>> X = np.zeros((5, 4))
    >>> check_test_set(None, None, X)  # no test set
    (None, None)
    >>> X_test, y_test = check_test_set(np.zeros((2, 4)), [0, 1], X)
    >>> X_test.shape, y_test.tolist()
    ((2, 4), [0, 1])
    >>> check_test_set(np.zeros((2, 4)), None, X)
    Traceback (most recent call last):
    ...
    ValueError: X_test and y_test must be given together
    >>> check_test_set(np.zeros((2, 3)), [0, 1], X)
    Traceback (most recent call last):
    ...
    ValueError: X_test rows must be laid out like the rows of X, (4,), got (3,)
    """
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together")
    if X_test is None:
        return None, None
    X_test = check_pool(X_test, "X_test")
    expected, got = row_layout(X), row_layout(X_test)
    if expected is not None and expected != got:
        raise ValueError(f"X_test rows must be laid out like the rows of X, {expected}, got {got}")
    return X_test, check_labels_for(y_test, n_rows(X_test), "y_test")
