"""The seeded subsample of bounded strategies: the smallest keyed hashes, whatever the block boundaries."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from alfunc.core.rng import hashed_uniform, step_salt
from alfunc.strategies import subsample
from alfunc.strategies.subsample import hashed_subset


@given(
    st.integers(1, 3_000),
    st.integers(1, 3_500),
    st.integers(0, 2**31 - 1),
    st.sampled_from([7, 64, 1 << 14]),
)
@settings(max_examples=60, deadline=None)
def test_the_subset_is_the_smallest_hashes_ties_to_the_lower_index(n: int, size: int, seed: int, block: int) -> None:
    indices = np.random.default_rng(seed).permutation(2 * n)[:n]
    draws = hashed_uniform(indices, step_salt(seed, 3, "test"))
    expected = np.sort(indices[np.lexsort((indices, draws))[:size]])
    original = subsample.BLOCK
    subsample.BLOCK = block  # block boundaries anywhere: the answer must not move
    try:
        got = hashed_subset(indices, size, seed, 3, "test")
    finally:
        subsample.BLOCK = original
    assert got.tolist() == expected.tolist()
