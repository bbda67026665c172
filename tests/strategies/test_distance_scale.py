"""The distance/diversity strategies at scale: exact picks, chunk invariance, bounded memory, sparse pools."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scale_support import peak_extra, plain_pick, rounding_pools
from scipy.spatial.distance import cdist
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.core.representation import stored_features
from alfunc.strategies import k_center_greedy, kmeans
from alfunc.strategies.centres import kmeans_rows
from alfunc.strategies.nearest import nearest_exact
from alfunc.testing import check_strategy

CHANGED = (
    "k_center_greedy",
    "information_density",
    "dwus",
    "cluster_margin",
    "margin_k_center",
    "ranked_batch",
    "kmeans",
)


@pytest.mark.parametrize("kind", ["normal", "integers", "copies", "huge"])
@pytest.mark.parametrize("sparse", [False, True])
def test_nearest_exact_is_cdist_bit_for_bit(kind: str, sparse: bool) -> None:
    X = rounding_pools()[kind]
    rng = np.random.default_rng(1)
    rows, centres = np.sort(rng.choice(300, 200, replace=False)), rng.choice(300, 40, replace=False)
    features = stored_features(sp.csr_matrix(X) if sparse else X)
    with np.errstate(over="ignore"):
        expected = cdist(X[rows], X[centres]).min(axis=1)
    assert np.array_equal(nearest_exact(features, rows, centres), expected)


def reference_k_center(X: np.ndarray, context: al.Context, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k-center greedy written plainly with cdist: the picks the old implementation made."""
    candidates, tie = context.candidates, context.uniform("k-center")
    with np.errstate(over="ignore"):
        nearest = cdist(X[candidates], X[context.state.labeled]).min(axis=1)
    to_batch = np.full(candidates.size, np.inf)
    available = np.ones(candidates.size, dtype=bool)
    picks, values = [], []
    for _ in range(k):
        pick = plain_pick(nearest, available, to_batch > 0, tie)
        picks.append(pick)
        values.append(nearest[pick])
        with np.errstate(over="ignore"):
            gaps = cdist(X[candidates], X[candidates[pick]][None])[:, 0]
        np.minimum(to_batch, gaps, out=to_batch)
        np.minimum(nearest, gaps, out=nearest)
    return candidates[picks], np.array(values)


@pytest.mark.parametrize("kind", ["normal", "integers", "copies", "huge"])
@pytest.mark.parametrize("sparse", [False, True])
def test_k_center_picks_are_the_plain_cdist_ones(kind: str, sparse: bool) -> None:
    X = rounding_pools()[kind]
    y = np.arange(X.shape[0]) % 2
    pool = sp.csr_matrix(X) if sparse else X
    state = al.init_step(pool, y, n_init=15, random_state=3)
    context = al.Context(state, pool, state.unlabeled(), state.next_iteration)
    picks, values = k_center_greedy(None, pool, context, 40)
    expected_picks, expected_values = reference_k_center(X, context, 40)
    assert picks.tolist() == expected_picks.tolist()
    assert np.array_equal(values, expected_values)


def fitted_state(n: int, width: int, n_init: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(3, width))
    y = rng.integers(0, 3, n)
    X = centres[y] + rng.normal(size=(n, width))
    state = al.init_step(X, y, n_init=n_init, random_state=seed)
    return al.fit_step(state, X, LogisticRegression(max_iter=500)), X


@pytest.mark.parametrize("name", CHANGED)
def test_same_batch_whatever_the_chunk_size(name: str) -> None:
    state, X = fitted_state(400, 6, 30)
    n = X.shape[0]
    batches = [al.select(state, X, name, 12, chunk_size=size, return_utilities=True) for size in (1, 7, n)]
    for picks, utilities in batches[1:]:
        assert picks.tolist() == batches[0][0].tolist()
        # the model's own probabilities may differ in the last bit between chunk sizes (BLAS blocking)
        assert np.allclose(utilities, batches[0][1], rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("name", CHANGED)
def test_strategy_contract(name: str) -> None:
    check_strategy(name, max_examples=15)


# Documented per-row vectors a selection keeps (candidate indices, tie draws, distances, levels,
# positions, flags, utilities): at most this many bytes per pool row, well below one row's 40 features
# (320 bytes), so a copy of the pool (or of a fixed share of it) fails the bound.
PER_ROW_BYTES = 120


@pytest.mark.parametrize("name", CHANGED)
def test_memory_does_not_grow_with_a_copy_of_the_pool(name: str) -> None:
    small, X_small = fitted_state(20_000, 40, 200)
    large, X_large = fitted_state(200_000, 40, 200)
    if name == "kmeans":  # clusters a bounded sample: check the large pool is sampled
        assert X_large.shape[0] > kmeans_rows(10)
    small_peak = peak_extra(lambda: al.select(small, X_small, name, 10))
    large_peak = peak_extra(lambda: al.select(large, X_large, name, 10))
    assert large_peak < 2 * small_peak + PER_ROW_BYTES * X_large.shape[0], (small_peak, large_peak)
    assert large_peak < X_large.nbytes / 2


def wide_sparse_pool(n: int = 4000, width: int = 60_000, per_row: int = 15) -> tuple[sp.csr_matrix, np.ndarray]:
    """A TF-IDF-like pool: its dense form would take n x width x 8 bytes (1.9 GB here)."""
    rng = np.random.default_rng(0)
    columns = rng.integers(0, width, size=(n, per_row))
    columns[n // 2 :, :5] = rng.integers(0, 50, size=(n - n // 2, 5))  # two topics
    values = rng.uniform(0.1, 1.0, size=(n, per_row))
    X = sp.csr_matrix((values.ravel(), columns.ravel(), np.arange(0, n * per_row + 1, per_row)), shape=(n, width))
    X.sum_duplicates()
    return X, (np.arange(n) >= n // 2).astype(int)


@pytest.mark.parametrize("strategy", [kmeans, k_center_greedy], ids=["kmeans", "k_center_greedy"])
def test_a_wide_sparse_pool_is_never_made_dense(strategy) -> None:
    X, y = wide_sparse_pool()
    state = al.init_step(X, y, n_init=20, random_state=0)
    picks = []
    peak = peak_extra(lambda: picks.append(al.select(state, X, strategy, 10)))
    dense_bytes = X.shape[0] * X.shape[1] * 8
    assert peak < 128 * 2**20 < dense_bytes / 10, peak
    chosen = picks[0]
    assert len(set(chosen.tolist())) == 10 and not np.isin(chosen, state.labeled).any()


def test_k_center_on_a_wide_sparse_pool_equals_the_dense_answer() -> None:
    X, y = wide_sparse_pool(n=600, width=3000)
    state = al.init_step(X, y, n_init=10, random_state=0)
    sparse_picks = al.select(state, X, k_center_greedy, 15)
    dense_picks = al.select(state, X.toarray(), k_center_greedy, 15)
    assert sparse_picks.tolist() == dense_picks.tolist()


def test_kmeans_on_a_large_pool_clusters_a_seeded_sample() -> None:
    state, X = fitted_state(kmeans_rows(5) + 5_000, 4, 20)
    picks, utilities = al.select(state, X, kmeans, 5, return_utilities=True)
    again = al.select(state, X, kmeans, 5, return_utilities=True)
    assert picks.tolist() == again[0].tolist()
    # utilities estimate the unlabeled points each cluster stands for: they add up to the candidates
    assert np.isclose(utilities.sum(), state.n_unlabeled)
