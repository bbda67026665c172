"""Shared by the at-scale strategy tests: pools where rounding could matter, and the peak extra memory of a call."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import numpy as np


def rounding_pools(seed: int = 0, width: int = 5) -> dict[str, np.ndarray]:
    """300-row pools where rounding could matter: continuous, small integers (exact ties), copies, huge values."""
    rng = np.random.default_rng(seed)
    copies = rng.normal(size=(300, width))
    huge = rng.normal(size=(300, width))
    huge[:20] *= 1e200  # squared norms overflow: the exact path must decide
    return {
        "normal": rng.normal(size=(300, width)) * 7.0,
        "integers": rng.integers(-2, 3, size=(300, width)).astype(float),
        "copies": np.vstack([copies[:150], copies[:150]]),
        "huge": huge,
    }


def peak_extra(function: Callable[[], object]) -> int:
    """Bytes allocated at the peak of ``function()`` beyond what was live before it (tracemalloc)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        function()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def plain_pick(nearest: np.ndarray, available: np.ndarray, distinct: np.ndarray, tie: np.ndarray) -> int:
    """A greedy pick written plainly: the highest ``nearest`` among available distinct rows (any available if none).

    Ties go to the highest ``tie`` draw; the pick is marked unavailable.
    """
    fresh = available & distinct
    eligible = fresh if fresh.any() else available
    masked = np.where(eligible, nearest, -np.inf)
    top = np.flatnonzero(eligible & (masked == masked.max()))
    pick = int(top[np.argmax(tie[top])])
    available[pick] = False
    return pick
