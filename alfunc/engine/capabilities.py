"""What a strategy needs from the estimator beyond its kind: ``predict_proba``.

``check_model_kind`` (in ``alfunc.strategies``) refuses a regressor for a
classifier strategy; ``check_capabilities`` also refuses, before any fit, a
classifier that cannot give the probabilities a strategy reads (``LinearSVC``
for ``"entropy"``). ``hasattr`` on the unfitted estimator answers for
pipelines and meta-estimators too, through scikit-learn's ``available_if``.

A strategy says it needs probabilities with ``alfunc.strategies.uses_proba``
(``margin`` does not: it falls back to ``decision_function``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alfunc.strategies import needs_proba


def check_capabilities(name: str, strategy: Callable, estimator: Any, estimator_name: str = "estimator") -> None:
    """Refuse, before any fit, an estimator without the ``predict_proba`` that ``strategy`` reads.

    Works on an unfitted estimator, a pipeline or a meta-estimator alike
    (``hasattr`` goes through scikit-learn's ``available_if``), and on the
    fitted model a state holds.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import LinearSVC
    >>> from alfunc.engine.capabilities import check_capabilities
    >>> from alfunc.strategies import STRATEGIES
    >>> check_capabilities("entropy", STRATEGIES["entropy"], LogisticRegression())  # fine
    >>> check_capabilities("margin", STRATEGIES["margin"], LinearSVC())  # margin uses decision_function
    >>> check_capabilities("entropy", STRATEGIES["entropy"], make_pipeline(StandardScaler(), LinearSVC()))
    Traceback (most recent call last):
    ...
    TypeError: strategy 'entropy' needs predict_proba, which Pipeline does not have; estimator (Pipeline) cannot ...
    """
    if needs_proba(strategy) and not hasattr(estimator, "predict_proba"):
        kind = type(estimator).__name__
        raise TypeError(
            f"strategy {name!r} needs predict_proba, which {kind} does not have; {estimator_name} ({kind}) cannot "
            "give probabilities: use 'margin' (it works with decision_function) or wrap the estimator in "
            "CalibratedClassifierCV"
        )
