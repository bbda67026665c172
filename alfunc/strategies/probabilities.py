"""Class probabilities of pool rows for batch strategies, one model call per chunk of rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from alfunc.core.rows import take_rows
from alfunc.strategies.pooled import scoring_chunk_rows


def pool_proba(model: Any, X: Any, indices: np.ndarray, name: str, chunk_rows: int | None = None) -> np.ndarray:
    """``predict_proba`` of the pool rows ``indices`` (columns in ``model.classes_`` order), chunk by chunk.

    Rows are taken from ``X`` in the pool's own container (``take_rows``);
    ``chunk_rows`` rows per model call (default: ``scoring_chunk_rows(X)``). A
    model without ``predict_proba`` is refused with a message naming the
    strategy ``name``.

    Parameters
    ----------
    model : fitted classifier
        The state's model.
    X : pool
        The whole pool, any kind ``take_rows`` reads.
    indices : ndarray of int
        Pool indices of the rows to score.
    name : str
        The strategy's name, for the error message.
    chunk_rows : int, optional
        Rows per model call.

    Returns
    -------
    ndarray of shape (len(indices), n_classes)
        Float64 probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies.probabilities import pool_proba
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> model = LogisticRegression().fit(X, [0, 0, 1, 1])
    >>> bool(np.allclose(pool_proba(model, X, np.array([3, 0]), "clue", chunk_rows=1), model.predict_proba(X[[3, 0]])))
    True
    >>> from sklearn.svm import LinearSVC
    >>> pool_proba(LinearSVC().fit(X, [0, 0, 1, 1]), X, np.array([0]), "clue")
    Traceback (most recent call last):
    ...
    TypeError: strategy 'clue' needs predict_proba, which LinearSVC does not have; wrap the model in CalibratedClassifierCV
    """
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"strategy {name!r} needs predict_proba, which {type(model).__name__} does not have; "
            "wrap the model in CalibratedClassifierCV"
        )
    indices = np.asarray(indices, dtype=np.int64)
    step = scoring_chunk_rows(X) if chunk_rows is None else chunk_rows
    proba: np.ndarray | None = None  # filled in place: no list of chunks and concatenated copy
    for start in range(0, indices.size, step):
        part = np.asarray(model.predict_proba(take_rows(X, indices[start : start + step])), dtype=np.float64)
        if proba is None:
            proba = np.empty((indices.size, part.shape[1]))
        proba[start : start + part.shape[0]] = part
    return proba if proba is not None else np.empty((0, len(getattr(model, "classes_", ())) or 1))
