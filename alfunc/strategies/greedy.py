"""Greedy sampling for regression (Wu, Lin & Huang 2019): GSy and iGS.

GSx, greedy sampling in input space, is ``k_center_greedy``. GSy spreads the
batch in output space: each pick maximises the distance between its predicted
output and the nearest known output; iGS maximises the product of the input
and output distances. "Input" distances are measured in the run's
representation (``context.embedding``; the input itself for a numeric pool),
and GSy uses it too, to keep rows identical in it out of one batch. Wu et al. pick one point per fit; in a batch, each pick's
prediction stands in for its label when scoring the later picks. Both need
a fitted regressor (``run`` refuses a classifier for them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

from alfunc.core.context import Context
from alfunc.core.rows import take_rows
from alfunc.strategies.base import batch_strategy, uses_features, uses_regressor
from alfunc.strategies.farthest import greedy_batch
from alfunc.strategies.nearest import nearest_scaled
from alfunc.strategies.pooled import chunks, geometry, scoring_chunk_rows


@uses_features
@uses_regressor
@batch_strategy
def gsy(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """GSy, greedy sampling on the output (Wu, Lin & Huang 2019): the candidate whose prediction is farthest from every known output.

    For regression: each pick maximises the smallest distance between its
    prediction and the known outputs (labels, and the predictions of the
    points already picked for the batch).

    Parameters
    ----------
    model : estimator
        The state's fitted model (unused by strategies that need none).
    X : array-like, sparse matrix, DataFrame or list
        The whole pool, in its own container.
    context : Context
        The selection's context; ``context.candidates`` holds every unlabeled index in increasing order.
    batch_size : int
        Number of points to choose.

    Returns
    -------
    indices : ndarray of int
        ``min(batch_size, n_candidates)`` distinct candidates, best first.
    utilities : ndarray of float
        Their utilities.

    Examples
    --------
    Outputs 12 and 16 are known; x = 0 is predicted 4.7, farthest from both.
    Its prediction then counts as known, so the next pick, x = 3 (8.7), is
    3.3 from 12 and 4 from 4.7:

    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> import alfunc as al
    >>> from alfunc.strategies import gsy
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> y = 2 * X[:, 0]
    >>> state = al.fit_step(al.init_step(X, y, n_init=2, random_state=0), X, Ridge())
    >>> X[state.labeled, 0].tolist(), state.labels.tolist()
    ([6.0, 8.0], [12.0, 16.0])
    >>> state.model.predict(X).round(1).tolist()
    [4.7, 6.0, 7.3, 8.7, 10.0, 11.3, 12.7, 14.0, 15.3, 16.7]
    >>> idx, utilities = al.select(state, X, gsy, 3, return_utilities=True)
    >>> idx.tolist(), utilities.round(2).tolist()
    ([0, 3, 7], [7.33, 3.33, 2.0])

    Unlike GSx (``k_center_greedy``), it needs a fitted regressor:

    >>> al.select(al.init_step(X, y, n_init=2, random_state=0), X, gsy, 3)
    Traceback (most recent call last):
    ...
    ValueError: strategy 'gsy' needs a fitted model; call fit_step on the state first
    """
    candidates, features = context.candidates, geometry(context)
    predicted = _predictions(model, X, candidates, "gsy")
    nearest = _nearest_output(predicted, _outputs(context.state.labels))

    def output_gap(pick: int, gaps_within: Callable[[np.ndarray], np.ndarray], nearest: np.ndarray) -> np.ndarray:
        return cdist(predicted, predicted[pick : pick + 1])[:, 0]  # no input distance needed

    picks, values = greedy_batch(
        features, candidates, batch_size, functools.partial(context.uniform, "gsy"), nearest, output_gap
    )
    return candidates[picks], values


@uses_features
@uses_regressor
@batch_strategy
def igs(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """iGS, improved greedy sampling (Wu, Lin & Huang 2019): maximise min over known points of (input distance x output distance).

    For regression: greedy sampling on the inputs and outputs jointly, each
    pick maximising the smallest product of its distance in the run's
    representation and the distance of its prediction, over the labeled and
    already picked points.

    Parameters
    ----------
    model : estimator
        The state's fitted model (unused by strategies that need none).
    X : array-like, sparse matrix, DataFrame or list
        The whole pool, in its own container.
    context : Context
        The selection's context; ``context.candidates`` holds every unlabeled index in increasing order.
    batch_size : int
        Number of points to choose.

    Returns
    -------
    indices : ndarray of int
        ``min(batch_size, n_candidates)`` distinct candidates, best first.
    utilities : ndarray of float
        Their utilities.

    Examples
    --------
    x = 0 is 6 from the labeled x = 6 and its prediction 4.7 is 7.3 from the
    known output 12: its utility is their product, 44:

    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> import alfunc as al
    >>> from alfunc.strategies import igs
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> y = 2 * X[:, 0]
    >>> state = al.fit_step(al.init_step(X, y, n_init=2, random_state=0), X, Ridge())
    >>> X[state.labeled, 0].tolist(), state.labels.tolist()
    ([6.0, 8.0], [12.0, 16.0])
    >>> idx, utilities = al.select(state, X, igs, 3, return_utilities=True)
    >>> idx.tolist(), utilities.round(2).tolist()
    ([0, 3, 7], [44.0, 10.0, 2.0])
    >>> round(6 * (12 - float(state.model.predict([[0.0]])[0])), 2)
    44.0
    """
    candidates, labeled, features = context.candidates, context.state.labeled, geometry(context)
    predicted = _predictions(model, X, candidates, "igs")
    known = _outputs(context.state.labels)
    nearest = nearest_scaled(features, candidates, labeled, _output_gaps(predicted, known))

    def joint_gap(pick: int, gaps_within: Callable[[np.ndarray], np.ndarray], nearest: np.ndarray) -> np.ndarray:
        output = cdist(predicted, predicted[pick : pick + 1])[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):  # a zero output gap needs every input distance
            limit = nearest / output
        joint = gaps_within(limit)  # inf only where input x output surely stays >= nearest
        joint *= output
        return joint

    picks, values = greedy_batch(
        features, candidates, batch_size, functools.partial(context.uniform, "igs"), nearest, joint_gap
    )
    return candidates[picks], values


def _predictions(model: Any, X: Any, candidates: np.ndarray, name: str) -> np.ndarray:
    """The model's predictions for the candidates (rows taken from the pool in its own container), chunk by chunk."""
    if model is None or not hasattr(model, "predict"):
        raise ValueError(f"strategy {name!r} needs a fitted model with predict; call fit_step first")
    step = scoring_chunk_rows(X)
    parts = [
        np.asarray(model.predict(take_rows(X, candidates[start : start + step])), dtype=np.float64)
        for start in range(0, candidates.size, step)
    ]
    return np.concatenate(parts).reshape(candidates.size, -1)


def _outputs(labels: np.ndarray) -> np.ndarray:
    """Known labels as a float matrix with one row per labeled point."""
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"greedy sampling in output space needs numeric labels, got dtype {labels.dtype}")
    return np.asarray(labels, dtype=np.float64).reshape(labels.shape[0], -1)


def _output_gaps(predicted: np.ndarray, known: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``cdist(predicted[rows], known[known_rows])`` for pairs of positions; scalar outputs without ``cdist``'s call overhead."""
    if predicted.shape[1] != 1:
        return lambda rows, known_rows: cdist(predicted[rows], known[known_rows])

    def scalar_gaps(rows: np.ndarray, known_rows: np.ndarray) -> np.ndarray:
        gaps = np.subtract.outer(predicted[rows, 0], known[known_rows, 0])
        np.square(gaps, out=gaps)
        return np.sqrt(gaps, out=gaps)  # cdist's arithmetic for one coordinate

    return scalar_gaps


def _nearest_output(predicted: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Each prediction's distance to the nearest known output, ``cdist(predicted, known).min(axis=1)``.

    Scalar outputs look up their two sorted neighbours (``n log n_known``
    instead of ``n x n_known``), with ``cdist``'s arithmetic.
    """
    if known.shape[1] != 1 or known.shape[0] == 0:
        return np.concatenate(
            [
                cdist(predicted[part], known).min(axis=1)
                for part in chunks(np.arange(predicted.shape[0]), known.shape[0])
            ]
        )
    values = np.unique(known[:, 0])
    outputs = predicted[:, 0]
    above = np.minimum(np.searchsorted(values, outputs), values.size - 1)
    below = np.maximum(above - 1, 0)
    return np.fmin(np.sqrt(np.square(outputs - values[below])), np.sqrt(np.square(outputs - values[above])))
