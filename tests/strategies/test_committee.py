"""Hand-checked cases for the committee strategies and committee sources."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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
from alfunc.strategies.committee import member_probabilities, member_votes


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


# --- class alignment: decided once per member from its classes_ ---------------------


def test_an_encoded_member_votes_by_position_even_when_its_chunk_predicts_only_label_values():
    context, rows = context_with_labels([1, 2, 3], n_pool=5)
    encoded = Member([1.0, 1.0], classes=(0.0, 1.0, 2.0))  # a forest's tree: position 1 is label 2
    labels = Member([2, 2], classes=(1, 2, 3))
    np.testing.assert_array_equal(member_votes((encoded, labels), rows, np.array([1, 2, 3])), [[1, 1], [1, 1]])
    assert vote_entropy(fixed(encoded, labels))(None, rows, context).tolist() == [0.0, 0.0]


def test_a_member_fitted_on_some_of_the_classes_votes_with_its_labels():
    classes = np.array([0, 1, 2, 5])
    subset = Member([5, 0], classes=(0, 5))
    np.testing.assert_array_equal(member_votes((subset,), None, classes), [[3, 0]])


class Unlabeled(Member):
    """A member without classes_: nothing tells what its predictions are."""

    def __getattribute__(self, name):
        if name == "classes_":
            raise AttributeError(name)
        return super().__getattribute__(name)


@pytest.mark.parametrize(
    "member, classes, message",
    [
        (Member([7, 0], classes=(0, 7)), [0, 1, 2], r"classes_ \[0, 7\], which are neither among the labeled classes"),
        (Member([0.0, 1.0], classes=(0.0, 1.0)), [1, 2, 3], r"nor their positions 0..2"),  # 2 encoded, 3 labels
        (Member([0, 4], classes=(0, 1, 2)), [0, 1, 2], r"predicted \[4\], which are not among its own classes_"),
        (Unlabeled([1.5, 0]), [0, 1, 2], r"has no classes_ and predicted \[1.5\], which are not among the labeled"),
        (Member(["b", "a"], classes=("a", "b")), [0, 1], r"classes_ \['a', 'b'\], which are neither among"),
    ],
)
def test_members_whose_classes_cannot_be_aligned_are_refused_with_a_message(member, classes, message):
    with pytest.raises(ValueError, match=message):
        member_votes((member,), None, np.array(classes))


def test_a_classifier_ensemble_of_regressors_is_refused_as_a_committee():
    from sklearn.ensemble import GradientBoostingClassifier

    state = fitted_state(GradientBoostingClassifier(n_estimators=3, random_state=0))
    with pytest.raises(TypeError, match="members of GradientBoostingClassifier are regressors"):
        al.select(state, X, vote_entropy(ensemble_members()), 3)


FOREST_OF_5 = RandomForestClassifier(n_estimators=5, random_state=0)


def forest_vote_entropy_by_hand(forest, rows):
    """The reference: decode every tree's votes through the forest's own classes_."""
    votes = np.stack([forest.classes_[tree.predict(rows).astype(np.int64)] for tree in forest.estimators_])
    fractions = np.stack([(votes == label).mean(axis=0) for label in forest.classes_], axis=1)
    return -(fractions * np.log(np.where(fractions > 0, fractions, 1.0))).sum(axis=1)


@pytest.mark.parametrize("shift", [0, 1, 10])
@pytest.mark.parametrize("chunk_size", [None, 1, 7])
def test_vote_entropy_of_forest_trees_matches_decoding_through_the_forest_classes(shift, chunk_size):
    state = al.fit_step(al.init_step(X, Y + shift, 9, random_state=0), X, RandomForestClassifier(7, random_state=0))
    idx, utilities = al.select(
        state, X, vote_entropy(ensemble_members()), state.n_unlabeled, chunk_size=chunk_size, return_utilities=True
    )
    np.testing.assert_allclose(utilities, forest_vote_entropy_by_hand(state.model, X[idx]), atol=1e-12)


RENAMINGS = {
    "0..C-1": lambda y: y,
    "1..C": lambda y: y + 1,
    "strings": lambda y: np.array(["ant", "bee", "cat", "dog"])[y],
    "spread": lambda y: np.array([-7, 3, 40, 41])[y],
}


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n_classes=st.integers(2, 4),
    absent=st.booleans(),
    chunk_size=st.integers(1, 30),
    renaming=st.sampled_from(sorted(RENAMINGS)),
)
def test_vote_entropy_is_invariant_to_renaming_the_classes_and_to_the_chunk_size(
    seed, n_classes, absent, chunk_size, renaming
):
    """Forest trees vote by class position: the labels' names, a class no labeled point has yet and the
    chunking must not change a vote entropy (nor KL divergence and BALD over the same trees)."""
    rng = np.random.default_rng(seed)
    X_pool = rng.normal(size=(30, 3))
    y = rng.integers(0, n_classes, size=30)
    init = al.init_step(X_pool, y, 8, random_state=seed)
    if absent:  # the labeled set lacks class 0: the pool still has it, the labeled set and forest do not
        y = np.where(np.isin(np.arange(30), init.labeled) & (y == 0), 1, y)
    strategies = (vote_entropy(ensemble_members()), kl_divergence(ensemble_members()), bald())
    results = {}
    for name in ("0..C-1", renaming):
        labels = RENAMINGS[name](y)
        state = al.fit_step(al.init_step(X_pool, labels, 8, random_state=seed), X_pool, FOREST_OF_5)
        for strategy in strategies:
            for chunk in (None, chunk_size):
                idx, u = al.select(state, X_pool, strategy, state.n_unlabeled, chunk_size=chunk, return_utilities=True)
                results[name, strategy.__name__, chunk] = u[np.argsort(idx)]
    for (name, strategy_name, chunk), utilities in results.items():
        np.testing.assert_allclose(
            utilities, results["0..C-1", strategy_name, None], atol=1e-12, err_msg=f"{strategy_name} {name} {chunk}"
        )


# --- KL divergence stays finite where the consensus underflows ----------------------

TINY = np.nextafter(0.0, 1.0)  # the smallest positive double: a third of it rounds to 0


def test_kl_divergence_is_finite_where_one_member_is_positive_and_the_consensus_underflows():
    context, rows = context_with_labels([0, 1], n_pool=4)
    committee = fixed(
        Member(proba=[[1.0, TINY], [0.2, 0.8]], classes=(0, 1)),
        Member(proba=[[1.0, 0.0], [0.6, 0.4]], classes=(0, 1)),
        Member(proba=[[1.0, 0.0], [0.2, 0.8]], classes=(0, 1)),
    )
    assert member_probabilities(committee(None, context), rows, np.array([0, 1]))[:, 0, 1].mean() == 0.0
    utilities = kl_divergence(committee)(None, rows, context)
    assert np.isfinite(utilities).all(), utilities
    assert utilities[0] == pytest.approx(0.0, abs=1e-300) and utilities[1] > 0
    np.testing.assert_allclose(utilities, bald(committee)(None, rows, context), atol=1e-12)


def test_kl_divergence_of_gaussian_nb_on_digits_never_returns_inf():
    """The case the issue found: a bagged GaussianNB committee on digits picked a point of utility inf."""
    from sklearn.datasets import load_digits

    digits, labels = load_digits(return_X_y=True)
    final = al.run(digits, labels, GaussianNB(), "kl_divergence", n_init=20, batch_size=10, max_iter=2, random_state=4)
    utilities = np.concatenate([record.utilities for record in final.history[1:]])
    assert np.isfinite(utilities).all() and (utilities <= math.log(5) + 1e-9).all()


def test_a_committee_member_that_cannot_fit_the_labeled_set_says_it_is_a_committee_member():
    """GaussianNB fits a single labeled class; logistic regression does not, and said so without 'committee'."""
    state = al.fit_step(al.init_step(X, Y, initial=np.flatnonzero(Y == 1)[:5]), X, GaussianNB())
    listed = vote_entropy(committee_of([GaussianNB(), LogisticRegression()]))
    with pytest.raises(ValueError, match=r"committee member LogisticRegression could not be fitted on 5 labeled rows"):
        al.select(state, X, listed, 3)
    bagged = kl_divergence(bagging(3, LogisticRegression()))
    with pytest.raises(ValueError, match=r"of 1 class\(es\) \[1\]: .*at least 2 classes"):
        al.select(state, X, bagged, 3)
