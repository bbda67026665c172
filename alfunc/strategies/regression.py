"""Strategies for regressors: committee variance (query by committee for regression).

Greedy sampling in X / y (GSx, GSy, iGS) chooses whole batches and lives with
the batch strategies.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.strategies.base import Strategy, uses_regressor
from alfunc.strategies.committee import as_committee_source


def committee_variance(committee: Any = None) -> Strategy:
    """Variance of the members' predictions (Burbidge et al. 2007): high where they disagree.

    ``committee`` is ``None`` (``bagging(5)`` of the state's model, plain
    bootstrap for regressors), a list of regressors, or a committee source such
    as ``ensemble_members()`` for a random forest regressor.
    """
    members_of = as_committee_source(committee)

    @uses_regressor
    def committee_variance(model: Any, X: Any, context: Context) -> np.ndarray:
        predictions = np.stack(
            [np.asarray(member.predict(X), dtype=np.float64) for member in members_of(model, context)]
        )
        if predictions.ndim == 3:  # multi-output: total variance over outputs
            return predictions.var(axis=0).sum(axis=1)
        return predictions.var(axis=0)

    return committee_variance
