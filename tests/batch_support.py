"""Helpers for the batch-strategy and stopping tests: pools with duplicate rows, hand-made states."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import alfunc as al


@st.composite
def duplicated_pools(draw, min_size: int = 4, max_size: int = 30):
    """A small (X, y) pool whose rows come from few values, so duplicate rows are common."""
    n = draw(st.integers(min_size, max_size))
    n_features = draw(st.integers(1, 2))
    X = draw(arrays(np.float64, (n, n_features), elements=st.integers(-3, 3).map(float)))
    y = draw(arrays(np.int64, n, elements=st.integers(0, 2)))
    return X, y


def hand_state(n_pool: int, labeled, labels, model=None, history=()) -> al.ALState:
    """A fitted-looking state with the given labeled indices, labels and model."""
    return al.ALState(
        labeled=np.asarray(labeled),
        labels=np.asarray(labels),
        n_pool=n_pool,
        history=al.History(0, history),
        iteration=max(0, len(history) - 1),
        model=model,
    )


class Fixed:
    """A stand-in model whose outputs are given functions of the rows."""

    def __init__(self, predict=None, predict_proba=None):
        self._predict, self._proba = predict, predict_proba

    def predict(self, X):
        return self._predict(np.asarray(X))

    def predict_proba(self, X):
        return self._proba(np.asarray(X))


def column(X):
    """The pool as one feature column (1-D points)."""
    return np.asarray(X, dtype=np.float64).reshape(-1, 1)
