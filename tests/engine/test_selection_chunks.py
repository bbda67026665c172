"""Chunked streaming selection equals the unchunked one, for memmaps and float32 pools too.

The reference is a brute-force sort of every unlabeled candidate by (utility
descending, seeded index hash descending, index ascending): a different code
path from the streaming top-k merge that ``select`` uses.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.core.ranking import top_k
from alfunc.core.rng import hashed_uniform, step_salt
from alfunc.engine.candidates import DEFAULT_CHUNK_BYTES, default_chunk_rows
from alfunc.strategies.uncertainty import top_two_gap

FAST = settings(max_examples=40, deadline=None)


def state_with(n_pool: int, labeled: np.ndarray, model=None, seed: int = 0) -> al.ALState:
    return al.ALState(
        labeled=labeled,
        labels=np.zeros(labeled.size, dtype=int),
        n_pool=n_pool,
        history=al.History(seed),
        model=model,
    )


def reference_batch(state: al.ALState, utilities: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Sort every unlabeled point; the first ``k`` are the batch."""
    candidates = state.unlabeled()
    u = utilities[candidates]
    salt = step_salt(state.seed, state.next_iteration, "tie-break")
    order = np.lexsort((candidates, -hashed_uniform(candidates, salt), -u))[:k]
    return candidates[order], u[order]


@st.composite
def pools_with_ties(draw):
    """A pool whose utilities take few distinct values, a labeled subset, a batch size and a seed.

    The extremes are -inf (select allows it: rank last) and the largest finite
    float (select refuses +inf).
    """
    n_pool = draw(st.integers(1, 60))
    top = np.finfo(np.float64).max
    levels = draw(st.lists(st.sampled_from([-np.inf, -1.0, 0.0, 0.5, 1.0, top]), min_size=1, max_size=3, unique=True))
    utilities = np.array(draw(st.lists(st.sampled_from(levels), min_size=n_pool, max_size=n_pool)))
    labeled_mask = np.array(draw(st.lists(st.booleans(), min_size=n_pool, max_size=n_pool)))
    if labeled_mask.all():
        labeled_mask[draw(st.integers(0, n_pool - 1))] = False
    labeled = np.flatnonzero(labeled_mask)
    rng_order = draw(st.permutations(range(labeled.size)))  # acquisition order is arbitrary
    k = draw(st.integers(1, n_pool + 3))
    seed = draw(st.integers(0, 2**32))
    return utilities, labeled[list(rng_order)], k, seed


@FAST
@given(pools_with_ties(), st.sampled_from([1, 2, 3, 7]))
def test_chunked_selection_with_ties_equals_brute_force(case, small_chunk):
    utilities, labeled, k, seed = case
    n_pool = utilities.size
    state = state_with(n_pool, labeled, seed=seed)
    X = np.zeros((n_pool, 2))
    by_index = lambda model, rows, context: utilities[context.candidates]  # noqa: E731

    expected_idx, expected_u = reference_batch(state, utilities, min(k, state.n_unlabeled))
    for chunk_size in (small_chunk, n_pool, n_pool + 5, None):
        idx, u = al.select(state, X, by_index, k, chunk_size=chunk_size, return_utilities=True)
        np.testing.assert_array_equal(idx, expected_idx)
        np.testing.assert_array_equal(u, expected_u)


@st.composite
def fitted_pools(draw):
    """A continuous 3-class pool (distinct rows), a model fitted on part of it, a labeled subset."""
    n_pool = draw(st.integers(5, 300))
    data_seed = draw(st.integers(0, 1000))
    X, y = make_classification(
        n_samples=n_pool + 60, n_features=5, n_informative=3, n_redundant=0, n_classes=3, random_state=data_seed
    )
    model = LogisticRegression(max_iter=500).fit(X[n_pool:], y[n_pool:])
    n_labeled = draw(st.integers(0, n_pool - 1))
    labeled = np.random.default_rng(data_seed).choice(n_pool, n_labeled, replace=False)
    return np.ascontiguousarray(X[:n_pool]), model, labeled, draw(st.integers(1, 20))


@FAST
@given(fitted_pools(), st.sampled_from(["margin", "entropy", "least_confident", "random"]))
def test_registered_strategies_do_not_depend_on_the_chunk_size(case, strategy):
    # Exact for distinct continuous rows: BLAS may change the last bit of a model's
    # scores with the number of rows it is given, which could only swap two points
    # whose utilities are within one ulp of each other at the batch boundary.
    X, model, labeled, k = case
    state = state_with(X.shape[0], labeled, model=model)
    whole = al.select(state, X, strategy, k, chunk_size=X.shape[0] + 1, return_utilities=True)
    for chunk_size in (1, 7, X.shape[0], None):
        idx, u = al.select(state, X, strategy, k, chunk_size=chunk_size, return_utilities=True)
        np.testing.assert_array_equal(idx, whole[0])
        np.testing.assert_allclose(u, whole[1], rtol=0, atol=1e-12)


@FAST
@given(st.integers(1, 40), st.integers(1, 12), st.integers(0, 2**16), st.booleans())
def test_top_two_gap_matches_a_full_sort(n_rows, n_columns, seed, few_values):
    rng = np.random.default_rng(seed)
    scores = (
        rng.integers(0, 3, (n_rows, n_columns)).astype(float) if few_values else rng.normal(size=(n_rows, n_columns))
    )
    ordered = np.sort(scores, axis=1)
    expected = ordered[:, -1] - ordered[:, -2] if n_columns > 1 else np.zeros(n_rows)
    np.testing.assert_array_equal(top_two_gap(scores), expected)


def margin_problem(n_pool: int, dtype=np.float64):
    X, y = make_classification(n_samples=n_pool, n_features=20, n_informative=6, n_classes=3, random_state=0)
    model = LogisticRegression(max_iter=500).fit(X[:2000], y[:2000])
    labeled = np.random.default_rng(1).choice(n_pool, 25, replace=False)
    return X.astype(dtype), state_with(n_pool, labeled, model=model)


def peak_bytes(call) -> tuple[int, object]:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = call()
        return tracemalloc.get_traced_memory()[1] - before, result
    finally:
        tracemalloc.stop()


def test_memmap_pool_is_read_in_chunks_and_never_written(tmp_path):
    X, state = margin_problem(60_000)
    path = tmp_path / "pool.f64"
    X.tofile(path)
    pool = np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)  # writes would raise
    peak, (idx, u) = peak_bytes(lambda: al.select(state, pool, "margin", 10, chunk_size=2000, return_utilities=True))
    expected_idx, expected_u = al.select(state, X, "margin", 10, return_utilities=True)
    np.testing.assert_array_equal(idx, expected_idx)
    np.testing.assert_array_equal(u, expected_u)
    np.testing.assert_array_equal(al.select(state, pool, "margin", 10), expected_idx)
    assert peak < pool.nbytes / 4, f"select allocated {peak} bytes for a {pool.nbytes}-byte memmap pool"


def test_float32_pool_is_scored_in_float32_chunks_without_upcasting_the_pool():
    X, state = margin_problem(60_000, np.float32)
    seen = []

    def float32_only(model, rows, context):
        if rows.dtype != np.float32:
            raise TypeError(f"rows were upcast to {rows.dtype}")
        seen.append(rows.shape[0])
        return rows[:, 0].astype(np.float64)

    idx = al.select(state, X, float32_only, 10)
    assert sum(seen) == state.n_unlabeled and max(seen) <= default_chunk_rows(X)
    assert set(idx.tolist()).isdisjoint(state.labeled.tolist())
    np.testing.assert_array_equal(np.sort(X[idx, 0]), np.sort(np.delete(X[:, 0], state.labeled))[-10:])
    # a float64 copy of the pool would be 2 * X.nbytes; chunks of 2000 rows need far less
    peak, _ = peak_bytes(lambda: al.select(state, X, "margin", 10, chunk_size=2000))
    assert peak < X.nbytes / 4, f"select allocated {peak} bytes for a {X.nbytes}-byte float32 pool"


@pytest.mark.parametrize(
    ("n_features", "itemsize_dtype"), [(20, np.float64), (20, np.float32), (1000, np.float64), (10**7, np.float64)]
)
def test_default_chunk_holds_a_fixed_number_of_bytes(n_features, itemsize_dtype):
    X = np.lib.stride_tricks.as_strided(np.zeros(1, dtype=itemsize_dtype), shape=(5, n_features), strides=(0, 0))
    rows = default_chunk_rows(X)
    row_bytes = n_features * np.dtype(itemsize_dtype).itemsize
    assert rows >= 1
    assert rows * row_bytes <= max(DEFAULT_CHUNK_BYTES, row_bytes) < (rows + 1) * row_bytes


@FAST
@given(
    st.lists(st.sampled_from([0.0, 0.25, 1.0, np.inf]), min_size=1, max_size=200),
    st.integers(1, 210),
    st.integers(0, 2**63),
)
def test_top_k_equals_a_full_sort_when_most_values_tie(values, k, salt):
    utilities = np.array(values)
    indices = np.random.default_rng(salt % 1000).permutation(10 * utilities.size)[: utilities.size]
    order = np.lexsort((indices, -hashed_uniform(indices, salt), -utilities))[:k]
    idx, u = top_k(indices, utilities, k, salt)
    np.testing.assert_array_equal(idx, indices[order])
    np.testing.assert_array_equal(u, utilities[order])
