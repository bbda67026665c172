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

    Parameters
    ----------
    committee : None, list of estimators or callable, default=None
        The committee: ``None`` (``bagging(5)`` of the state's model), a list of estimators (each fitted on the
        labeled set; regressors), or a committee source such as ``ensemble_members()`` or ``bagging(n)``.

    Returns
    -------
    callable
        A utility strategy ``(model, X, context) -> utilities``.

    Examples
    --------
    Points 5, 7 and 9 are labeled; the bootstrap fits of the default committee
    disagree most far from them:

    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> import alfunc as al
    >>> from alfunc.strategies import committee_variance
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> y = 2 * X[:, 0]
    >>> state = al.fit_step(al.init_step(X, y, n_init=3, random_state=0), X, Ridge())
    >>> sorted(X[state.labeled, 0].tolist())
    [5.0, 7.0, 9.0]
    >>> idx, utilities = al.select(state, X, committee_variance(), 3, return_utilities=True)
    >>> idx.tolist(), bool((utilities > 0).all())
    ([0, 1, 2], True)

    A list of regressors is a committee too, each fitted on the labeled set;
    identical members never disagree:

    >>> lenient_strict = committee_variance([Ridge(alpha=0.01), Ridge(alpha=10.0)])
    >>> al.select(state, X, lenient_strict, 3).tolist()
    [0, 1, 2]
    >>> _, utilities = al.select(state, X, committee_variance([Ridge(), Ridge()]), 3, return_utilities=True)
    >>> float(utilities.max())
    0.0
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
