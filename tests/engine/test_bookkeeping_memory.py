"""Per-round bookkeeping costs O(pool) bytes at most (a boolean mask) and a record costs O(batch).

Measured with tracemalloc on two pool sizes, so the assertions are about how
memory grows with the pool, never about absolute timings.
"""

from __future__ import annotations

import tracemalloc
from functools import partial

import numpy as np
from sklearn.dummy import DummyClassifier

import alfunc as al

SMALL, LARGE = 20_000, 200_000


def pool(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 2)), rng.integers(0, 3, n)


def one_round(state: al.ALState, X: np.ndarray, y: np.ndarray) -> al.ALState:
    return al.fit_step(al.query_step(state, X, y, "margin", 5, chunk_size=8000), X, DummyClassifier())


def started(X: np.ndarray, y: np.ndarray) -> al.ALState:
    return al.fit_step(al.init_step(X, y, 10, 0), X, DummyClassifier())


def rounds_from(state: al.ALState, X: np.ndarray, y: np.ndarray, rounds: int) -> al.ALState:
    for _ in range(rounds):
        state = one_round(state, X, y)
    return state


def traced(call):
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = call()
        current, peak = tracemalloc.get_traced_memory()
        return result, current - before, peak - before
    finally:
        tracemalloc.stop()


def test_a_round_allocates_at_most_a_byte_or_two_per_pool_row():
    peaks = {}
    for n in (SMALL, LARGE):
        X, y = pool(n)
        state = rounds_from(started(X, y), X, y, 2)
        peaks[n] = traced(partial(one_round, state, X, y))[2]
    per_row = (peaks[LARGE] - peaks[SMALL]) / (LARGE - SMALL)
    # a boolean mask is 1 byte per row; an index array would be 8, Python objects >= 28,
    # a copy of X 16 (the chunk is the same for both pools, so it cancels out)
    assert per_row < 2, f"a round allocates {per_row:.1f} bytes per pool row"


def test_a_record_does_not_grow_with_the_pool():
    per_record = {}
    for n in (SMALL, LARGE):
        X, y = pool(n)
        state = rounds_from(started(X, y), X, y, 1)
        final, retained, _ = traced(partial(rounds_from, state, X, y, 10))
        per_record[n] = retained / 10
        assert len(final.history) == len(state.history) + 10
    assert per_record[LARGE] < 1.25 * per_record[SMALL] + 256, per_record
    assert per_record[LARGE] < LARGE / 10, "each record holds something pool-sized"
