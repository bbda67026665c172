"""Hypothesis generators for small pools, used by the core property tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import BaseEstimator, ClassifierMixin


@st.composite
def pools(draw, min_size: int = 4, max_size: int = 40, max_classes: int = 3):
    """A small (X, y) pool: finite features, 1..max_classes labels, possible duplicate rows."""
    n = draw(st.integers(min_size, max_size))
    n_features = draw(st.integers(1, 3))
    values = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=32)
    X = draw(arrays(np.float64, (n, n_features), elements=values))
    n_classes = draw(st.integers(1, max_classes))
    y = draw(arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    return X, y


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


class CentroidClassifier(ClassifierMixin, BaseEstimator):
    """A tiny, fast classifier that never fails on degenerate pools (one class, equal rows).

    Probabilities are a softmax of minus the squared distance to each class centroid.
    """

    def __init__(self, temperature: float = 1.0):
        self.temperature = temperature

    def fit(self, X, y):
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.centroids_ = np.stack([X[codes == c].mean(axis=0) for c in range(self.classes_.size)])
        return self

    def predict_proba(self, X):
        distances = ((np.asarray(X)[:, None, :] - self.centroids_[None]) ** 2).sum(axis=2)
        logits = -distances / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
