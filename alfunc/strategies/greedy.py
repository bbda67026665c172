"""Greedy sampling for regression (Wu, Lin & Huang 2019): GSy and iGS.

GSx, greedy sampling in input space, is ``k_center_greedy``. GSy spreads the
batch in output space: each pick maximises the distance between its predicted
output and the nearest known output; iGS maximises the product of the input
and output distances. Wu et al. pick one point per fit; in a batch, each pick's
prediction stands in for its label when scoring the later picks. Both need
a fitted regressor (``run`` refuses a classifier for them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

from alfunc.core.context import Context
from alfunc.strategies.base import batch_strategy, uses_regressor
from alfunc.strategies.farthest import greedy_batch
from alfunc.strategies.pooled import chunks, dense_rows


@uses_regressor
@batch_strategy
def gsy(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """GSy: the candidate whose prediction is farthest from every known output, greedily."""
    candidates = context.candidates
    predicted = _predictions(model, X, candidates, "gsy")
    known = _outputs(context.state.labels)
    nearest = np.concatenate(
        [cdist(predicted[part], known).min(axis=1) for part in _positions(candidates, known.shape[0])]
    )

    def output_gap(pick: int, gaps: np.ndarray) -> np.ndarray:
        return cdist(predicted, predicted[pick : pick + 1])[:, 0]

    picks, values = greedy_batch(X, candidates, batch_size, context.uniform("gsy"), nearest, output_gap)
    return candidates[picks], values


@uses_regressor
@batch_strategy
def igs(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """iGS: maximise min over known points of (input distance x output distance), greedily."""
    candidates, labeled = context.candidates, context.state.labeled
    predicted = _predictions(model, X, candidates, "igs")
    known, labeled_rows = _outputs(context.state.labels), dense_rows(X, labeled)
    nearest = np.concatenate(
        [
            (cdist(dense_rows(X, candidates[part]), labeled_rows) * cdist(predicted[part], known)).min(axis=1)
            for part in _positions(candidates, labeled.size + X.shape[1])
        ]
    )

    def joint_gap(pick: int, gaps: np.ndarray) -> np.ndarray:
        return gaps * cdist(predicted, predicted[pick : pick + 1])[:, 0]

    picks, values = greedy_batch(X, candidates, batch_size, context.uniform("igs"), nearest, joint_gap)
    return candidates[picks], values


def _predictions(model: Any, X: Any, candidates: np.ndarray, name: str) -> np.ndarray:
    """The model's predictions for the candidates, one row per candidate, chunk by chunk."""
    if model is None or not hasattr(model, "predict"):
        raise ValueError(f"strategy {name!r} needs a fitted model with predict; call fit_step first")
    parts = [np.asarray(model.predict(X[part]), dtype=np.float64) for part in chunks(candidates, X.shape[1])]
    return np.concatenate(parts).reshape(candidates.size, -1)


def _outputs(labels: np.ndarray) -> np.ndarray:
    """Known labels as a float matrix with one row per labeled point."""
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"greedy sampling in output space needs numeric labels, got dtype {labels.dtype}")
    return np.asarray(labels, dtype=np.float64).reshape(labels.shape[0], -1)


def _positions(candidates: np.ndarray, width: int) -> Iterator[np.ndarray]:
    """Chunks of positions into ``candidates``."""
    return chunks(np.arange(candidates.size), width)
