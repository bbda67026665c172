"""TypiClust and ProbCover bounded by design: seeded subsamples, brute-force references, chunking, memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.neighbors import NearestNeighbors

import alfunc as al
from alfunc.strategies import coldstart, probcover
from alfunc.testing import check_strategy

RNG = np.random.default_rng(7)
X = RNG.standard_normal((400, 3))
Y = (X[:, 0] > 0).astype(int)


def state_of(X, y, n_init=6, seed=0):
    return al.init_step(X, y, n_init=n_init, random_state=seed)


def context_of(state, X):
    return al.Context(state, X, state.unlabeled(), state.next_iteration)


@pytest.fixture
def small_bound(monkeypatch):
    """TypiClust's bound lowered to 120 rows so a 400-row pool is subsampled."""
    monkeypatch.setattr(coldstart, "TYPICLUST_MAX_POOL", 120)


STRATEGIES = {
    "typiclust": "typiclust",
    "probcover": probcover(),
    "probcover subsampled": probcover(max_pool=120),
    "probcover radius subsampled": probcover(radius=0.8, max_pool=150),
}


@pytest.mark.parametrize("subsampled", [False, True])
@pytest.mark.parametrize("name", list(STRATEGIES))
def test_the_batch_does_not_depend_on_the_chunk_size(name, subsampled, monkeypatch):
    if subsampled:
        monkeypatch.setattr(coldstart, "TYPICLUST_MAX_POOL", 120)
    state = state_of(X, Y)
    answers = [
        al.select(state, X, STRATEGIES[name], 8, chunk_size=chunk, return_utilities=True)
        for chunk in (1, 7, X.shape[0])
    ]
    for indices, utilities in answers[1:]:
        assert np.array_equal(indices, answers[0][0]) and np.array_equal(utilities, answers[0][1])


def test_under_the_bound_the_whole_pool_is_used_exactly_as_without_a_bound():
    state = state_of(X, Y)
    context = context_of(state, X)
    whole = coldstart.typical_batch(context, 6, None)
    bounded = coldstart.typical_batch(context, 6, X.shape[0])
    assert np.array_equal(whole[0], bounded[0]) and np.array_equal(whole[1], bounded[1])
    assert np.array_equal(
        al.select(state, X, probcover(max_pool=None), 6), al.select(state, X, probcover(max_pool=X.shape[0]), 6)
    )


def test_a_subsampled_batch_comes_from_the_seeded_subsample_and_is_reproducible(small_bound):
    state = state_of(X, Y)
    kept_labeled, kept = coldstart.pool_sample(context_of(state, X), 120, 8, "typiclust-sample")
    assert kept_labeled.size == state.n_labeled and kept.size == 120 - state.n_labeled
    assert not np.isin(kept, state.labeled).any()
    indices = al.select(state, X, "typiclust", 8)
    assert np.isin(indices, kept).all() and np.array_equal(indices, al.select(state, X, "typiclust", 8))
    other = coldstart.pool_sample(context_of(state_of(X, Y, seed=1), X), 120, 8, "typiclust-sample")[1]
    assert not np.array_equal(np.sort(other), np.sort(kept)), "the subsample should follow the seed"


def test_at_most_half_the_subsample_is_labeled_and_it_holds_at_least_a_batch():
    state = state_of(X, Y, n_init=100)
    kept_labeled, kept = coldstart.pool_sample(context_of(state, X), 60, 45, "probcover-sample")
    assert kept_labeled.size == 30 and kept.size == 45
    assert np.isin(kept_labeled, state.labeled).all() and np.isin(kept, state.unlabeled()).all()


def brute_force_cover(rows, labeled_rows, radius, n_picks):
    """ProbCover's greedy on an explicit distance matrix: the largest uncovered ball at each pick."""
    covered = (cdist(rows, labeled_rows) <= radius).any(axis=1)
    inside = cdist(rows, rows) <= radius
    best = []
    available = np.ones(rows.shape[0], dtype=bool)
    for _ in range(n_picks):
        degree = inside.astype(float) @ ~covered
        best.append(degree[available].max())
        pick = np.flatnonzero(available & (degree == best[-1]))[0]
        available[pick] = False
        covered |= inside[pick]
    return best


@pytest.mark.parametrize("max_pool", [None, 150])
def test_probcover_picks_the_largest_uncovered_ball_of_its_rows_every_time(max_pool):
    # every labeled point covers its ball, even the ones left out of the subsample (100 labeled > 150 // 2)
    state = state_of(X, Y, n_init=100)
    strategy = probcover(radius=0.6, max_pool=max_pool)
    indices, utilities = al.select(state, X, strategy, 6, return_utilities=True)
    kept = coldstart.pool_sample(context_of(state, X), max_pool, 6, "probcover-sample")[1]
    assert np.isin(indices, kept).all()
    assert utilities.tolist() == brute_force_cover(X[kept], X[state.labeled], 0.6, 6)


def test_typicality_is_the_inverse_mean_distance_to_the_20_nearest_others():
    rows = RNG.standard_normal((60, 4))
    distances, _ = NearestNeighbors(n_neighbors=21).fit(rows).kneighbors(rows)
    np.testing.assert_allclose(coldstart._typicality(rows), 1 / (distances[:, 1:].mean(axis=1) + 1e-5), rtol=1e-12)


@pytest.mark.parametrize("strategy", ["typiclust", "probcover", probcover(max_pool=8)])
def test_check_strategy_passes(strategy):
    check_strategy(strategy, max_examples=20)


def test_check_strategy_passes_on_a_subsampled_typiclust(monkeypatch):
    monkeypatch.setattr(coldstart, "TYPICLUST_MAX_POOL", 8)
    check_strategy("typiclust", max_examples=20)


def extra_memory(strategy, n_rows):
    """Peak bytes a batch strategy allocates over a pool of ``n_rows`` x 5 (the pool and context made before)."""
    pool = np.random.default_rng(0).standard_normal((n_rows, 5))
    state = state_of(pool, (pool[:, 0] > 0).astype(int), n_init=10)
    context = context_of(state, pool)
    tracemalloc.start()
    try:
        strategy(None, pool, context, 10)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("which", ["typiclust", "probcover"])
def test_a_pool_ten_times_larger_needs_about_the_same_extra_memory(which, monkeypatch):
    monkeypatch.setattr(coldstart, "TYPICLUST_MAX_POOL", 2000)
    strategy = coldstart.typiclust if which == "typiclust" else probcover(max_pool=2000)
    small, large = extra_memory(strategy, 20_000), extra_memory(strategy, 200_000)
    assert large < 1.5 * small + 2**20, f"{which}: {small / 2**20:.1f} MB at 20k rows, {large / 2**20:.1f} MB at 200k"


@pytest.mark.parametrize("max_pool", [1, 0, 2.5, True, "100"])
def test_probcover_refuses_a_bad_max_pool(max_pool):
    with pytest.raises(ValueError, match="max_pool must be an integer >= 2 or None"):
        probcover(max_pool=max_pool)


@pytest.mark.parametrize("strategy, bar", [("typiclust", "typiclust picks"), ("probcover", "probcover picks")])
def test_picks_show_progress_only_when_asked(strategy, bar, capsys):
    state = state_of(X, Y)
    quiet = al.select(state, X, strategy, 4)
    assert capsys.readouterr().err == ""
    assert np.array_equal(al.select(state, X, strategy, 4, progress=True), quiet)
    assert bar in capsys.readouterr().err
