"""Evaluation of a fitted model with scikit-learn scorers.

``scoring`` follows ``sklearn.model_selection.cross_validate``: ``None`` (the
estimator's own ``score``), a scorer name, a scorer object or callable
``(estimator, X, y) -> float`` gives keys ``train_score``/``test_score``; a list
of names or a dict ``name -> scorer`` gives ``train_<name>``/``test_<name>``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sklearn.metrics import check_scoring, get_scorer

Scorer = Callable[[Any, Any, Any], float]


def resolve_scorers(estimator: Any, scoring: Any) -> dict[str, Scorer]:
    """Turn ``scoring`` into ``{suffix: scorer}``; raises before any model is fitted.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.core.scoring import resolve_scorers
    >>> model = LogisticRegression()
    >>> list(resolve_scorers(model, None)), list(resolve_scorers(model, "accuracy"))
    (['score'], ['score'])
    >>> list(resolve_scorers(model, ["accuracy", "f1_macro"]))
    ['accuracy', 'f1_macro']
    >>> list(resolve_scorers(model, {"acc": "accuracy", "bal": "balanced_accuracy"}))
    ['acc', 'bal']
    >>> resolve_scorers(model, "acc")
    Traceback (most recent call last):
    ...
    ValueError: scoring: 'acc' is not a valid scoring value...
    """
    if scoring is None or isinstance(scoring, str) or callable(scoring):
        return {"score": _one_scorer(estimator, scoring)}
    if isinstance(scoring, Mapping):
        return {str(name): _one_scorer(estimator, value) for name, value in scoring.items()}
    if isinstance(scoring, (list, tuple, set, frozenset)) and all(isinstance(s, str) for s in scoring):
        if len(set(scoring)) != len(scoring) or not scoring:
            raise ValueError(f"scoring must list distinct scorer names, got {scoring!r}")
        return {name: _one_scorer(estimator, name) for name in scoring}
    raise TypeError(
        "scoring must be None, a scorer name, a callable, a list of names or a dict of scorers; "
        f"got {type(scoring).__name__}"
    )


def _one_scorer(estimator: Any, scoring: Any) -> Scorer:
    if isinstance(scoring, str):
        try:
            return get_scorer(scoring)
        except ValueError as error:
            raise ValueError(f"scoring: {error}") from None
    try:
        return check_scoring(estimator, scoring=scoring)
    except TypeError as error:
        raise TypeError(f"scoring: {error}") from None


def evaluate(model: Any, scorers: Mapping[str, Scorer], splits: Mapping[str, tuple[Any, Any]]) -> dict[str, float]:
    """Score ``model`` on each named split: ``{"train_score": ..., "test_score": ...}``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from alfunc.core.scoring import evaluate, resolve_scorers
    >>> X, y = np.zeros((4, 1)), np.array([0, 0, 0, 1])
    >>> X_test, y_test = np.zeros((2, 1)), np.array([0, 1])
    >>> model = DummyClassifier(strategy="most_frequent").fit(X, y)  # always predicts 0
    >>> evaluate(model, resolve_scorers(model, None), {"train": (X, y), "test": (X_test, y_test)})
    {'train_score': 0.75, 'test_score': 0.5}
    >>> evaluate(model, resolve_scorers(model, ["accuracy", "recall"]), {"test": (X_test, y_test)})
    {'test_accuracy': 0.5, 'test_recall': 0.0}
    """
    return {
        f"{split}_{suffix}": float(scorer(model, X, y))
        for split, (X, y) in splits.items()
        for suffix, scorer in scorers.items()
    }
