"""bagging(stratify=...): stratified, balanced and plain bootstraps, seeded by the selection, on imbalanced labels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin

import alfunc as al
from alfunc.strategies import bagging, vote_entropy
from alfunc.strategies.committee import bootstrap_rows
from alfunc.testing import TinyRidge


class Recorder(ClassifierMixin, BaseEstimator):
    """Remembers the rows and labels it was fitted on; predicts its majority class."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.seen_ = np.asarray(y).copy()
        self.rows_ = np.asarray(X)[:, 0].copy()
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)

    def predict_proba(self, X):
        return np.tile((self.classes_ == self.majority_).astype(float), (len(X), 1))


RARE_FIRST = np.array([2] * 2 + [0] * 20 + [1] * 6)  # an imbalanced labeled set: 20, 6 and 2


def committee(stratify, seed=0, iteration=None, labels=RARE_FIRST, n_members=8, estimator=None):
    X = np.arange(len(labels) + 5, dtype=float).reshape(-1, 1)
    y = np.concatenate([labels, np.zeros(5, dtype=labels.dtype)])
    state = al.fit_step(al.init_step(X, y, initial=np.arange(len(labels)), random_state=seed), X, Recorder())
    context = al.Context(state, X, state.unlabeled(), state.next_iteration if iteration is None else iteration)
    return bagging(n_members, estimator, stratify=stratify)(state.model, context)


def test_default_and_true_keep_every_class_size_in_every_member():
    for stratify in (None, True):
        for member in committee(stratify):
            assert np.bincount(member.seen_).tolist() == [20, 6, 2]
    default, stratified = committee(None), committee(True)
    assert all(np.array_equal(a.seen_, b.seen_) for a, b in zip(default, stratified, strict=True))


def test_balanced_draws_as_many_rows_from_every_class():
    # 28 labeled rows over 3 classes: ceil(28 / 3) = 10 from each, the two rare rows repeated
    for member in committee("balanced"):
        assert np.bincount(member.seen_).tolist() == [10, 10, 10]


def test_a_plain_bootstrap_can_miss_the_rare_class():
    members = committee(False, n_members=30)
    assert all(member.seen_.size == 28 for member in members)
    assert any(2 not in member.seen_ for member in members)  # P(miss) = (26/28)^28, about 1 in 8 per member
    assert any(not np.array_equal(np.bincount(m.seen_, minlength=3), [20, 6, 2]) for m in members)


def test_resamples_are_seeded_by_the_state_and_the_iteration():
    def seen(**where):
        return [member.rows_.tolist() for member in committee("balanced", **where)]

    first = [member.random_state for member in committee("balanced")]
    assert seen() == seen() and first == [member.random_state for member in committee("balanced")]
    assert seen() != seen(seed=1)
    assert seen() != seen(iteration=5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.integers(0, 2**32 - 1))
def test_bootstrap_rows_draw_within_each_class(labels, seed):
    y = np.array(labels)
    sizes = np.bincount(y)
    present = np.flatnonzero(sizes)
    for how in ("stratified", "balanced"):
        rows = bootstrap_rows(y, np.random.default_rng(seed), how)
        drawn = np.bincount(y[rows], minlength=sizes.size)
        expected = sizes if how == "stratified" else np.where(sizes > 0, -(-y.size // present.size), 0)
        assert drawn.tolist() == expected.tolist()
    plain = bootstrap_rows(y, np.random.default_rng(seed), "plain")
    assert plain.size == y.size and ((0 <= plain) & (plain < y.size)).all()


def test_a_balanced_committee_selects_on_an_imbalanced_pool():
    X = np.vstack([np.random.default_rng(0).normal(size=(90, 2)), np.random.default_rng(1).normal(3, 1, size=(10, 2))])
    y = np.array([0] * 90 + [1] * 10)
    from sklearn.linear_model import LogisticRegression

    state = al.fit_step(al.init_step(X, y, n_init=20, random_state=0), X, LogisticRegression())
    strategy = vote_entropy(bagging(5, stratify="balanced"))
    batch = al.select(state, X, strategy, 5)
    assert np.array_equal(batch, al.select(state, X, vote_entropy(bagging(5, stratify="balanced")), 5))


def test_stratifying_a_regressor_is_refused_when_fitted_and_bad_values_up_front():
    X = np.arange(10.0).reshape(-1, 1)
    y = np.arange(10.0)
    state = al.fit_step(al.init_step(X, y, n_init=5, random_state=0), X, TinyRidge())
    context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    assert len(bagging(3)(state.model, context)) == 3  # default: plain for a regressor
    for stratify in (True, "balanced"):
        with pytest.raises(TypeError, match="resamples within classes, but TinyRidge is not a classifier"):
            bagging(3, stratify=stratify)(state.model, context)
    for bad in ("yes", 1, "stratified"):
        with pytest.raises(ValueError, match="stratify must be None, True, False or 'balanced'"):
            bagging(3, stratify=bad)
