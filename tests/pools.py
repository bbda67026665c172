"""Hypothesis generators for the core property tests, built on the public kit in ``alfunc.testing``."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st

from alfunc.testing import CentroidClassifier
from alfunc.testing import pools as kit_pools

__all__ = ["AnyPoolCentroid", "CentroidClassifier", "dense", "pools", "runs"]


def pools(min_size: int = 4, max_size: int = 40, max_classes: int = 3) -> st.SearchStrategy:
    """A small (X, y) pool: finite features, 1..max_classes labels, possible duplicate rows and ties."""
    return kit_pools(min_rows=min_size, max_rows=max_size, max_classes=max_classes)


@st.composite
def runs(draw, strategies=("random", "margin", "entropy", "least_confident")):
    """A pool plus run settings: strategy, n_init, batch size and seed."""
    X, y = draw(pools())
    n = len(y)
    return {
        "X": X,
        "y": y,
        "strategy": draw(st.sampled_from(strategies)),
        "n_init": draw(st.integers(1, n)),
        "batch_size": draw(st.integers(1, n)),
        "random_state": draw(st.integers(0, 2**32 - 1)),
    }


def dense(X):
    """The numbers of any numeric pool kind as a float array (what the test models compute on)."""
    if sp.issparse(X):
        return X.toarray()
    if hasattr(X, "to_numpy"):
        return X.to_numpy(dtype=np.float64)
    return np.asarray(X, dtype=np.float64)


class AnyPoolCentroid(CentroidClassifier):
    """A CentroidClassifier that takes every numeric pool kind, with bit-identical predictions."""

    def fit(self, X, y):
        return super().fit(dense(X), y)

    def predict_proba(self, X):
        return super().predict_proba(dense(X))
