"""Seeded draws of one candidate in proportion to weights, the same whatever the chunking (BADGE, FALCUN)."""

from __future__ import annotations

import numpy as np

from alfunc.core.context import Context


def proportional_draw(
    weights: np.ndarray, available: np.ndarray, context: Context, purpose: str, owned: bool = False
) -> int:
    """An available position drawn with probability proportional to its non-negative weight (k-means++'s ``D^2`` draw).

    One uniform from ``context.generator(purpose)`` is placed on the running
    sum of the weights in candidate order (fixed by the pool, not by any
    chunking). Positions at 0 are never drawn while a positive one remains;
    infinite weights share the draw among themselves; with no positive weight
    the draw is uniform among the available (``context.uniform(purpose)``).
    ``owned=True`` lets the draw overwrite ``weights`` with its running sum (for
    a caller that made them only for this draw: one pool-sized vector less).

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies.draws import proportional_draw
    >>> X = np.zeros((5, 1))
    >>> state = al.init_step(X, [0, 1, 0, 1, 0], initial=[4])
    >>> context = al.Context(state, X, state.unlabeled(), state.next_iteration)  # candidates 0-3
    >>> weights, available = np.array([0.0, 5.0, 0.0, 0.0]), np.ones(4, dtype=bool)
    >>> proportional_draw(weights, available, context, "demo")  # the only positive weight
    1
    >>> proportional_draw(np.zeros(4), np.array([False, False, True, False]), context, "demo")
    2
    """
    spread = available & (weights > 0)
    if spread.any():
        infinite = spread & np.isinf(weights)
        if infinite.any():
            spread = infinite
        else:
            if owned:
                running = weights
                running[~spread] = 0.0
            else:
                running = np.where(spread, weights, 0.0)
            np.cumsum(running, out=running)  # in place: one pool-sized vector, not two
            target = context.generator(purpose).random() * running[-1]
            last = spread.size - 1 - int(np.argmax(spread[::-1]))  # the last position that can be drawn
            return min(int(np.searchsorted(running, target, side="right")), last)
    eligible = np.flatnonzero(spread if spread.any() else available)
    return int(eligible[np.argmax(context.uniform(purpose, eligible))])
