"""Property-test your own strategy
===============================

Property-test a custom strategy: write it in ten lines, check it, watch a broken variant fail.

``check_strategy`` runs alfunc's strategy contract (finite utilities, only
unlabeled points, no duplicates, exact batch size, determinism, chunking, row
order, purity, the edge cases) on generated states, and raises an
AssertionError naming the broken property with a shrunk example.

    python examples/property_test_a_custom_strategy.py
"""

from __future__ import annotations

import time

import numpy as np

from alfunc.strategies import uses_classifier
from alfunc.testing import STRATEGY_PROPERTIES, PropertyFailed, check_strategy


@uses_classifier
def closest_to_a_tie(model, X, context):
    """Gap between the two most likely classes, negated; seeded jitter (from the context) breaks ties."""
    proba = np.sort(model.predict_proba(X), axis=1)
    gap = proba[:, -1] - (proba[:, -2] if proba.shape[1] > 1 else 0.0)
    return -gap + 1e-9 * context.uniform("jitter")


@uses_classifier
def closest_to_a_tie_broken(model, X, context):
    """The same, but jittered by numpy's global generator: not reproducible from the seed."""
    proba = np.sort(model.predict_proba(X), axis=1)
    gap = proba[:, -1] - (proba[:, -2] if proba.shape[1] > 1 else 0.0)
    return -gap + 1e-9 * np.random.random(len(gap))


def main() -> None:
    print(f"checking {len(STRATEGY_PROPERTIES)} properties: {', '.join(STRATEGY_PROPERTIES)}\n")
    started = time.perf_counter()
    check_strategy(closest_to_a_tie)
    print(f"closest_to_a_tie: every property holds ({time.perf_counter() - started:.1f} s)\n")
    try:
        check_strategy(closest_to_a_tie_broken)
    except PropertyFailed as failure:
        print(f"closest_to_a_tie_broken fails {failure.property!r}; the message:\n\n{failure}")
    else:
        raise SystemExit("the broken strategy passed: check_strategy missed it")


if __name__ == "__main__":
    main()
