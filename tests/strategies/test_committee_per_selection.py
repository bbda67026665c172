"""Registered committee names fit their committee once per selection, whatever the chunking."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge

import alfunc as al
from alfunc.strategies import for_selection

BAGGED_NAMES = ["vote_entropy", "kl_divergence"]  # bagging(5) of the state's model
ENSEMBLE_NAMES = ["bald", "power_bald"]  # the fitted ensemble's own members


class CountingLogisticRegression(LogisticRegression):
    """Counts its fits in a list shared by its clones (``fits`` is not a parameter, so clones share it)."""

    fits: list[int] = []

    def fit(self, X, y, sample_weight=None):
        type(self).fits.append(len(y))
        return super().fit(X, y, sample_weight)


class CountingRidge(Ridge):
    fits: list[int] = []

    def fit(self, X, y, sample_weight=None):
        type(self).fits.append(len(y))
        return super().fit(X, y, sample_weight)


@pytest.fixture
def fitted():
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3, n_classes=3, random_state=1)
    model = CountingLogisticRegression(max_iter=500)
    state = al.fit_step(al.init_step(X, y, n_init=30, random_state=4), X, model)
    return X, state


@pytest.mark.parametrize("name", BAGGED_NAMES)
def test_registered_committee_is_fitted_once_for_many_chunks(fitted, name):
    X, state = fitted
    CountingLogisticRegression.fits.clear()
    al.select(state, X, name, 5, chunk_size=7)  # 90 candidates: 13 chunks
    assert len(CountingLogisticRegression.fits) == 5


@pytest.mark.parametrize("name", BAGGED_NAMES)
def test_registered_committee_batch_does_not_depend_on_chunks(fitted, name):
    X, state = fitted
    batches = {tuple(al.select(state, X, name, 6, chunk_size=size)) for size in (1, 7, state.n_pool)}
    assert len(batches) == 1


@pytest.mark.parametrize("name", ENSEMBLE_NAMES)
def test_registered_ensemble_strategies_do_not_depend_on_chunks(name):
    X, y = make_classification(n_samples=90, n_features=5, n_informative=3, n_classes=3, random_state=2)
    forest = RandomForestClassifier(n_estimators=7, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=25, random_state=1), X, forest)
    batches = {tuple(al.select(state, X, name, 6, chunk_size=size)) for size in (1, 7, state.n_pool)}
    assert len(batches) == 1


def test_committee_variance_is_fitted_once_for_many_chunks():
    X, y = make_regression(n_samples=100, n_features=4, noise=1.0, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=20, random_state=0), X, CountingRidge())
    CountingRidge.fits.clear()
    batches = {tuple(al.select(state, X, "committee_variance", 4, chunk_size=size)) for size in (1, 7, 100)}
    assert len(batches) == 1
    assert len(CountingRidge.fits) == 3 * 5  # one committee of 5 per selection, three selections


def test_registry_keeps_no_committee_between_selections(fitted):
    """Each selection gets a fresh instance: the registry's stand-in holds no fitted committee."""
    X, state = fitted
    stand_in = al.STRATEGIES["vote_entropy"]
    assert for_selection(stand_in) is not for_selection(stand_in)
    before = dict(vars(stand_in))
    al.select(state, X, "vote_entropy", 3, chunk_size=11)
    assert vars(stand_in).keys() == before.keys()
    assert all(vars(stand_in)[key] is value for key, value in before.items())


def test_stand_in_called_directly_equals_a_selection(fitted):
    X, state = fitted
    candidates = state.unlabeled()
    context = al.Context(state, X, candidates, state.next_iteration)
    direct = al.STRATEGIES["vote_entropy"](state.model, X[candidates], context)
    fresh = for_selection(al.STRATEGIES["vote_entropy"])(state.model, X[candidates], context)
    np.testing.assert_array_equal(direct, fresh)
