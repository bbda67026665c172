"""Argument checks shared by the steps and the loop.

Every check raises ``ValueError``/``TypeError`` naming the argument and what was
expected, and never modifies or copies what it checks beyond a bounded chunk.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

CHECK_CHUNK_ROWS = 65536


def n_rows(X: Any) -> int:
    """Number of rows of a 2-D array-like.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.core.validation import n_rows
    >>> n_rows(np.zeros((4, 2))), n_rows(sp.eye(5, format="csr"))
    (4, 5)
    """
    return int(X.shape[0])


def row_blocks(n: int, chunk_size: int) -> Iterator[tuple[int, int]]:
    """Consecutive ``(start, stop)`` row ranges covering ``range(n)``.

    Examples
    --------
    >>> from alfunc.core.validation import row_blocks
    >>> list(row_blocks(10, 4))  # the last block is shorter
    [(0, 4), (4, 8), (8, 10)]
    """
    for start in range(0, n, chunk_size):
        yield start, min(start + chunk_size, n)


def check_pool(X: Any, name: str = "X", *, check_finite: bool = True) -> Any:
    """Check that ``X`` is a 2-D numeric array (dense, memmap or scipy sparse).

    Dense array-likes that are not arrays (lists) are converted once; arrays and
    memmaps are returned as they are, never copied. Finiteness is checked in
    bounded chunks so a large pool costs no pool-sized temporary.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.validation import check_pool
    >>> X = np.zeros((3, 2))
    >>> check_pool(X) is X  # an array is returned as it is
    True
    >>> check_pool([[1, 2], [3, 4]]).shape  # a list is converted once
    (2, 2)
    >>> check_pool(np.arange(4.0))
    Traceback (most recent call last):
    ...
    ValueError: X must be a 2-D array of shape (n_samples, n_features), got shape (4,); reshape a single feature with X.reshape(-1, 1)
    >>> check_pool(np.array([[1.0, np.nan]]), "X_test")
    Traceback (most recent call last):
    ...
    ValueError: X_test contains NaN or infinity; impute or drop those values first
    """
    if sp.issparse(X):
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got a sparse matrix with shape {X.shape}")
        data = X.data
    else:
        if not hasattr(X, "shape") or not hasattr(X, "dtype"):
            X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"{name} must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}; "
                "reshape a single feature with X.reshape(-1, 1)"
            )
        data = X
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {X.dtype}")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name} must have at least one row and one column, got shape {X.shape}")
    if check_finite and data.dtype.kind == "f":
        rows = data.reshape(-1) if sp.issparse(X) else data
        for start, stop in row_blocks(rows.shape[0], CHECK_CHUNK_ROWS):
            if not np.isfinite(rows[start:stop]).all():
                raise ValueError(f"{name} contains NaN or infinity; impute or drop those values first")
    return X


def check_same_pool(X: Any, n_pool: int) -> Any:
    """Check that ``X`` is a 2-D pool of ``n_pool`` rows (cheap: no finiteness pass).

    The steps after ``init_step`` use it to catch a state paired with the wrong pool.

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
    """
    X = check_pool(X, check_finite=False)
    if n_rows(X) != n_pool:
        raise ValueError(f"X must be the pool of {n_pool} rows the state was built on, got {n_rows(X)} rows")
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
    """True for an integer that is not a bool.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.validation import is_count
    >>> is_count(3), is_count(np.int64(3)), is_count(True), is_count(3.0)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


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


def check_test_set(X_test: Any, y_test: Any, n_features: int) -> tuple[Any, np.ndarray | None]:
    """Check that the test set is given whole (both parts) and matches the pool's features.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.validation import check_test_set
    >>> check_test_set(None, None, 4)  # no test set
    (None, None)
    >>> X_test, y_test = check_test_set(np.zeros((2, 4)), [0, 1], 4)
    >>> X_test.shape, y_test.tolist()
    ((2, 4), [0, 1])
    >>> check_test_set(np.zeros((2, 4)), None, 4)
    Traceback (most recent call last):
    ...
    ValueError: X_test and y_test must be given together
    >>> check_test_set(np.zeros((2, 3)), [0, 1], 4)
    Traceback (most recent call last):
    ...
    ValueError: X_test has 3 features but X has 4
    """
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together")
    if X_test is None:
        return None, None
    X_test = check_pool(X_test, "X_test")
    if X_test.shape[1] != n_features:
        raise ValueError(f"X_test has {X_test.shape[1]} features but X has {n_features}")
    return X_test, check_labels_for(y_test, n_rows(X_test), "y_test")
