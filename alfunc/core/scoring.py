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
    """Turn ``scoring`` into ``{suffix: scorer}``; raises before any model is fitted."""
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
    """Score ``model`` on each named split: ``{"train_score": ..., "test_score": ...}``."""
    return {
        f"{split}_{suffix}": float(scorer(model, X, y))
        for split, (X, y) in splits.items()
        for suffix, scorer in scorers.items()
    }
