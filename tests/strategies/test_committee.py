"""Hand-checked cases for the committee strategies and committee sources."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.core.context import Context
from alfunc.core.state import ALState, History
from alfunc.strategies import (
    bagging,
    bald,
    committee_of,
    committee_variance,
    ensemble_members,
    kl_divergence,
    vote_entropy,
)
from alfunc.strategies.committee import member_probabilities


class Member:
    """A fitted stand-in with fixed answers."""

    def __init__(self, predictions=None, proba=None, classes=(0, 1, 2)):
        self.predictions, self.proba, self.classes_ = predictions, proba, np.asarray(classes)

    def predict(self, X):
        return np.asarray(self.predictions)

    def predict_proba(self, X):
        return np.asarray(self.proba, dtype=float)


def context_with_labels(labels, n_pool=6, X=None):
    labeled = np.arange(len(labels))
    state = ALState(labeled=labeled, labels=np.asarray(labels), n_pool=n_pool, history=History(7))
    X = np.zeros((n_pool, 2)) if X is None else X
    candidates = np.arange(len(labels), n_pool)
    return Context(state, X, candidates, 1), X[candidates]


def fixed(*members):
    return lambda model, context: members


def test_vote_entropy_is_the_entropy_of_the_vote_fractions():
    context, rows = context_with_labels([0, 1, 2])
    committee = fixed(Member([0, 0, 1]), Member([0, 1, 2]), Member([0, 1, 0]))
    utilities = vote_entropy(committee)(None, rows, context)
    third = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3))
    np.testing.assert_allclose(utilities, [0.0, third, math.log(3)])


def test_kl_divergence_and_bald_agree_with_the_hand_computed_value():
    context, rows = context_with_labels([0, 1], n_pool=4)
    committee = fixed(
        Member(proba=[[1.0, 0.0], [0.2, 0.8]], classes=(0, 1)), Member(proba=[[0.5, 0.5], [0.2, 0.8]], classes=(0, 1))
    )
    expected = (math.log(1 / 0.75) + 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)) / 2
    np.testing.assert_allclose(kl_divergence(committee)(None, rows, context), [expected, 0.0], atol=1e-12)
    np.testing.assert_allclose(bald(committee)(None, rows, context), [expected, 0.0], atol=1e-12)


def test_member_columns_are_aligned_by_label_or_by_encoded_position():
    classes = np.array(["a", "b", "c"])
    subset = Member(proba=[[0.3, 0.7]], classes=("a", "c"))
    encoded = Member(proba=[[0.1, 0.2, 0.7]], classes=(0.0, 1.0, 2.0))
    np.testing.assert_allclose(
        member_probabilities((subset, encoded), None, classes)[:, 0], [[0.3, 0, 0.7], [0.1, 0.2, 0.7]]
    )


def test_committee_variance_is_the_variance_of_the_predictions():
    context, rows = context_with_labels([0.5, 1.5], n_pool=4)
    committee = fixed(Member([1.0, 2.0]), Member([3.0, 2.0]))
    np.testing.assert_allclose(committee_variance(committee)(None, rows, context), [1.0, 0.0])


X, Y = make_classification(n_samples=40, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=1)


def fitted_state(estimator, seed=0):
    return al.fit_step(al.init_step(X, Y, 9, random_state=seed), X, estimator)


def test_bagging_members_see_every_class_and_are_seeded_by_the_selection():
    state = fitted_state(GaussianNB())
    context = Context(state, X, state.unlabeled(), 1)
    members = bagging(4)(state.model, context)
    assert len(members) == 4
    assert all(np.array_equal(member.classes_, np.unique(state.labels)) for member in members)
    again = bagging(4)(state.model, context)
    assert all(np.array_equal(a.theta_, b.theta_) for a, b in zip(members, again, strict=True))
    other = bagging(4)(state.model, Context(state, X, state.unlabeled(), 2))
    assert not all(np.array_equal(a.theta_, b.theta_) for a, b in zip(members, other, strict=True))


def test_a_committee_source_fits_once_per_selection_and_refits_when_the_inputs_change():
    state = fitted_state(GaussianNB())
    source = bagging(3)
    first_chunk, second_chunk = Context(state, X, state.unlabeled()[:5], 1), Context(state, X, state.unlabeled()[5:], 1)
    assert source(state.model, first_chunk) is source(state.model, second_chunk)
    moved = X + 1.0
    refitted = source(state.model, Context(state, moved, state.unlabeled(), 1))
    assert not np.allclose(refitted[0].theta_, source(state.model, first_chunk)[0].theta_)


def test_committee_of_fits_each_estimator_on_the_labeled_set():
    state = fitted_state(GaussianNB())
    members = committee_of([GaussianNB(), LogisticRegression(solver="newton-cg")])(
        state.model, Context(state, X, state.unlabeled(), 1)
    )
    assert [type(m).__name__ for m in members] == ["GaussianNB", "LogisticRegression"]
    np.testing.assert_array_equal(members[0].theta_, state.model.theta_)


def test_ensemble_members_reads_a_fitted_forest_and_rejects_other_models():
    forest = fitted_state(RandomForestClassifier(n_estimators=4, random_state=0))
    context = Context(forest, X, forest.unlabeled(), 1)
    assert len(ensemble_members()(forest.model, context)) == 4
    utilities = bald()(forest.model, X[forest.unlabeled()], context)
    assert utilities.shape == (forest.n_unlabeled,) and (utilities >= -1e-12).all()
    plain = fitted_state(GaussianNB())
    with pytest.raises(TypeError, match="estimators_"):
        al.select(plain, X, "bald", 3)


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: bagging(1), ValueError),
        (lambda: bagging(2.5), TypeError),
        (lambda: bagging(3, estimator="tree"), TypeError),
        (lambda: committee_of([GaussianNB()]), TypeError),
        (lambda: committee_of([GaussianNB(), "svm"]), TypeError),
        (lambda: vote_entropy([GaussianNB()]), TypeError),
    ],
)
def test_bad_committees_are_rejected_when_the_strategy_is_built(make, error):
    with pytest.raises(error):
        make()
