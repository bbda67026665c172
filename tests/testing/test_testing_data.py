"""The public hypothesis strategies: pools, states and histories are valid, controllable and shrink small."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import alfunc as al
from alfunc.testing import CentroidClassifier, Pool, histories, pools, states


@given(pools(min_rows=3, max_rows=9, max_features=2, min_classes=2, max_classes=4))
def test_pools_respect_their_sizes(pool):
    X, y = pool
    assert 3 <= X.shape[0] <= 9 and 1 <= X.shape[1] <= 2 and y.shape == (X.shape[0],)
    assert np.isfinite(X).all() and y.dtype.kind == "i" and 0 <= y.min() and y.max() < 4


@given(pools(duplicate_rows=False, ties=True, imbalanced=False, min_classes=2, max_classes=2))
def test_pools_without_duplicates_are_distinct_and_balanced_pools_deal_classes_in_turn(pool):
    X, y = pool
    assert np.unique(X, axis=0).shape[0] == X.shape[0]
    assert set(np.unique(X[:, 1:])) <= {-1.0, 0.0, 1.0}
    counts = np.bincount(y, minlength=2)
    assert abs(int(counts[0]) - int(counts[1])) <= 1


@given(pools(task="regression"))
def test_regression_pools_have_real_targets(pool):
    assert pool.y.dtype.kind == "f" and np.isfinite(pool.y).all()


def test_bad_pool_settings_are_rejected():
    with pytest.raises(ValueError, match="task"):
        pools(task="ranking")
    with pytest.raises(ValueError, match="min_rows"):
        pools(min_rows=5, max_rows=3)
    with pytest.raises(ValueError, match="max_features"):
        pools(max_features=0)


def test_a_pool_shrinks_to_a_small_readable_example():
    pool = find(pools(), lambda p: len(p.y) >= 3 and np.unique(p.y).size >= 2)
    assert pool.X.tolist() == [[0.0], [0.0], [0.0]], repr(pool)
    assert sorted(set(pool.y.tolist())) == [0, 1], repr(pool)
    assert repr(pool).startswith("Pool(X=[[0.0], [0.0], [0.0]], y=[")


@given(st.data())
def test_states_are_valid_states_of_their_pool(data):
    pool = data.draw(pools(max_rows=12))
    state = data.draw(states(pool, min_unlabeled=1))
    assert isinstance(state, al.ALState) and state.n_pool == len(pool.y)
    assert np.unique(state.labeled).size == state.n_labeled and state.n_unlabeled >= 1
    assert np.array_equal(state.labels, pool.y[state.labeled])
    if state.model is None:
        assert state.iteration == 0 and state.pending is not None
    if state.pending is None:
        assert state.model is not None and state.history[-1].n_labeled == state.n_labeled


@given(states(fitted=True, estimator=CentroidClassifier()))
def test_fitted_states_are_ready_for_a_query(state):
    assert state.pending is None and state.model is not None and state.history


@given(histories(Pool(np.arange(10.0).reshape(-1, 1), np.arange(10) % 3)))
def test_histories_account_for_every_labeled_point(history):
    queried = np.concatenate([record.queried for record in history])
    assert np.unique(queried).size == queried.size
    assert [r.n_labeled for r in history] == np.cumsum([r.queried.size for r in history]).tolist()
    assert [r.iteration for r in history] == list(range(len(history)))


def test_states_draw_every_iteration_count_and_both_fitted_ends():
    seen = set()

    @settings(max_examples=100, derandomize=True, database=None)
    @given(states(Pool(np.arange(8.0).reshape(-1, 1), np.arange(8) % 2)))
    def collect(state):
        seen.add((state.iteration, state.model is None, state.pending is None))

    collect()
    assert {iteration for iteration, _, _ in seen} >= {0, 1, 2, 3}
    assert (0, True, False) in seen, "never the unfitted initial state"
    assert any(pending_none for _, _, pending_none in seen) and any(not p for _, _, p in seen)
