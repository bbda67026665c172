"""EPIG: checked against an explicit per-target computation, bounded by BALD, seeded targets, chunk-free batches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.strategies import STRATEGIES, bagging, epig, needs_ensemble, selects_batch
from alfunc.strategies.epig import expected_predictive_information_gain
from alfunc.testing import check_strategy


def explicit_epig(proba, target_proba):
    """For each candidate and target: the C x C joint as a mean of outer products, then sum J log(J / (p p*))."""
    values = []
    for i in range(proba.shape[1]):
        total = 0.0
        for t in range(target_proba.shape[1]):
            joint = np.mean([np.outer(proba[k, i], target_proba[k, t]) for k in range(proba.shape[0])], axis=0)
            outer = np.outer(joint.sum(axis=1), joint.sum(axis=0))
            total += sum(j * np.log(j / o) for j, o in zip(joint.ravel(), outer.ravel(), strict=True) if j > 0)
        values.append(total / target_proba.shape[1])
    return np.array(values)


def test_hand_checked_tiny_case():
    # Two members. Candidate: member 0 says [1, 0], member 1 says [0, 1]. Target: member 0 [0.8, 0.2], member 1
    # [0.2, 0.8]. Joint = 0.5 [[0.8, 0.2], [0, 0]] + 0.5 [[0, 0], [0.2, 0.8]] = [[0.4, 0.1], [0.1, 0.4]];
    # marginals [0.5, 0.5] both: I = 2 (0.4 ln 1.6 + 0.1 ln 0.4).
    proba = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])
    target = np.array([[[0.8, 0.2]], [[0.2, 0.8]]])
    by_hand = 2 * (0.4 * np.log(1.6) + 0.1 * np.log(0.4))
    np.testing.assert_allclose(expected_predictive_information_gain(proba, target), [by_hand])


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 4), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_matches_the_explicit_computation_and_lies_between_zero_and_bald(n, n_targets, n_members, n_classes, seed):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.full(n_classes, 0.5), size=(n_members, n))
    target = rng.dirichlet(np.full(n_classes, 0.5), size=(n_members, n_targets))
    got = expected_predictive_information_gain(proba, target)
    np.testing.assert_allclose(got, explicit_epig(proba, target), atol=1e-12)
    mean = proba.mean(axis=0)
    bald = -(mean * np.log(mean)).sum(axis=1) + (proba * np.log(proba)).sum(axis=2).mean(axis=0)
    assert (got >= 0).all() and (got <= bald + 1e-12).all()  # y* depends on y only through the member


@pytest.fixture(scope="module")
def forest_state():
    X, y = make_classification(n_samples=200, n_features=5, n_classes=3, n_informative=3, random_state=4)
    forest = RandomForestClassifier(n_estimators=6, max_depth=4, random_state=0)
    return X, al.fit_step(al.init_step(X, y, n_init=15, random_state=0), X, forest)


def test_select_utilities_use_a_seeded_sample_of_the_unlabeled_pool(forest_state):
    X, state = forest_state
    members = state.model.estimators_
    proba = np.stack([tree.predict_proba(X) for tree in members])
    indices, utilities = al.select(state, X, epig(n_targets=400), state.n_unlabeled, return_utilities=True)
    everyone = state.unlabeled()  # 185 unlabeled < 400: every unlabeled point is a target
    np.testing.assert_allclose(utilities, explicit_epig(proba[:, indices], proba[:, everyone]), atol=1e-12)
    sampled = al.select(state, X, epig(n_targets=20), 5, return_utilities=True)
    assert not np.allclose(sampled[1], utilities[:5])  # a sample of 20 gives other values
    again = al.select(state, X, epig(n_targets=20), 5, return_utilities=True)
    np.testing.assert_array_equal(sampled[0], again[0])
    other_seed = al.ALState(state.labeled, state.labels, state.n_pool, al.History(1), model=state.model)
    assert not np.array_equal(al.select(other_seed, X, epig(n_targets=20), 5, return_utilities=True)[1], sampled[1])


def test_given_targets_are_used_as_they_are(forest_state):
    X, state = forest_state
    targets = X[:7] + 0.5
    proba = np.stack([tree.predict_proba(X) for tree in state.model.estimators_])
    target_proba = np.stack([tree.predict_proba(targets) for tree in state.model.estimators_])
    indices, utilities = al.select(state, X, epig(targets=targets), 10, return_utilities=True)
    np.testing.assert_allclose(utilities, explicit_epig(proba[:, indices], target_proba), atol=1e-12)


@pytest.mark.parametrize("strategy", [epig(), epig(n_targets=5)])
def test_the_batch_is_the_same_for_chunk_sizes_one_seven_and_the_pool(forest_state, strategy):
    X, state = forest_state
    expected = al.select(state, X, strategy, 10, return_utilities=True)
    for chunk_size in (1, 7, len(X)):
        got = al.select(state, X, strategy, 10, chunk_size=chunk_size, return_utilities=True)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)


def test_with_a_bagged_committee_on_a_linear_model_and_check_strategy():
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, LogisticRegression())
    assert al.select(state, X, epig(bagging(3)), 4).size == 4
    check_strategy(epig(bagging(3), n_targets=3), max_examples=10)
    check_strategy(epig(n_targets=2), max_examples=20)


def test_registered_marked_and_named():
    assert STRATEGIES["epig"].__name__ == "epig" and needs_ensemble(STRATEGIES["epig"])
    assert not selects_batch(STRATEGIES["epig"]) and not needs_ensemble(epig(bagging(3)))
    assert epig(n_targets=5).__name__ == "epig(n_targets=5)"
    assert epig(targets=np.zeros((2, 2))).__name__ == "epig(targets=...)"


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"n_targets": 0}, ValueError, "n_targets must be an int >= 1, got 0"),
        ({"n_targets": 1.5}, TypeError, "n_targets must be an int >= 1"),
        ({"targets": np.zeros((0, 3))}, ValueError, "targets must hold at least one row"),
        ({"committee": 5}, TypeError, "estimators must be a list"),
    ],
)
def test_bad_parameters_are_refused_up_front(arguments, error, message):
    with pytest.raises(error, match=message):
        epig(**arguments)
