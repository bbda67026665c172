"""FALCUN (Gilhuber et al. 2024, "FALCUN: A Simple and Efficient Deep Active Learning Strategy").

FALCUN needs no embedding: it measures diversity in the space of the model's
class probabilities. For each candidate ``x`` with probabilities ``p(x)``:

* uncertainty ``u(x) = 1 - (p_(1)(x) - p_(2)(x))``, one minus the margin
  between the two most likely classes;
* diversity ``d(x)``: before the first pick, ``u(x)``; after each pick ``q``,
  ``min(d(x), ||p(x) - p(q)||_1)``, then min-max scaled to [0, 1] over the
  candidates;
* relevance ``r(x) = (u(x) + d(x))^gamma``; each pick is drawn with
  probability ``r(x) / sum r`` among the candidates not picked yet
  (uniformly when every ``r`` is 0).

This is the algorithm of the paper's Eqs. (1)-(6) as scikit-activeml's
``Falcun`` implements it (same defaults: ``gamma = 10``). Memory: the
candidates' probabilities and three floats per candidate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.core.validation import check_positive_int, is_real
from alfunc.strategies.base import BatchStrategy, batch_strategy, described, uses_classifier, uses_proba
from alfunc.strategies.draws import proportional_draw
from alfunc.strategies.probabilities import pool_proba

BLOCK_ROWS = 1 << 16


def margin_uncertainty(proba: Any) -> np.ndarray:
    """``1 - (p_(1) - p_(2))``: one minus the margin between the two most likely classes (1 for a tie, 0 when sure).

    A single class (one column) has no second class: its uncertainty is 0.

    Parameters
    ----------
    proba : array-like of shape (n, n_classes)
        Class probabilities.

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.falcun import margin_uncertainty
    >>> margin_uncertainty(np.array([[0.7, 0.2, 0.1], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])).round(3).tolist()
    [0.5, 1.0, 0.0]
    """
    proba = np.asarray(proba, dtype=np.float64)
    if proba.shape[1] < 2:
        return np.zeros(proba.shape[0])
    top_two = -np.partition(-proba, 1, axis=1)[:, :2]
    return 1.0 - (top_two[:, 0] - top_two[:, 1])


def falcun(gamma: float = 10.0, chunk_rows: int | None = None) -> BatchStrategy:
    """FALCUN: uncertainty-weighted diversity in probability space, drawn pick by pick (see the module docstring).

    Each pick is drawn with probability proportional to ``(u + d)^gamma``:
    ``gamma = 0`` is uniform random sampling, a large ``gamma`` takes the most
    relevant candidate. Draws are seeded and do not depend on chunking: round
    ``r`` weighs each candidate by ``exp(gamma log(u + d) - top)`` (its
    relevance over the largest one, safe for any ``gamma``) and draws one
    uniform from the selection's generator (``"falcun-r"``) on the running
    sum of the weights in pool order (``alfunc.strategies.draws``). Utilities
    are each pick's probability of being drawn in its round.

    Parameters
    ----------
    gamma : float, default 10
        Exponent of the relevance, >= 0.
    chunk_rows : int, optional
        Rows per ``predict_proba`` call (default: sized by the pool); results
        do not depend on it.

    Returns
    -------
    BatchStrategy
        The strategy, named ``"falcun"`` for the defaults.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import falcun
    >>> X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> idx, chance = al.select(state, X, "falcun", 5, return_utilities=True)
    >>> len(set(idx.tolist())), bool(state.labeled_mask()[idx].any()), bool(((chance > 0) & (chance <= 1)).all())
    (5, False, True)
    >>> bool((al.select(state, X, falcun(chunk_rows=7), 5) == idx).all())  # seeded, chunking changes nothing
    True
    >>> falcun(gamma=-1)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be a finite number >= 0, got -1
    """
    if not is_real(gamma) or not 0 <= gamma < np.inf:
        raise ValueError(f"gamma must be a finite number >= 0, got {gamma!r}")
    exponent = float(gamma)
    rows_per_chunk = None if chunk_rows is None else check_positive_int(chunk_rows, "chunk_rows")

    @uses_proba
    @uses_classifier
    @batch_strategy
    def falcun(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        candidates = context.candidates
        proba = pool_proba(model, X, candidates, "falcun", rows_per_chunk)
        uncertainty = np.empty(candidates.size)
        for start in range(0, candidates.size, BLOCK_ROWS):  # a block at a time: no pool-sized copy of proba
            uncertainty[start : start + BLOCK_ROWS] = margin_uncertainty(proba[start : start + BLOCK_ROWS])
        diversity = uncertainty.copy()
        available = np.ones(candidates.size, dtype=bool)
        k = min(batch_size, candidates.size)
        picks, values = np.empty(k, dtype=np.int64), np.empty(k)
        weights = np.empty(candidates.size)  # reused each round, and handed to the draw to overwrite
        for round_ in range(k):
            if round_ > 0:
                last = proba[picks[round_ - 1]]
                for start in range(0, candidates.size, BLOCK_ROWS):
                    block = diversity[start : start + BLOCK_ROWS]  # a view
                    np.minimum(block, np.abs(proba[start : start + BLOCK_ROWS] - last).sum(axis=1), out=block)
                low, spread = diversity.min(), diversity.max() - diversity.min()
                diversity -= low
                if spread > 0:
                    diversity /= spread
            np.add(uncertainty, diversity, out=weights)
            _to_log_relevance(weights, exponent)
            top = weights.max(initial=-np.inf, where=available)
            shift = top if np.isfinite(top) else 0.0
            weights -= shift
            np.exp(weights, out=weights)  # relevance / the largest available one
            total = weights.sum(where=available)
            pick = proportional_draw(weights, available, context, f"falcun-{round_}", owned=True)
            chosen = np.array([uncertainty[pick] + diversity[pick]])  # the pick's weight, as computed above
            _to_log_relevance(chosen, exponent)
            values[round_] = np.exp(chosen[0] - shift) / total if total > 0 else 1.0 / available.sum()
            picks[round_] = pick
            available[pick] = False
        return candidates[picks], values

    if gamma != 10 or rows_per_chunk is not None:
        falcun.__name__ = falcun.__qualname__ = f"falcun(gamma={gamma}, chunk_rows={rows_per_chunk})"
    return described(
        falcun,
        "FALCUN (Gilhuber et al. 2024): uncertainty-weighted diversity in the space of predicted probabilities, "
        "each pick drawn in proportion to its relevance.",
        f"Made by ``falcun(gamma={gamma!r})``.",
    )


def _to_log_relevance(base: np.ndarray, gamma: float) -> None:
    """Turn ``base`` into ``gamma log(base)`` in place, with ``0^0 = 1`` (``gamma = 0`` weighs every candidate alike)."""
    if gamma == 0:
        base.fill(0.0)
        return
    with np.errstate(divide="ignore"):
        np.log(base, out=base)
    base *= gamma
