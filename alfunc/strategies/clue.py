"""CLUE (Prabhu et al. 2021, "Active Domain Adaptation via Clustering Uncertainty-weighted Embeddings").

CLUE clusters the candidates in the run's representation with k-means, each
candidate weighted by its uncertainty (by default the entropy of
``predict_proba``), into as many clusters as the batch holds, and queries the
candidate nearest each centre: the batch spreads over the regions where the
model is unsure, in proportion to how much uncertainty each region holds.
The weights follow scikit-activeml's ``Clue`` (entropy by default; all equal
when every uncertainty is 0). Memory: one copy of the candidates' feature rows
for k-means plus a few floats per candidate.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.core.validation import check_positive_int
from alfunc.strategies.base import BatchStrategy, batch_strategy, described, uses_classifier, uses_features, uses_proba
from alfunc.strategies.centres import centre_picks
from alfunc.strategies.falcun import margin_uncertainty
from alfunc.strategies.pooled import geometry, scoring_chunk_rows
from alfunc.strategies.probabilities import pool_proba

UNCERTAINTIES = ("entropy", "least_confident", "margin")


def proba_uncertainty(proba: Any, kind: str) -> np.ndarray:
    """Per-row uncertainty of class probabilities: ``"entropy"`` (natural log), ``"least_confident"`` or ``"margin"``.

    Parameters
    ----------
    proba : array-like of shape (n, n_classes)
        Class probabilities.
    kind : str
        One of ``"entropy"``, ``"least_confident"``, ``"margin"`` (one minus
        the gap between the two most likely classes).

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.clue import proba_uncertainty
    >>> proba = np.array([[0.5, 0.5], [1.0, 0.0], [0.9, 0.1]])
    >>> proba_uncertainty(proba, "entropy").round(3).tolist()
    [0.693, 0.0, 0.325]
    >>> proba_uncertainty(proba, "least_confident").round(3).tolist(), proba_uncertainty(proba, "margin").round(3).tolist()
    ([0.5, 0.0, 0.1], [1.0, 0.0, 0.2])
    """
    proba = np.asarray(proba, dtype=np.float64)
    if kind == "entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nansum(-proba * np.log(proba), axis=1) + 0.0
    if kind == "least_confident":
        return 1.0 - proba.max(axis=1)
    return margin_uncertainty(proba)


def clue(uncertainty: str = "entropy", chunk_rows: int | None = None) -> BatchStrategy:
    """CLUE: uncertainty-weighted k-means in the representation, the candidate nearest each centre (see the module docstring).

    k-means (k-means++ seeding, one run, seeded by the state) weighs each
    candidate by its ``uncertainty``; identical rows are clustered once with
    their weights summed (``alfunc.strategies.centres``). Clusters go by
    decreasing uncertainty mass, which is each pick's utility. Bounded by
    design: beyond ``kmeans_rows(batch_size)`` candidates (``max(20000, 50 x
    batch_size)``), k-means runs on a seeded uniform sample of that many and
    the masses are scaled up to the candidates they stand for; the
    probabilities are one chunked pass over the pool.

    Parameters
    ----------
    uncertainty : {"entropy", "least_confident", "margin"}, default "entropy"
        The weight of a candidate, from ``predict_proba``.
    chunk_rows : int, optional
        Rows per ``predict_proba`` call (default: sized by the pool); results
        do not depend on it.

    Returns
    -------
    BatchStrategy
        The strategy, named ``"clue"`` for the defaults.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import clue
    >>> X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> idx, mass = al.select(state, X, "clue", 4, return_utilities=True)
    >>> len(set(idx.tolist())), bool(state.labeled_mask()[idx].any()), bool((np.diff(mass) <= 0).all())
    (4, False, True)
    >>> clue("variance")
    Traceback (most recent call last):
    ...
    ValueError: uncertainty must be one of ('entropy', 'least_confident', 'margin'), got 'variance'
    """
    if uncertainty not in UNCERTAINTIES:
        raise ValueError(f"uncertainty must be one of {UNCERTAINTIES}, got {uncertainty!r}")
    rows_per_chunk = None if chunk_rows is None else check_positive_int(chunk_rows, "chunk_rows")

    @uses_features
    @uses_proba
    @uses_classifier
    @batch_strategy
    def clue(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        candidates, features = context.candidates, geometry(context)
        step = scoring_chunk_rows(X) if rows_per_chunk is None else rows_per_chunk
        weights = np.empty(candidates.size)  # a chunk's probabilities at a time, never the pool's
        for start in range(0, candidates.size, step):
            part = candidates[start : start + step]
            weights[start : start + part.size] = proba_uncertainty(
                pool_proba(model, X, part, "clue", step), uncertainty
            )
        seed = int(context.generator("clue").integers(2**31 - 1))
        k = min(batch_size, candidates.size)
        positions, mass = centre_picks(
            features, candidates, k, weights, functools.partial(context.uniform, "clue"), seed
        )
        return candidates[positions], mass

    if uncertainty != "entropy" or rows_per_chunk is not None:
        clue.__name__ = clue.__qualname__ = f"clue(uncertainty={uncertainty!r}, chunk_rows={rows_per_chunk})"
    return described(
        clue,
        "CLUE (Prabhu et al. 2021): uncertainty-weighted k-means on the representation, the point nearest each centre.",
        f"Made by ``clue(uncertainty={uncertainty!r})``.",
    )
