"""Shared pieces of the history tests: small pools, fast estimators, a flaky and a noisy estimator."""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.naive_bayes import GaussianNB

NOISE_CALLS = itertools.count()  # process-wide on purpose: a fresh draw on every call, in every run


def make_pool(n_pool: int = 60, n_features: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small two-class pool whose labels depend on the features (both classes present)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_pool, n_features))
    y = (X[:, 0] + 0.5 * rng.normal(size=n_pool) > 0).astype(int)
    y[:2] = [0, 1]
    return X, y


class FlakyNB(ClassifierMixin, BaseEstimator):
    """GaussianNB that raises ``error`` when fitted on exactly ``fail_at_size`` points."""

    def __init__(self, fail_at_size: int | None = None, error: type[BaseException] = RuntimeError) -> None:
        self.fail_at_size = fail_at_size
        self.error = error

    def fit(self, X, y):
        if len(X) == self.fail_at_size:
            raise self.error(f"simulated failure on {len(X)} points")
        self.model_ = GaussianNB().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class NoisyNB(FlakyNB):
    """GaussianNB whose probabilities get fresh noise on every call: a nondeterministic model."""

    def predict_proba(self, X):
        rng = np.random.default_rng([7, next(NOISE_CALLS)])
        noisy = self.model_.predict_proba(X) + rng.uniform(0, 1, size=(len(X), self.classes_.size))
        return noisy / noisy.sum(axis=1, keepdims=True)


class NoFit(FlakyNB):
    """An estimator that must never be fitted: proves a check ran before any fit."""

    def fit(self, X, y):
        raise AssertionError("fit was called although the arguments were invalid")
