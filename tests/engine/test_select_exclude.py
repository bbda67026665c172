"""select(..., exclude=): excluded points are never chosen, the rest is ranked as without them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import alfunc as al

X, Y = load_iris(return_X_y=True)
STATE = al.fit_step(al.init_step(X, Y, n_init=10, random_state=0), X, LogisticRegression(max_iter=500))


@settings(max_examples=25, deadline=None)
@given(
    excluded=st.lists(st.integers(0, len(X) - 1), max_size=60),
    strategy=st.sampled_from(["margin", "entropy", "random", "k_center_greedy", "kmeans"]),
    chunk=st.sampled_from([1, 7, None]),
    k=st.integers(1, 12),
)
def test_excluded_points_are_never_chosen_and_chunks_do_not_matter(excluded, strategy, chunk, k):
    chosen = al.select(STATE, X, strategy, k, exclude=excluded, chunk_size=chunk)
    free = np.setdiff1d(STATE.unlabeled(), excluded)
    assert chosen.size == min(k, free.size) == np.unique(chosen).size
    assert np.isin(chosen, free).all()
    assert (chosen == al.select(STATE, X, strategy, k, exclude=excluded)).all()


@settings(max_examples=25, deadline=None)
@given(excluded=st.lists(st.integers(0, len(X) - 1), max_size=60), k=st.integers(1, 12))
def test_a_utility_strategy_ranks_the_others_as_without_exclusion(excluded, k):
    everything, utilities = al.select(STATE, X, "margin", len(X), return_utilities=True)
    kept = ~np.isin(everything, excluded)
    chosen, chosen_utilities = al.select(STATE, X, "margin", k, exclude=excluded, return_utilities=True)
    assert chosen.tolist() == everything[kept][:k].tolist()
    assert chosen_utilities.tolist() == utilities[kept][:k].tolist()


def test_exclude_is_checked_before_any_work():
    with pytest.raises(ValueError, match=r"exclude must hold pool indices in \[0, 150\)"):
        al.select(STATE, X, "margin", 3, exclude=[150])
    with pytest.raises(TypeError, match="exclude must be a 1-D array of integer pool indices"):
        al.select(STATE, X, "margin", 3, exclude=["a"])
    with pytest.raises(ValueError, match="exclude leaves no candidates"):
        al.select(STATE, X, "margin", 3, exclude=STATE.unlabeled())


def test_a_batch_strategy_returning_an_excluded_point_is_refused():
    from alfunc.strategies import batch_strategy

    @batch_strategy
    def stubborn(model, X, context, k):
        return context.state.unlabeled()[:k], np.zeros(k)

    first = STATE.unlabeled()[:1]
    with pytest.raises(ValueError, match="excluded"):
        al.select(STATE, X, stubborn, 2, exclude=first)
