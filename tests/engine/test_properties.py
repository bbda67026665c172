"""Property tests of the core invariants over generated pools, strategies and seeds."""

from __future__ import annotations

import copy
import pickle
from itertools import pairwise

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pools import CentroidClassifier, pools, runs

import alfunc as al

ESTIMATOR = CentroidClassifier()


def assert_partition(state: al.ALState) -> None:
    labeled, unlabeled = state.labeled, state.unlabeled()
    assert np.unique(labeled).size == labeled.size, "an index was labeled twice"
    assert np.intersect1d(labeled, unlabeled).size == 0
    assert np.array_equal(np.union1d(labeled, unlabeled), np.arange(state.n_pool))


def all_states(settings: dict, **overrides) -> list[al.ALState]:
    arguments = {**settings, **overrides}
    X, y = arguments.pop("X"), arguments.pop("y")
    return list(al.trace(X, y, ESTIMATOR, **arguments))


@given(runs())
def test_pools_partition_and_no_index_is_labeled_twice(settings):
    for state in all_states(settings):
        assert_partition(state)


@given(runs())
def test_each_query_adds_min_of_batch_and_remaining(settings):
    states = all_states(settings)
    assert states[0].n_labeled == settings["n_init"]
    for before, after in pairwise(states):
        expected = min(settings["batch_size"], before.n_unlabeled)
        assert after.n_labeled - before.n_labeled == expected
        assert np.array_equal(after.labeled[: before.n_labeled], before.labeled)
        assert np.array_equal(after.history[-1].queried, after.labeled[before.n_labeled :])


@given(runs())
def test_unbounded_run_ends_with_the_pool_empty_and_true_labels(settings):
    final = all_states(settings)[-1]
    assert final.n_unlabeled == 0
    assert np.array_equal(final.labels, settings["y"][final.labeled])
    assert [r.n_labeled for r in final.history] == sorted({r.n_labeled for r in final.history})


@given(runs())
def test_selection_is_a_subset_of_the_unlabeled_pool(settings):
    state = all_states(settings, max_iter=0)[0]
    if state.n_unlabeled == 0:
        return
    chosen = al.select(state, settings["X"], settings["strategy"], settings["batch_size"])
    assert np.isin(chosen, state.unlabeled()).all()
    assert chosen.size == min(settings["batch_size"], state.n_unlabeled)


@given(runs())
def test_same_seed_gives_identical_runs(settings):
    first, second = all_states(settings), all_states(settings)
    assert first == second
    assert [s.labeled.tobytes() for s in first] == [s.labeled.tobytes() for s in second]


@given(pools(min_size=20), st.integers(0, 2**32 - 1))
def test_budget_and_max_iter_stop_the_run_exactly(pool, seed):
    X, y = pool
    budget = len(y) // 2 + 1
    final = al.run(X, y, ESTIMATOR, "margin", n_init=3, batch_size=4, budget=budget, random_state=seed)
    assert final.n_labeled == budget
    capped = al.run(X, y, ESTIMATOR, "margin", n_init=3, batch_size=2, max_iter=2, random_state=seed)
    assert len(capped.history) == 3 and capped.n_labeled == 7


def test_different_seeds_give_different_initial_sets():
    X = np.arange(200.0).reshape(100, 2)
    y = np.arange(100) % 2
    initial_sets = {tuple(al.init_step(X, y, 5, seed).labeled) for seed in range(50)}
    assert len(initial_sets) >= 49


@given(runs())
def test_steps_never_mutate_their_inputs(settings):
    X, y = settings["X"], settings["y"]
    X_before, y_before = X.copy(), y.copy()
    estimator = CentroidClassifier(temperature=2.0)
    params_before = copy.deepcopy(estimator.get_params())
    state = al.fit_step(al.init_step(X, y, settings["n_init"], settings["random_state"]), X, estimator)
    snapshot = pickle.dumps(state)
    if state.n_unlabeled:
        queried = al.query_step(state, X, y, settings["strategy"], settings["batch_size"])
        assert pickle.loads(snapshot) == state
        fitted = al.fit_step(queried, X, estimator)
        assert pickle.loads(pickle.dumps(queried)) == queried and fitted.model is not queried.model
    assert np.array_equal(X, X_before) and np.array_equal(y, y_before)
    assert estimator.get_params() == params_before
    assert not hasattr(estimator, "classes_"), "the caller's estimator was fitted"


@given(runs())
def test_states_cannot_be_mutated(settings):
    state = all_states(settings, max_iter=1)[-1]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        state.labeled = np.arange(3)
    for array in (state.labeled, state.labels, state.history[-1].queried, state.history[-1].utilities):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0
    with pytest.raises(TypeError):
        state.history[-1].scores["train_score"] = 2.0


@given(runs())
def test_select_is_pure_and_chunk_size_does_not_change_the_batch(settings):
    state = all_states(settings, max_iter=0)[0]
    if state.n_unlabeled == 0:
        return
    X, strategy, batch = settings["X"], settings["strategy"], settings["batch_size"]
    whole = al.select(state, X, strategy, batch, return_utilities=True)
    again = al.select(state, X, strategy, batch, return_utilities=True)
    by_row = al.select(state, X, strategy, batch, chunk_size=1, return_utilities=True)
    for other in (again, by_row):
        assert np.array_equal(whole[0], other[0]) and np.array_equal(whole[1], other[1])


@given(pools(min_size=6), st.integers(0, 2**32 - 1))
def test_initial_set_holds_two_classes_when_the_pool_does(pool, seed):
    X, y = pool
    state = al.init_step(X, y, 2, seed)
    assert np.unique(state.labels).size == min(2, np.unique(y).size)
