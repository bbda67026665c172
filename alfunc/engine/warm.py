"""Warm starts: each round's model continues from a copy of the previous one instead of starting over.

Two ways, chosen by what the estimator offers: ``warm_start`` (linear models,
MLPs: a copy of the previous model is refitted on every label, starting from
its solution) or, failing that, ``partial_fit`` (a copy is updated with the
new and corrected labels only). The previous state's model is copied, never
touched, so states stay immutable, and a warm run is as reproducible as a cold
one: each fit is a pure function of the previous model and the labels.
Ensembles whose ``warm_start`` adds members (forests, bagging, gradient
boosting) are refused: theirs would not learn the new labels at all.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator


def warm_mode(estimator: Any) -> str:
    """``"warm_start"`` or ``"partial_fit"``: how ``estimator`` continues from a previous fit; else ``ValueError``.

    Parameters
    ----------
    estimator : scikit-learn estimator
        The estimator of a run with ``fit="warm"``.

    Returns
    -------
    str

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression, SGDClassifier
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.engine.warm import warm_mode
    >>> warm_mode(LogisticRegression()), warm_mode(SGDClassifier()), warm_mode(GaussianNB())
    ('warm_start', 'warm_start', 'partial_fit')
    >>> warm_mode(RandomForestClassifier())
    Traceback (most recent call last):
    ...
    ValueError: fit='warm' needs an estimator that continues from its previous solution: RandomForestClassifier's warm_start adds members instead (they would not learn the new labels); use fit='cold'
    """
    name = type(estimator).__name__
    params = estimator.get_params(deep=False) if isinstance(estimator, BaseEstimator) else {}
    if "warm_start" in params:
        if "n_estimators" in params or _is_boosting(estimator):
            raise ValueError(
                f"fit='warm' needs an estimator that continues from its previous solution: {name}'s warm_start "
                "adds members instead (they would not learn the new labels); use fit='cold'"
            )
        return "warm_start"
    if hasattr(estimator, "partial_fit"):
        return "partial_fit"
    raise ValueError(f"fit='warm' needs an estimator with a warm_start parameter or partial_fit; {name} has neither")


def same_classes(model: Any, labels: Any) -> bool:
    """Whether ``labels`` hold exactly the classes ``model`` was fitted on (always true for a regressor).

    A warm start cannot grow a classifier's outputs, so a round that brings a
    new class is fitted cold.

    Parameters
    ----------
    model : fitted estimator
        The previous model.
    labels : array-like
        The labels of the next fit.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.engine.warm import same_classes
    >>> model = GaussianNB().fit(np.array([[0.0], [1.0]]), [0, 1])
    >>> same_classes(model, [1, 0, 1]), same_classes(model, [0, 1, 2])
    (True, False)
    """
    classes = getattr(model, "classes_", None)
    if classes is None:
        return True
    seen = np.unique(np.asarray(labels))
    return seen.shape == np.shape(classes) and bool((seen == np.asarray(classes)).all())


def _is_boosting(estimator: Any) -> bool:
    return type(estimator).__name__.startswith("HistGradientBoosting")


def warm_fitted(previous: Any, mode: str, X_fit: Any, y_fit: Any, X_new: Any, y_new: Any) -> Any:
    """A copy of ``previous`` continued on the labels: refitted from its solution, or updated with the new rows.

    Parameters
    ----------
    previous : fitted estimator
        The previous round's model; copied, never modified.
    mode : {"warm_start", "partial_fit"}
        What ``warm_mode`` chose for the estimator.
    X_fit, y_fit : rows and labels
        Every labeled row (``warm_start`` refits on them).
    X_new, y_new : rows and labels
        The rows new or corrected since the previous fit (``partial_fit`` learns them).

    Returns
    -------
    fitted estimator

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.engine.warm import warm_fitted
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> previous = LogisticRegression().fit(X[[0, 3]], y[[0, 3]])
    >>> model = warm_fitted(previous, "warm_start", X, y, X[1:3], y[1:3])
    >>> model is previous, previous.warm_start, model.warm_start
    (False, False, True)
    """
    model = copy.deepcopy(previous)
    if mode == "warm_start":
        return model.set_params(warm_start=True).fit(X_fit, y_fit)
    return model.partial_fit(X_new, y_new)
