"""Candidate restriction (seals, anchoral): the strategy contract, the restricted set, the fallbacks, errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_classification
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.core.context import Context
from alfunc.strategies import anchoral, k_center_greedy, margin, needs_classifier, seals, selects_batch, uses_classifier
from alfunc.strategies.restrict import _anchors
from alfunc.testing import check_strategy


@pytest.fixture(scope="module")
def fitted():
    X, y = make_classification(n_samples=300, n_features=5, n_informative=3, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=20, random_state=0), X, LogisticRegression())
    return X, y, state


@pytest.mark.parametrize(
    "strategy",
    [
        seals("margin", n_neighbours=1),
        seals("margin", n_neighbours=3),
        seals("k_center_greedy", n_neighbours=2),
        # every labeled point an anchor (pools of at most 12 rows): the anchors' random draw is checked below
        anchoral("margin", n_anchors=12, n_neighbours=1, subpool_size=2),
        anchoral("entropy", n_anchors=12, n_neighbours=3, subpool_size=3),
    ],
    ids=lambda strategy: strategy.__name__,
)
def test_the_restricted_strategies_keep_the_strategy_contract(strategy):
    check_strategy(strategy, max_examples=25)


@pytest.mark.parametrize(
    "make", [lambda index: seals("margin", index, 5), lambda index: anchoral("margin", index, 3, 5, 30)]
)
def test_the_batch_does_not_depend_on_the_chunk_size(fitted, make):
    X, _, state = fitted
    strategy = make(al.neighbour_index(X))
    batches = [al.select(state, X, strategy, 8, chunk_size=size) for size in (1, 7, X.shape[0])]
    assert all(np.array_equal(batch, batches[0]) for batch in batches[1:])


def test_only_neighbours_of_labeled_points_are_scored():
    X = np.arange(12.0).reshape(-1, 1)
    y = (X[:, 0] > 5).astype(int)
    state = al.fit_step(al.init_step(X, y, initial=[0, 6, 11]), X, LogisticRegression())
    scored: list[int] = []

    @uses_classifier
    def recording_margin(model, rows, context):
        scored.extend(context.candidates.tolist())
        return margin(model, rows, context)

    batch = al.select(state, X, seals(recording_margin, al.neighbour_index(X), n_neighbours=2), 2)
    # nearest 2 of 0: {0, 1}; of 6: {6, 5 or 7 tied: both}; of 11: {11, 10}; minus the labeled ones
    assert sorted(scored) == [1, 5, 7, 10]
    others = np.setdiff1d(np.arange(12), [0, 6, 11, 1, 5, 7, 10])
    np.testing.assert_array_equal(batch, al.select(state, X, "margin", 2, exclude=others))  # margin's best of those


def test_the_candidates_grow_with_the_labeled_set():
    X = np.arange(40.0).reshape(-1, 1)
    y = (X[:, 0] > 19).astype(int)
    index = al.neighbour_index(X)
    strategy = seals("random", index, n_neighbours=2)
    few = al.init_step(X, y, initial=[0, 39])
    more = al.init_step(X, y, initial=[0, 39, 20])
    assert set(al.select(few, X, strategy, 2).tolist()) == {1, 38}
    assert set(al.select(more, X, strategy, 4).tolist()) == {1, 38, 19, 21}


@pytest.mark.parametrize("inner", ["margin", "entropy", k_center_greedy])
def test_a_neighbourhood_covering_the_pool_gives_the_inner_strategy_s_own_batch(fitted, inner):
    X, _, state = fitted
    n = X.shape[0]
    index = al.neighbour_index(X)
    expected, expected_u = al.select(state, X, inner, 10, return_utilities=True)
    for strategy in (
        seals(inner, index, n_neighbours=n),
        anchoral(inner, index, n_anchors=n, n_neighbours=n, subpool_size=n),
    ):
        got, got_u = al.select(state, X, strategy, 10, return_utilities=True)
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(got_u, expected_u)


def test_too_few_candidates_widen_the_neighbourhood_then_take_the_whole_pool():
    X = np.arange(10.0).reshape(-1, 1)
    y = np.array([0, 1] * 5)
    state = al.init_step(X, y, initial=[0])
    index = al.neighbour_index(X)
    assert sorted(al.select(state, X, seals("random", index, 1), 3).tolist()) == [1, 2, 3]  # 2, then 4 neighbours
    assert sorted(al.select(state, X, seals("random", index, 1), 9).tolist()) == list(range(1, 10))
    assert sorted(al.select(state, X, anchoral("random", index, 1, 1, 1), 4).tolist()) == [1, 2, 3, 4]


def test_excluded_points_are_never_candidates(fitted):
    X, _, state = fitted
    strategy = seals("margin", al.neighbour_index(X), 5)
    first = al.select(state, X, strategy, 5)
    again = al.select(state, X, strategy, 5, exclude=first[:3])
    assert not np.isin(first[:3], again).any()


def test_duplicated_rows_enter_the_neighbourhood_together():
    X = np.array([[0.0], [5.0], [1.0], [9.0], [1.0], [1.0]])
    state = al.init_step(X, np.array([0, 1, 0, 1, 0, 1]), initial=[0])
    scored: list[int] = []

    def recording(model, rows, context):
        scored.extend(context.candidates.tolist())
        return np.zeros(len(context.candidates))

    al.select(state, X, seals(recording, al.neighbour_index(X), n_neighbours=2), 1)
    assert sorted(scored) == [2, 4, 5]  # the second neighbour of 0 is at distance 1: rows 2, 4 and 5 alike


def test_anchors_are_drawn_per_class_among_the_labeled_points_and_differ_between_rounds():
    X, y = make_blobs(n_samples=200, centers=3, random_state=0)
    labeled = np.arange(0, 200, 4)
    state = al.init_step(X, y, initial=labeled)
    index = al.neighbour_index(X)
    context = Context(state, X, state.unlabeled(), state.next_iteration)
    anchors = _anchors(index, context, 3)
    labels = dict(zip(state.labeled.tolist(), state.labels.tolist(), strict=True))
    assert np.isin(anchors, labeled).all() and np.unique(anchors).size == anchors.size
    assert sorted(np.bincount([labels[a] for a in anchors.tolist()]).tolist()) == [3, 3, 3]
    np.testing.assert_array_equal(_anchors(index, context, 3), anchors)  # seeded: the same state, the same draw
    draws = {tuple(_anchors(index, Context(state, X, state.unlabeled(), i), 3).tolist()) for i in range(1, 6)}
    assert len(draws) > 1  # a new draw each round
    few = _anchors(index, context, 100)  # more anchors than labeled points: all of them
    np.testing.assert_array_equal(np.sort(few), labeled)


def test_the_combinators_are_named_marked_and_cite_their_papers():
    s, a = seals("margin", n_neighbours=4), anchoral("margin", n_anchors=2, n_neighbours=3, subpool_size=50)
    assert s.__name__ == "seals(margin,n_neighbours=4)"
    assert a.__name__ == "anchoral(margin,n_anchors=2,n_neighbours=3,subpool_size=50)"
    assert selects_batch(s) and selects_batch(a) and needs_classifier(s) and needs_classifier(a)
    assert "Coleman et al. 2022" in s.__doc__ and "Lesci & Vlachos 2024" in a.__doc__
    assert not needs_classifier(seals("random"))


def test_an_index_over_another_pool_is_refused_naming_it(fitted):
    X, _, state = fitted
    with pytest.raises(ValueError, match="index was built over 100 points but the pool has 300 rows"):
        al.select(state, X, seals("margin", al.neighbour_index(X[:100])), 5)
    with pytest.raises(ValueError, match="index was built over 100 points"):
        al.select(state, X, anchoral("margin", al.neighbour_index(X[:100])), 5)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: seals("margin", n_neighbours=0), ValueError, "n_neighbours must be an int >= 1"),
        (lambda: seals("margin", n_neighbours=2.5), TypeError, "n_neighbours must be an int"),
        (lambda: seals("margin", index=np.zeros((3, 2))), TypeError, "index must be a NeighbourIndex"),
        (lambda: seals("no_such_strategy"), ValueError, "unknown strategy"),
        (lambda: anchoral("margin", n_anchors=0), ValueError, "n_anchors must be an int >= 1"),
        (lambda: anchoral("margin", n_neighbours=-1), ValueError, "n_neighbours must be an int >= 1"),
        (lambda: anchoral("margin", subpool_size=None), TypeError, "subpool_size must be an int"),
        (lambda: anchoral("margin", index="exact"), TypeError, "index must be a NeighbourIndex"),
    ],
)
def test_bad_arguments_are_refused_naming_them(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_the_extra_memory_of_a_restricted_query_does_not_grow_with_the_pool(monkeypatch):
    """A pool 10x larger: the exact index reads it in fixed blocks, and the combinator keeps only neighbourhoods."""
    import tracemalloc

    from alfunc.core import neighbours

    monkeypatch.setattr(neighbours, "WORKING_ELEMENTS", 1 << 14)

    def peak(n_pool: int) -> int:
        X = np.random.default_rng(0).normal(size=(n_pool, 4))
        y = (X[:, 0] > 0).astype(int)
        state = al.fit_step(al.init_step(X, y, n_init=20, random_state=0), X, LogisticRegression())
        index = al.neighbour_index(X)
        context = Context(state, X, state.unlabeled(), state.next_iteration)
        strategy = seals("margin", index, n_neighbours=5)
        tracemalloc.start()
        try:
            strategy(state.model, X, context, 10)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(20_000), peak(200_000)
    assert large < 3 * small, (small, large)
