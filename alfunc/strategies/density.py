"""Density-weighted uncertainty: information density and DWUS.

Both multiply a base uncertainty by how representative a candidate is, so
outliers near the boundary lose to points in dense regions. Representativeness
is measured against a reference set: the whole pool when it has at most
``n_reference`` rows, else a seeded sample of that size. The sample is drawn
from ``context.generator`` and from the pool (not the chunk), so every chunk
sees the same reference and utilities do not depend on the chunk size; the cost
per candidate is ``O(n_reference * n_features)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics.pairwise import cosine_similarity, euclidean_distances

from alfunc.core.context import Context
from alfunc.core.validation import check_positive_int
from alfunc.strategies.base import Strategy, inherit_needs
from alfunc.strategies.uncertainty import entropy

Weight = Any  # (X_candidates, X_reference) -> one non-negative weight per candidate


def information_density(base: Strategy = entropy, beta: float = 1.0, n_reference: int = 1000) -> Strategy:
    """base(x) * (mean similarity of x to the unlabeled pool) ** beta (Settles & Craven 2008).

    Similarity is cosine similarity mapped to [0, 1] by (1 + cos) / 2.
    """
    return _density_weighted(base, beta, n_reference, "unlabeled", mean_cosine_similarity, "information_density")


def dwus(base: Strategy = entropy, beta: float = 1.0, n_reference: int = 1000) -> Strategy:
    """base(x) * density(x) ** beta, density-weighted uncertainty sampling (Nguyen & Smeulders 2004).

    The density is a Gaussian kernel density estimate over the whole pool (a
    stand-in for the paper's mixture model), with the median pairwise distance
    of the reference set as bandwidth, so it needs no tuning and no fit.
    """
    return _density_weighted(base, beta, n_reference, "pool", gaussian_density, "dwus")


def mean_cosine_similarity(X: Any, reference: Any) -> np.ndarray:
    """Mean of (1 + cos) / 2 between each row of ``X`` and the reference rows, in [0, 1]."""
    return (1.0 + cosine_similarity(X, reference).mean(axis=1)) / 2.0


def gaussian_density(X: Any, reference: Any) -> np.ndarray:
    """Gaussian kernel density of each row of ``X`` over the reference rows (bandwidth: median distance)."""
    between = euclidean_distances(reference, squared=False)
    off_diagonal = between[~np.eye(between.shape[0], dtype=bool)]
    bandwidth = float(np.median(off_diagonal)) if off_diagonal.size else 1.0
    bandwidth = bandwidth if bandwidth > 0 else 1.0
    squared = euclidean_distances(X, reference, squared=True)
    return np.exp(-squared / (2.0 * bandwidth**2)).mean(axis=1)


def reference_indices(context: Context, n_reference: int, pool: str) -> np.ndarray:
    """The pool indices the density is measured against: all, or a seeded sample (sorted)."""
    indices = context.state.unlabeled() if pool == "unlabeled" else np.arange(context.state.n_pool)
    if indices.size <= n_reference:
        return indices
    return np.sort(context.generator(f"density-reference-{pool}").choice(indices, n_reference, replace=False))


def _density_weighted(base: Strategy, beta: float, n_reference: int, pool: str, weight: Weight, name: str) -> Strategy:
    if not callable(base) or getattr(base, "selects_batch", False):
        raise TypeError(f"base must be a utility strategy function, got {base!r}")
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not np.isfinite(beta) or beta < 0:
        raise ValueError(f"beta must be a finite number >= 0, got {beta!r}")
    n_reference = check_positive_int(n_reference, "n_reference")

    def density_weighted(model: Any, X: Any, context: Context) -> np.ndarray:
        uncertainty = np.asarray(base(model, X, context), dtype=np.float64)
        if (uncertainty < 0).any():
            raise ValueError(f"{name} needs a non-negative base utility; {base.__name__} gave {uncertainty.min()}")
        reference = context.X[reference_indices(context, n_reference, pool)]
        return uncertainty * weight(X, reference) ** beta

    density_weighted.__name__ = density_weighted.__qualname__ = name
    return inherit_needs(density_weighted, base)
