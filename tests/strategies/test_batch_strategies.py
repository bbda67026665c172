"""Batch strategies: core run invariants, the no-duplicate rule, and hand-checked cases."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from batch_support import Fixed, column, duplicated_pools, hand_state
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

import alfunc as al
from alfunc.core.representation import stored_features
from alfunc.strategies import (
    STRATEGIES,
    filter_then,
    k_center_greedy,
    kmeans,
    margin,
    pooled,
    probcover,
    ranked_batch,
    selects_batch,
    typiclust,
)

CLASSIFIER_BATCH = [
    "k_center_greedy",
    "kmeans",
    "cluster_margin",
    "margin_k_center",
    "ranked_batch",
    "typiclust",
    "probcover",
    "gsx",
]
REGRESSION_BATCH = ["gsy", "igs", "gsx", "typiclust", "kmeans"]
SMALL_FILTER = filter_then(margin, 1.5, k_center_greedy)


def test_every_batch_name_is_registered_as_a_batch_strategy():
    for name in {*CLASSIFIER_BATCH, *REGRESSION_BATCH}:
        assert selects_batch(STRATEGIES[name]), name


def check_run(X, y, estimator, strategy, n_init, batch_size, seed):
    settings = dict(n_init=n_init, batch_size=batch_size, random_state=seed, scoring="neg_mean_absolute_error")
    states = list(al.trace(X, y, estimator, strategy, **settings))
    for before, after in pairwise(states):
        assert after.n_labeled - before.n_labeled == min(batch_size, before.n_unlabeled)
    final = states[-1]
    assert final.n_unlabeled == 0
    assert np.array_equal(np.sort(final.labeled), np.arange(len(y))), "not a partition / index labeled twice"
    again = list(al.trace(X, y, estimator, strategy, **settings))
    assert states == again, "same seed, different run"


@settings(max_examples=20, deadline=None)
@given(duplicated_pools(), st.sampled_from([*CLASSIFIER_BATCH, SMALL_FILTER]), st.data())
def test_classifier_batch_runs_partition_the_pool_in_batches_deterministically(pool, strategy, data):
    X, y = pool
    n_init = data.draw(st.integers(1, len(y)))
    batch = data.draw(st.integers(1, len(y)))
    check_run(X, y, KNeighborsClassifier(n_neighbors=1), strategy, n_init, batch, data.draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=12, deadline=None)
@given(duplicated_pools(), st.sampled_from(REGRESSION_BATCH), st.data())
def test_regression_batch_runs_partition_the_pool_in_batches_deterministically(pool, strategy, data):
    X, y = pool
    n_init = data.draw(st.integers(1, len(y)))
    batch = data.draw(st.integers(1, len(y)))
    check_run(
        X,
        y.astype(float) * 1.5,
        KNeighborsRegressor(n_neighbors=1),
        strategy,
        n_init,
        batch,
        data.draw(st.integers(0, 2**32 - 1)),
    )


@settings(max_examples=30, deadline=None)
@given(duplicated_pools(min_size=6), st.sampled_from([*CLASSIFIER_BATCH, "gsy", "igs", SMALL_FILTER]), st.data())
def test_a_batch_holds_no_identical_rows_while_distinct_ones_remain(pool, strategy, data):
    X, y = pool
    n_init = data.draw(st.integers(1, len(y) - 1))
    state = al.fit_step(al.init_step(X, y, n_init, data.draw(st.integers(0, 2**32 - 1))), X, KNeighborsClassifier(1))
    batch = al.select(state, X, strategy, data.draw(st.integers(2, len(y))))
    batch_rows = np.unique(X[batch], axis=0)
    if batch_rows.shape[0] < batch.size:
        unlabeled_rows = np.unique(X[state.unlabeled()], axis=0)
        assert unlabeled_rows.shape[0] == batch_rows.shape[0], "a duplicate was picked over a distinct row"


def select_from(X, labeled, labels, strategy, k, model=None):
    state = hand_state(len(X), labeled, labels, model)
    return al.select(state, X, strategy, k, return_utilities=True)


def test_k_center_greedy_picks_farthest_first_by_hand():
    X = column([0, 1, 2, 10, 11])
    indices, utilities = select_from(X, [0], [0], k_center_greedy, 2)
    assert indices.tolist() == [4, 2]  # 11 is farthest from 0; then 2 (distance 2) beats 1 and 10 (distance 1)
    assert np.allclose(utilities, [11, 2])


def test_kmeans_picks_the_row_nearest_each_centre_largest_cluster_first():
    X = column([50, 0, 1, 2, 10, 11, 12, 13, 14])
    indices, utilities = select_from(X, [0], [0], kmeans, 2)
    assert indices.tolist() == [6, 2] and utilities.tolist() == [5, 3]


def test_ranked_batch_by_hand():
    X = column([0, 1, 3])
    table = np.array([0.0, 0.9, 0.0])
    strategy = ranked_batch(lambda model, rows, context: table[context.candidates])
    indices, utilities = select_from(X, [0], [0], strategy, 2)
    # pick 1: alpha 2/3 -> x=1: 2/3*(1-1/2) + 1/3*0.9 = 0.6333 > x=3: 2/3*(1-1/4) = 0.5
    # pick 2: alpha 1/3, x=3 is 2 from x=1 -> 1/3*(1-1/3) = 0.2222
    assert indices.tolist() == [1, 2]
    assert np.allclose(utilities, [0.6 + 0.1 / 3, 2 / 9])


def test_filter_then_diversifies_within_the_most_useful_distinct_rows():
    X = column([0, 1, 2, 10])
    table = np.array([0.0, 0.9, 0.8, 0.1])
    first = lambda model, rows, context: table[context.candidates]  # noqa: E731
    indices, utilities = select_from(X, [0], [0], filter_then(first, 2, k_center_greedy), 1)
    assert indices.tolist() == [2] and np.allclose(utilities, [0.8])  # 10 is filtered out; 2 is farther than 1
    X = column([0, 1, 1, 2])
    table = np.array([0.0, 0.9, 0.9, 0.5])
    indices, _ = select_from(X, [0], [0], filter_then(first, 1, k_center_greedy), 2)
    assert sorted(X[indices, 0]) == [1, 2], "the duplicate of 1 entered the filter twice"


def test_typiclust_picks_the_most_typical_point_of_the_uncovered_cluster():
    X = column([0, 0.5, 1, 1.5, 2, 100, 100.1, 100.3, 105])
    indices, utilities = select_from(X, [0], [0], typiclust, 1)
    assert indices.tolist() == [6]  # mean distance to its 2 nearest: 0.15, the smallest
    assert np.allclose(utilities, [1 / (0.15 + 1e-5)])


def test_probcover_covers_the_densest_uncovered_ball_first():
    X = column([0, 0.5, 4.4, 5, 5.5, 6, 20])
    indices, utilities = select_from(X, [0], [0], probcover(radius=1.0), 2)
    assert indices.tolist() == [3, 6] and utilities.tolist() == [4, 1]


def test_probcover_default_radius_is_below_the_gap_between_clusters():
    X = column([0, 0.1, 0.2, 0.3, 10, 10.1, 10.2, 10.3])
    indices, utilities = select_from(X, [0], [0], "probcover", 1)
    # the radius is just below 9.7, the gap between the two k-means clusters: the
    # labeled 0 covers its own cluster, and a ball in the far one covers its 4 points
    assert indices[0] in (4, 5, 6, 7) and utilities[0] == 4


def test_gsy_and_igs_by_hand():
    X = column([0, 1, 2.6, 4])
    model = Fixed(predict=lambda rows: -2 * rows[:, 0])
    # GSy: |f - 0| = 2, 5.2, 8 -> 4 first; then |f - f(4)| shrinks 2.6 to 2.8, 1 keeps 2
    indices, utilities = select_from(X, [0], [0.0], "gsy", 2, model)
    assert indices.tolist() == [3, 2] and np.allclose(utilities, [8, 2.8])
    # iGS: dx*dy = 2, 13.52, 32 -> 4 first; then 2.6: min(13.52, 1.4*2.8) = 3.92, 1: min(2, 3*6) = 2
    indices, utilities = select_from(X, [0], [0.0], "igs", 2, model)
    assert indices.tolist() == [3, 2] and np.allclose(utilities, [32, 3.92])


def test_regression_strategies_run_with_a_regressor_and_classifier_ones_refuse_it():
    X = np.linspace(0, 1, 40).reshape(-1, 2)
    y = X.sum(axis=1)
    for name in ("gsx", "gsy", "igs"):
        final = al.run(X, y, Ridge(), name, n_init=3, batch_size=4, budget=15, random_state=1)
        assert final.n_labeled == 15
    for name in ("cluster_margin", "margin_k_center", "ranked_batch"):
        with pytest.raises(TypeError, match="needs a classifier"):
            al.run(X, y, Ridge(), name, n_init=3)
    for name in ("gsy", "igs"):
        with pytest.raises(TypeError, match="needs a regressor"):
            al.run(X, (y > 1).astype(int), KNeighborsClassifier(1), name, n_init=3)


def test_gsy_without_a_model_says_so():
    X = column([0, 1, 2])
    with pytest.raises(ValueError, match="gsy.*fitted model"):
        select_from(X, [0], [0.0], "gsy", 1)


def test_filter_then_and_probcover_check_their_arguments():
    with pytest.raises(TypeError, match="first"):
        filter_then("margin", 10, k_center_greedy)
    with pytest.raises(TypeError, match="first"):
        filter_then(k_center_greedy, 10, k_center_greedy)
    with pytest.raises(ValueError, match="k_factor"):
        filter_then(margin, 0.5, k_center_greedy)
    with pytest.raises(TypeError, match="then"):
        filter_then(margin, 2, margin)
    with pytest.raises(ValueError, match="radius"):
        probcover(radius=0)
    with pytest.raises(ValueError, match="purity"):
        probcover(purity=1.5)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_chunked_nearest_distances_match_the_full_matrix(n_rows, n_centres, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(-2, 3, size=(n_rows + n_centres, 2)).astype(float)
    rows, centres = np.arange(n_rows), np.arange(n_rows, n_rows + n_centres)
    full = np.sqrt(((X[rows, None] - X[None, centres]) ** 2).sum(axis=2)).min(axis=1)
    saved = pooled.WORKING_ELEMENTS
    try:
        pooled.WORKING_ELEMENTS = 7  # chunks of a few rows and centres
        assert np.array_equal(pooled.nearest_distances(stored_features(X), rows, centres), full)
    finally:
        pooled.WORKING_ELEMENTS = saved
