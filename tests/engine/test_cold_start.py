"""Cold start with a person as the oracle: the initial set grows at random until it holds two classes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, Ridge

import alfunc as al
from alfunc.engine.steps import further_draws, initial_indices, redrawn_initial

X, Y = make_classification(n_samples=300, n_features=5, weights=[0.95, 0.05], flip_y=0, random_state=1)
SEEDS = range(20)


def person(indices):
    return Y[indices]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_callable_oracle_on_an_imbalanced_pool_starts_with_two_classes(seed):
    final = al.run(X, person, LogisticRegression(), "margin", n_init=4, batch_size=5, max_iter=1, random_state=seed)
    first = final.history[0]
    assert np.unique(first.labels).size == 2 and first.strategy == "initial"
    drawn = initial_indices(len(X), 4, final.seed, None)
    extra = final.history.info.get("initial_extra_draws", 0)
    assert first.queried.size == 4 + extra
    assert np.array_equal(first.queried[:4], drawn), "the first n_init points are the usual draw"
    if extra:
        assert np.unique(first.labels[:-1]).size == 1, "it stops at the first point of a second class"
        assert np.array_equal(first.queried[4:], further_draws(len(X), drawn, final.seed)[:extra])
    assert np.array_equal(redrawn_initial(final.history, len(X)), first.queried)


def test_the_draws_that_used_to_fail_now_grow_and_are_recorded():
    grown = [al.init_step(X, person, 4, seed) for seed in SEEDS]
    one_class_before = [s for s in grown if np.unique(Y[initial_indices(len(X), 4, s.seed, None)]).size == 1]
    assert len(one_class_before) >= 5, "the imbalanced pool must exercise the growth"
    for state in one_class_before:
        assert state.n_labeled > 4 and state.history.info["initial_extra_draws"] == state.n_labeled - 4
        assert state.pending.strategy == "initial" and np.isnan(state.pending.utilities).all()
    assert all("initial_extra_draws" not in s.history.info for s in grown if s not in one_class_before)


def test_the_oracle_is_asked_one_extra_point_at_a_time():
    asked = []

    def counting(indices):
        asked.append(np.asarray(indices).tolist())
        return Y[indices]

    seed = next(s for s in SEEDS if np.unique(Y[initial_indices(len(X), 4, s, None)]).size == 1)
    state = al.init_step(X, counting, 4, seed)
    assert len(asked[0]) == 4 and all(len(batch) == 1 for batch in asked[1:])
    assert sum(asked, []) == state.labeled.tolist()


def test_a_one_class_pool_is_drawn_until_it_is_exhausted():
    state = al.init_step(X[:12], lambda indices: np.zeros(len(indices), dtype=int), 3, random_state=0)
    assert state.n_labeled == 12 and state.history.info["initial_extra_draws"] == 9


def test_no_growth_for_one_point_for_numbers_that_differ_or_for_a_label_array():
    assert al.init_step(X, person, 1, 0).n_labeled == 1
    targets = X[:, 0] * 3.0
    assert al.init_step(X, lambda indices: targets[indices], 4, 0).n_labeled == 4
    for seed in SEEDS:  # a label array swaps a second class in instead, keeping n_init
        state = al.init_step(X, Y, 4, seed)
        assert state.n_labeled == 4 and np.unique(state.labels).size == 2
        assert "initial_extra_draws" not in state.history.info
        assert np.array_equal(state.labeled, initial_indices(len(X), 4, seed, Y))


def test_a_regressor_run_with_a_callable_oracle_is_unchanged():
    targets = X[:, 0] * 3.0
    final = al.run(X, lambda i: targets[i], Ridge(), "random", n_init=4, batch_size=4, max_iter=2, random_state=0)
    assert [r.n_labeled for r in final.history] == [4, 8, 12]


def test_a_budget_below_the_grown_initial_set_ends_the_run_after_the_first_fit():
    seed = next(
        s
        for s in SEEDS
        if al.init_step(X, person, 4, s).n_labeled > 6  # grown past the budget below
    )
    states = list(al.trace(X, person, LogisticRegression(), "margin", n_init=4, budget=6, random_state=seed))
    assert len(states) == 1 and states[0].n_labeled > 6


def test_redrawn_initial_refuses_a_forged_count():
    final = al.run(X, person, LogisticRegression(), "margin", n_init=4, batch_size=5, max_iter=1, random_state=0)
    forged = final.history.with_info({"initial_extra_draws": 10**6})
    with pytest.raises(ValueError, match="initial_extra_draws"):
        redrawn_initial(forged, len(X))


def test_replay_verifies_a_grown_initial_set():
    seed = next(s for s in SEEDS if al.init_step(X, person, 4, s).n_labeled > 4)
    final = al.run(X, person, LogisticRegression(), "margin", n_init=4, batch_size=5, max_iter=2, random_state=seed)
    again = al.replay(final.history, X, None, LogisticRegression(), verify=True)
    assert again.history.records == final.history.records
