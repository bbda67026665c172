"""Small, fast estimators that never fail on degenerate pools, and the default pick per strategy.

Generated pools are tiny and often degenerate (one class, identical rows, a
single labeled point), where many real estimators refuse to fit. The checks
need models that always fit so that a failure points at the strategy, not at
the estimator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.ensemble import RandomForestClassifier

from alfunc.strategies.base import needs_ensemble, needs_regressor


class CentroidClassifier(ClassifierMixin, BaseEstimator):
    """Nearest-centroid probabilities: a softmax of minus the squared distance to each class centroid.

    Fits any labeled set, including one point, one class or identical rows, in
    microseconds; ``predict_proba`` is smooth, so utilities rarely tie by accident.
    ``score`` is plain accuracy without scikit-learn's input checks, which
    would cost more than the fit.

    Parameters
    ----------
    temperature : float, default=1.0
        Softmax temperature of the distances.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.testing import CentroidClassifier
    >>> X, y = np.array([[0.0], [1.0], [4.0], [5.0]]), np.array([0, 0, 1, 1])
    >>> model = CentroidClassifier().fit(X, y)
    >>> model.centroids_.tolist()
    [[0.5], [4.5]]
    >>> model.predict_proba(np.array([[2.5], [3.0]])).round(3).tolist()  # halfway: a tie; closer to 4.5: class 1
    [[0.5, 0.5], [0.018, 0.982]]
    >>> model.predict(np.array([[0.2], [3.0]])).tolist(), model.score(X, y)
    ([0, 1], 1.0)
    >>> CentroidClassifier().fit(X[:1], y[:1]).predict_proba(X).tolist()  # a single labeled point is enough
    [[1.0], [1.0], [1.0], [1.0]]
    """

    def __init__(self, temperature: float = 1.0):
        self.temperature = temperature

    def fit(self, X: Any, y: Any) -> CentroidClassifier:
        X = np.asarray(X, dtype=np.float64)
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        self.centroids_ = np.stack([X[codes == c].mean(axis=0) for c in range(self.classes_.size)])
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        distances = ((X[:, None, :] - self.centroids_[None]) ** 2).sum(axis=2)
        logits = -distances / self.temperature
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        return weights / weights.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy, computed directly (scikit-learn's checks cost more than the fit)."""
        return float(np.average(self.predict(X) == np.asarray(y), weights=sample_weight))


class TinyRidge(RegressorMixin, BaseEstimator):
    """Ridge regression solved in closed form: fits any labeled set (one point, constant features) in microseconds.

    Parameters
    ----------
    alpha : float, default=1.0
        L2 penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.testing import TinyRidge
    >>> X = np.array([[0.0], [1.0], [4.0], [5.0]])
    >>> model = TinyRidge(alpha=1e-9).fit(X, 2 * X[:, 0] + 1)  # y = 2x + 1, almost no penalty
    >>> model.coef_.round(3).tolist(), model.predict(np.array([[10.0]])).round(3).tolist()
    ([2.0], [21.0])
    >>> flat = TinyRidge().fit(np.ones((3, 1)), np.full(3, 2.0))  # constant features and targets
    >>> flat.predict(np.zeros((1, 1))).tolist(), flat.score(np.ones((3, 1)), np.full(3, 2.0))  # R^2 never NaN
    ([2.0], 1.0)
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def fit(self, X: Any, y: Any) -> TinyRidge:
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        self.x_mean_, self.y_mean_ = X.mean(axis=0), y.mean()
        centred = X - self.x_mean_
        gram = centred.T @ centred + self.alpha * np.eye(X.shape[1])
        self.coef_ = np.linalg.solve(gram, centred.T @ (y - self.y_mean_))
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.x_mean_) @ self.coef_ + self.y_mean_

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R^2 computed directly; for constant targets 1.0 if exact, else 0.0 (scikit-learn's ``force_finite``).

        Never NaN, so records of equal runs compare equal.
        """
        y = np.asarray(y, dtype=np.float64)
        residual = np.average((y - self.predict(X)) ** 2, weights=sample_weight)
        spread = np.average((y - np.average(y, weights=sample_weight)) ** 2, weights=sample_weight)
        if spread > 0:
            return float(1.0 - residual / spread)
        return 1.0 if residual == 0 else 0.0


def default_estimator(strategy: Callable) -> Any:
    """The estimator ``check_strategy`` fits states with, by the strategy's markers.

    ``needs_regressor``: a ``TinyRidge``; ``needs_ensemble`` (members in
    ``estimators_``): a small random forest; otherwise a ``CentroidClassifier``.

    Parameters
    ----------
    strategy : callable
        The strategy function (its marks choose the estimator).

    Returns
    -------
    estimator

    Examples
    --------
    >>> from alfunc.strategies import STRATEGIES
    >>> from alfunc.testing import default_estimator
    >>> [type(default_estimator(STRATEGIES[name])).__name__ for name in ("margin", "bald", "gsy")]
    ['CentroidClassifier', 'RandomForestClassifier', 'TinyRidge']
    """
    if needs_regressor(strategy):
        return TinyRidge()
    if needs_ensemble(strategy):
        return RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0)
    return CentroidClassifier()


def fitting_estimator(y: Any) -> Any:
    """The estimator for a pool with targets ``y``: ``TinyRidge`` for float targets, else a ``CentroidClassifier``.

    Parameters
    ----------
    y : array-like
        The pool's targets.

    Returns
    -------
    estimator

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.testing import fitting_estimator
    >>> type(fitting_estimator(np.array([0, 1, 1]))).__name__  # class labels
    'CentroidClassifier'
    >>> type(fitting_estimator(np.array([0.5, -1.2, 3.0]))).__name__  # real targets
    'TinyRidge'
    """
    return TinyRidge() if np.asarray(y).dtype.kind == "f" else CentroidClassifier()
