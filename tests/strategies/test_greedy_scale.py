"""GSy and iGS at scale: the picks of the plain cdist algorithm, from matrix products and row digests."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scale_support import plain_pick, rounding_pools
from scipy.spatial.distance import cdist
from sklearn.linear_model import Ridge

import alfunc as al
from alfunc.core.representation import stored_features
from alfunc.strategies import gsy, igs
from alfunc.strategies.nearest import PoolRows, distances_within, identical_rows, nearest_scaled, row_digests
from alfunc.testing import check_strategy


@pytest.mark.parametrize("kind", ["normal", "integers", "copies", "huge"])
@pytest.mark.parametrize("sparse", [False, True])
def test_nearest_scaled_is_cdist_times_the_factor_bit_for_bit(kind: str, sparse: bool) -> None:
    X = rounding_pools(width=4)[kind]
    rng = np.random.default_rng(1)
    rows, centres = np.sort(rng.choice(300, 200, replace=False)), rng.choice(300, 40, replace=False)
    factors = rng.integers(0, 4, size=(200, 40)) * rng.random((200, 40))  # exact zeros and ties included
    features = stored_features(sp.csr_matrix(X) if sparse else X)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = (cdist(X[rows], X[centres]) * factors).min(axis=1)
    got = nearest_scaled(features, rows, centres, lambda r, c: factors[r][:, c])
    assert np.array_equal(got, expected, equal_nan=True)


@pytest.mark.parametrize("kind", ["normal", "integers", "copies", "huge"])
def test_distances_within_are_exact_below_the_limit_and_never_hide_a_smaller_one(kind: str) -> None:
    X = rounding_pools(width=4)[kind]
    rows = PoolRows(stored_features(X), np.arange(0, 300, 2), step=17)
    centre = X[5]
    with np.errstate(over="ignore"):
        exact = cdist(X[rows.indices], centre[None])[:, 0]
    limit = np.random.default_rng(2).permutation(exact)  # limits of the same scale, in another order
    got = distances_within(rows, centre, limit, rows.squared_norms())
    computed = np.isfinite(got)
    assert np.array_equal(got[computed], exact[computed])
    assert (exact[~computed] >= limit[~computed]).all()
    assert computed[exact < limit].all()


@given(
    st.lists(st.lists(st.sampled_from([0.0, -0.0, 1.0, -1.5, 2.0]), min_size=3, max_size=3), min_size=1, max_size=30)
)
@settings(max_examples=60, deadline=None)
def test_row_digests_tell_identical_rows_dense_or_sparse(values: list[list[float]]) -> None:
    X = np.array(values)
    dense = row_digests(PoolRows(stored_features(X), np.arange(X.shape[0]), step=4))
    sparse = row_digests(PoolRows(stored_features(sp.csr_matrix(X)), np.arange(X.shape[0]), step=4))
    assert np.array_equal(dense, sparse)
    same_values = (X[:, None, :] == X[None, :, :]).all(axis=2)
    assert np.array_equal(dense[:, None] == dense[None, :], same_values)  # no collision among so few rows
    assert np.array_equal(identical_rows(stored_features(X), np.arange(X.shape[0]), X[0]), same_values[0])


def reference_greedy(X: np.ndarray, predicted: np.ndarray, state: al.ALState, context: al.Context, k: int, joint: bool):
    """GSy (``joint=False``) or iGS written plainly with cdist: the picks the earlier implementation made."""
    candidates, labeled = context.candidates, state.labeled
    tie = context.uniform("igs" if joint else "gsy")
    known = state.labels.astype(float)[:, None]
    out = predicted[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        if joint:
            nearest = (cdist(X[candidates], X[labeled]) * cdist(out, known)).min(axis=1)
        else:
            nearest = cdist(out, known).min(axis=1)
    copies = np.zeros(candidates.size, dtype=bool)
    available = np.ones(candidates.size, dtype=bool)
    picks, values = [], []
    for _ in range(k):
        pick = plain_pick(nearest, available, ~copies, tie)
        picks.append(pick)
        values.append(nearest[pick])
        with np.errstate(over="ignore", invalid="ignore"):
            gaps = cdist(X[candidates], X[candidates[pick]][None])[:, 0]
            output = cdist(out, out[pick][None])[:, 0]
            copies |= ~(gaps > 0)
            np.minimum(nearest, gaps * output if joint else output, out=nearest)
    return candidates[picks], np.array(values)


@pytest.mark.parametrize("kind", ["normal", "integers", "copies"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("strategy", [gsy, igs], ids=["gsy", "igs"])
def test_picks_are_the_plain_cdist_ones(kind: str, sparse: bool, strategy) -> None:
    X = rounding_pools(width=4)[kind]
    y = X @ np.array([1.0, -2.0, 0.5, 3.0])
    pool = sp.csr_matrix(X) if sparse else X
    state = al.fit_step(al.init_step(pool, y, n_init=15, random_state=3), pool, Ridge())
    context = al.Context(state, pool, state.unlabeled(), state.next_iteration)
    picks, values = strategy(state.model, pool, context, 40)
    predicted = state.model.predict(pool[context.candidates])
    expected_picks, expected_values = reference_greedy(X, predicted, state, context, 40, joint=strategy is igs)
    assert picks.tolist() == expected_picks.tolist()
    assert np.array_equal(values, expected_values)


@pytest.mark.parametrize("name", ["gsy", "igs"])
def test_same_batch_whatever_the_chunk_size(name: str) -> None:
    X = rounding_pools(width=4)["normal"]
    y = X.sum(axis=1)
    state = al.fit_step(al.init_step(X, y, n_init=20, random_state=0), X, Ridge())
    batches = [al.select(state, X, name, 12, chunk_size=size) for size in (1, 7, X.shape[0])]
    assert all(batch.tolist() == batches[0].tolist() for batch in batches[1:])


@pytest.mark.parametrize("name", ["gsy", "igs"])
def test_strategy_contract(name: str) -> None:
    check_strategy(name, max_examples=15)


@given(st.integers(0, 2**32 - 1), st.lists(st.integers(0, 49), max_size=20))
@settings(max_examples=30, deadline=None)
def test_draws_for_some_positions_are_those_of_the_whole_pool(seed: int, positions: list[int]) -> None:
    X = np.arange(120.0).reshape(60, 2)
    state = al.init_step(X, np.arange(60) % 2, n_init=10, random_state=seed)
    context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    at = np.array(positions, dtype=np.int64)
    assert np.array_equal(context.uniform("k-center", at), context.uniform("k-center")[at])
