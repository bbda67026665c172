"""DropQuery (Gupte et al. 2024, "Revisiting Active Learning in the Era of Vision Foundation Models").

DropQuery perturbs the features the model's last layer reads with dropout,
keeps the candidates whose prediction changes under most perturbations, and
clusters them with k-means, querying the candidate nearest each centre:

1. ``h(x)``, the model's own features (``alfunc.core.representation.model_features``:
   a pipeline's transforms, an MLP's last hidden layer, else the numeric input
   itself), gets ``n_copies`` dropout masks: each entry is zeroed with
   probability ``dropout`` and the kept ones scaled by ``1 / (1 - dropout)``
   (inverted dropout, as ``torch.nn.Dropout`` in the authors' code);
2. the model's last step predicts each copy (a pipeline's final estimator on
   the transformed copy; an MLP's output layer on the hidden copy; a bare
   model, e.g. a linear model on embeddings, on the copy of its input);
3. a candidate whose copies disagree with its clean prediction more than half
   the time is kept (if fewer than the batch are kept, the most disagreeing
   candidates fill up, as scikit-activeml does);
4. k-means (k-means++ seeding) in the run's representation splits the kept
   candidates into as many clusters as the batch holds; the candidate nearest
   each centre is queried.

Defaults are the paper's: ``dropout = 0.75``, 3 copies. scikit-activeml's
``DropQuery`` for scikit-learn models applies the masks to the input rows and
does not rescale the kept entries; the two agree when the model's features
are its input and its last step ignores the scale of its input (e.g. a
linear model without intercept). Masks are hashed from (seed, iteration,
copy, pool index, feature), so they do not depend on chunking. Memory: one
chunk of features and a counter per candidate, then one copy of the kept
candidates' feature rows for k-means.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from alfunc.core.context import Context
from alfunc.core.representation import model_features
from alfunc.core.rng import hashed_uniform, step_salt
from alfunc.core.rows import is_numeric, take_rows
from alfunc.core.validation import check_positive_int, is_real
from alfunc.strategies.base import BatchStrategy, batch_strategy, described, uses_classifier, uses_features
from alfunc.strategies.centres import centre_picks
from alfunc.strategies.pooled import geometry, scoring_chunk_rows


def last_step_predict(model: Any, features: Any) -> np.ndarray:
    """What the fitted ``model``'s last step predicts from its own ``features`` (see ``model_features``).

    A pipeline's final estimator predicts the transformed rows; an MLP's
    output layer reads its last hidden layer; any other model predicts its
    input rows.

    Parameters
    ----------
    model : fitted classifier
        A classifier, a pipeline ending in one, or an ``MLPClassifier``.
    features : array or sparse matrix
        Rows as ``model_features(model, rows)`` gives them, possibly perturbed.

    Returns
    -------
    ndarray
        One predicted label per row.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPClassifier
    >>> from alfunc.core.representation import model_features
    >>> from alfunc.strategies.dropquery import last_step_predict
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    >>> mlp = MLPClassifier((4,), solver="lbfgs", max_iter=500, random_state=0).fit(X, [0, 1, 2, 0])
    >>> (last_step_predict(mlp, model_features(mlp, X)) == mlp.predict(X)).all()
    np.True_
    """
    final = model.steps[-1][1] if isinstance(getattr(model, "steps", None), list) and model.steps else model
    if hasattr(final, "coefs_") and hasattr(final, "activation"):
        scores = np.asarray(features @ final.coefs_[-1]) + final.intercepts_[-1]
        positions = (scores[:, 0] > 0).astype(np.int64) if scores.shape[1] == 1 else scores.argmax(axis=1)
        return np.asarray(final.classes_)[positions]
    return np.asarray(final.predict(features))


def dropout_copy(features: Any, pool_indices: np.ndarray, rate: float, salt: int) -> Any:
    """``features`` with each entry kept with probability ``1 - rate`` and scaled by ``1 / (1 - rate)``, else zeroed.

    The mask of entry ``(i, j)`` is a uniform hashed from ``pool_indices[i] x
    width + j`` and ``salt``: it does not depend on which other rows are in
    the chunk. A sparse matrix keeps its sparsity (stored entries only).

    Parameters
    ----------
    features : ndarray or CSR matrix of shape (n, width)
        Feature rows.
    pool_indices : ndarray of int
        The pool index of each row.
    rate : float
        The probability of zeroing an entry, in (0, 1).
    salt : int
        A 64-bit salt (``alfunc.core.rng.step_salt``).

    Returns
    -------
    ndarray or CSR matrix
        A new array (the input is not modified).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.dropquery import dropout_copy
    >>> h = np.ones((2, 6))
    >>> copy = dropout_copy(h, np.array([10, 11]), 0.5, salt=3)
    >>> sorted(set(copy.ravel().tolist())), float(h.sum())  # kept entries doubled, the input untouched
    ([0.0, 2.0], 12.0)
    >>> bool((dropout_copy(h[1:], np.array([11]), 0.5, salt=3) == copy[1:]).all())  # per pool index
    True
    """
    if sp.issparse(features):
        csr = sp.csr_matrix(features, dtype=np.float64, copy=True)
        rows = np.repeat(np.asarray(pool_indices, dtype=np.int64), np.diff(csr.indptr))
        keep = hashed_uniform(rows * csr.shape[1] + csr.indices, salt) >= rate
        csr.data = np.where(keep, csr.data / (1.0 - rate), 0.0)
        return csr
    dense = np.asarray(features, dtype=np.float64)
    keys = np.asarray(pool_indices, dtype=np.int64)[:, None] * dense.shape[1] + np.arange(dense.shape[1])
    keep = hashed_uniform(keys.ravel(), salt).reshape(dense.shape) >= rate
    return np.where(keep, dense / (1.0 - rate), 0.0)


def dropquery(dropout: float = 0.75, n_copies: int = 3, chunk_rows: int | None = None) -> BatchStrategy:
    """DropQuery: k-means over the candidates whose predictions dropout perturbations flip (see the module docstring).

    Utilities are the number of kept candidates in each pick's cluster
    (largest first); fillers, when there are fewer distinct kept rows than
    the batch, get 0. Bounded by design: beyond ``kmeans_rows(batch_size)``
    kept candidates (``max(20000, 50 x batch_size)``), k-means runs on a
    seeded uniform sample of that many and the cluster sizes are scaled up to
    the kept candidates they stand for.

    Parameters
    ----------
    dropout : float, default 0.75
        Probability of zeroing a feature, in (0, 1).
    n_copies : int, default 3
        Perturbed copies per candidate.
    chunk_rows : int, optional
        Candidates per model call (default: sized by the pool); results do not
        depend on it.

    Returns
    -------
    BatchStrategy
        The strategy, named ``"dropquery"`` for the defaults.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import dropquery
    >>> X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> idx = al.select(state, X, "dropquery", 4)
    >>> len(set(idx.tolist())), bool(state.labeled_mask()[idx].any())
    (4, False)
    >>> bool((al.select(state, X, dropquery(chunk_rows=5), 4) == idx).all())  # chunking changes nothing
    True
    >>> dropquery(dropout=1.0)
    Traceback (most recent call last):
    ...
    ValueError: dropout must be a number in (0, 1), got 1.0
    """
    if not is_real(dropout) or not 0 < dropout < 1:
        raise ValueError(f"dropout must be a number in (0, 1), got {dropout!r}")
    copies = check_positive_int(n_copies, "n_copies")
    rows_per_chunk = None if chunk_rows is None else check_positive_int(chunk_rows, "chunk_rows")
    rate = float(dropout)

    @uses_features
    @uses_classifier
    @batch_strategy
    def dropquery(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        _check_perturbable(model, X)
        candidates, features = context.candidates, geometry(context)
        salts = [step_salt(context.state.seed, context.iteration, f"dropquery-{copy}") for copy in range(copies)]
        step = scoring_chunk_rows(X) if rows_per_chunk is None else rows_per_chunk
        flips = np.zeros(candidates.size, dtype=np.int64)
        for start in range(0, candidates.size, step):
            part = candidates[start : start + step]
            hidden = model_features(model, take_rows(X, part))
            clean = last_step_predict(model, hidden)
            for salt in salts:
                flips[start : start + part.size] += (
                    last_step_predict(model, dropout_copy(hidden, part, rate, salt)) != clean
                )
        k = min(batch_size, candidates.size)
        kept = np.flatnonzero(2 * flips > copies)  # flipped by most copies
        if kept.size < k:  # too few: the most flipped, then by tie draw
            kept = np.sort(np.lexsort((-context.uniform("dropquery"), -flips))[:k])
        seed = int(context.generator("dropquery").integers(2**31 - 1))
        tie = context.uniform("dropquery", kept)
        positions, sizes = centre_picks(features, candidates[kept], k, np.ones(kept.size), tie, seed)
        return candidates[kept[positions]], sizes

    if (rate, copies, rows_per_chunk) != (0.75, 3, None):
        dropquery.__name__ = dropquery.__qualname__ = (
            f"dropquery(dropout={dropout}, n_copies={copies}, chunk_rows={rows_per_chunk})"
        )
    return described(
        dropquery,
        "DropQuery (Gupte et al. 2024): candidates whose predictions flip under dropout on the model's features, "
        "then k-means over them, the point nearest each centre.",
        f"Made by ``dropquery(dropout={dropout!r}, n_copies={n_copies!r})``.",
    )


def _check_perturbable(model: Any, X: Any) -> None:
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if isinstance(steps, list) and steps else model
    in_layers = isinstance(steps, list) and len(steps) > 1 or hasattr(final, "coefs_")
    if not in_layers and not is_numeric(X):
        raise ValueError(
            f"strategy 'dropquery' perturbs the numeric features the model's last step reads, but "
            f"{type(model).__name__} reads the pool's rows as they are; use a Pipeline whose transforms make "
            "numbers (e.g. a vectorizer before the classifier) or an MLP"
        )
