"""The two kinds of strategy and how they are marked.

* A utility strategy is a pure function ``(model, X_candidates, context) ->
  utilities``: one float per candidate row, higher = query first. ``select``
  calls it chunk by chunk and keeps a streaming top-k, so it must score each row
  independently of the others in its chunk.
* A batch strategy (marked with ``@batch_strategy``) chooses the whole batch at
  once, for diversity-aware selection: ``(model, X, context, batch_size) ->
  (indices, utilities)``, where ``X`` is the whole pool, ``context.candidates``
  holds every unlabeled index in increasing order, and the result lists
  ``min(batch_size, n_candidates)`` distinct candidates, best first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from alfunc.core.context import Context

Strategy = Callable[[Any, Any, Context], np.ndarray]
BatchStrategy = Callable[[Any, Any, Context, int], tuple[np.ndarray, np.ndarray]]
_S = TypeVar("_S", bound=Strategy | BatchStrategy)
_B = TypeVar("_B", bound=BatchStrategy)


def uses_classifier(strategy: _S) -> _S:
    """Mark a strategy that scores candidates with a fitted classifier."""
    return _marked(strategy, "needs_classifier")


def uses_regressor(strategy: _S) -> _S:
    """Mark a strategy that scores candidates with a fitted regressor (e.g. prediction variance)."""
    return _marked(strategy, "needs_regressor")


def uses_ensemble(strategy: _S) -> _S:
    """Mark a strategy that reads the members (``estimators_``) of a fitted ensemble model."""
    return _marked(strategy, "needs_ensemble")


def batch_strategy(strategy: _B) -> _B:
    """Mark a strategy that chooses a whole batch jointly (see the module docstring)."""
    return _marked(strategy, "selects_batch")


def _marked(strategy: _S, mark: str) -> _S:
    # Functions take new attributes, but their type declares none: set the mark by name.
    setattr(strategy, mark, True)
    return strategy


MODEL_NEEDS = ("needs_classifier", "needs_regressor", "needs_ensemble")


def inherit_needs(strategy: Callable, *parts: Callable) -> Callable:
    """Mark a strategy built from ``parts`` with every model need any part has."""
    for need in MODEL_NEEDS:
        if any(getattr(part, need, False) for part in parts):
            setattr(strategy, need, True)
    return strategy


def check_model_kind(name: str, strategy: Callable, estimator: Any, estimator_name: str = "estimator") -> None:
    """Refuse, before any fit, an estimator of the wrong kind for ``strategy``."""
    from sklearn.base import is_classifier, is_regressor
    from sklearn.ensemble import BaseEnsemble

    kind = type(estimator).__name__
    if needs_classifier(strategy) and not is_classifier(estimator):
        raise TypeError(f"strategy {name!r} needs a classifier; {estimator_name} ({kind}) is not one")
    if needs_regressor(strategy) and not is_regressor(estimator):
        raise TypeError(f"strategy {name!r} needs a regressor; {estimator_name} ({kind}) is not one")
    if needs_ensemble(strategy) and not isinstance(estimator, BaseEnsemble):
        raise TypeError(
            f"strategy {name!r} reads the members of an ensemble; {estimator_name} ({kind}) is not one "
            "(use e.g. RandomForestClassifier, or a committee from alfunc.strategies.bagging)"
        )


def needs_classifier(strategy: Callable) -> bool:
    """True when the strategy scores candidates with a fitted classifier."""
    return bool(getattr(strategy, "needs_classifier", False))


def needs_regressor(strategy: Callable) -> bool:
    """True when the strategy scores candidates with a fitted regressor."""
    return bool(getattr(strategy, "needs_regressor", False))


def needs_ensemble(strategy: Callable) -> bool:
    """True when the strategy needs an ensemble model such as a random forest."""
    return bool(getattr(strategy, "needs_ensemble", False))


def selects_batch(strategy: Callable) -> bool:
    """True for a batch strategy, False for a utility strategy."""
    return bool(getattr(strategy, "selects_batch", False))
