"""Hand-checked cases for information density, DWUS and expected error reduction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from alfunc.core.context import Context
from alfunc.core.state import ALState, History
from alfunc.strategies import dwus, expected_error_reduction, information_density


def ones(model, X, context):
    return np.ones(X.shape[0])


def context_for(X, labeled, labels=None):
    labels = np.zeros(len(labeled)) if labels is None else labels
    state = ALState(labeled=labeled, labels=labels, n_pool=X.shape[0], history=History(5))
    return Context(state, X, state.unlabeled(), 1)


def test_information_density_is_the_mean_shifted_cosine_similarity_to_the_unlabeled_pool():
    X = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    context = context_for(X, [3])
    density = np.array([(1 + 1 + 0.5) / 3, (1 + 1 + 0.5) / 3, (0.5 + 0.5 + 1) / 3])
    np.testing.assert_allclose(information_density(ones)(None, X[:3], context), density)
    np.testing.assert_allclose(information_density(ones, beta=2.0)(None, X[:3], context), density**2)


def test_dwus_is_a_gaussian_density_with_the_median_distance_as_bandwidth():
    X = np.array([[0.0], [1.0], [3.0]])
    context = context_for(X, [2])  # the density is over the whole pool, labeled rows included
    h2 = 2 * 2.0**2  # distances 1, 3, 2: median 2
    expected = [(1 + math.exp(-1 / h2) + math.exp(-9 / h2)) / 3, (math.exp(-1 / h2) + 1 + math.exp(-4 / h2)) / 3]
    np.testing.assert_allclose(dwus(ones)(None, X[:2], context), expected)


def test_density_reference_sample_is_seeded_and_bounded():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    context = context_for(X, [0])
    small = information_density(ones, n_reference=10)
    np.testing.assert_array_equal(small(None, X[1:], context), small(None, X[1:], context))
    assert not np.allclose(small(None, X[1:], context), information_density(ones)(None, X[1:], context))


def test_density_rejects_a_negative_base_and_bad_arguments():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="non-negative"):
        information_density(lambda m, rows, c: -np.ones(rows.shape[0]))(None, X[1:], context_for(X, [0]))
    with pytest.raises(ValueError, match="beta"):
        dwus(beta=-1.0)
    with pytest.raises(TypeError, match="n_reference"):
        information_density(n_reference=0.5)
    with pytest.raises(TypeError, match="base"):
        dwus(base="entropy")


def test_eer_with_a_class_prior_model_matches_the_hand_computed_loss():
    X = np.arange(6, dtype=float).reshape(-1, 1)
    state = ALState(
        labeled=[0, 1],
        labels=[0, 1],
        n_pool=6,
        history=History(3),
        model=DummyClassifier(strategy="prior").fit(X[:2], [0, 1]),
    )
    context = Context(state, X, state.unlabeled(), 1)
    # p(c|x) = 1/2; after adding (x, c) the prior is (2/3, 1/3) for either c
    entropy = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    np.testing.assert_allclose(expected_error_reduction("log_loss")(state.model, X[2:], context), np.full(4, -entropy))
    np.testing.assert_allclose(expected_error_reduction("zero_one")(state.model, X[2:], context), np.full(4, -1 / 3))


def test_eer_candidate_subsample_scores_exactly_n_candidates():
    X = np.arange(12, dtype=float).reshape(-1, 1)
    state = ALState(
        labeled=[0, 1],
        labels=[0, 1],
        n_pool=12,
        history=History(3),
        model=DummyClassifier(strategy="prior").fit(X[:2], [0, 1]),
    )
    utilities = expected_error_reduction(n_candidates=3, n_evaluation=4)(
        state.model, X[2:], Context(state, X, state.unlabeled(), 1)
    )
    assert np.isfinite(utilities).sum() == 3 and np.isneginf(utilities).sum() == 7


@pytest.mark.parametrize(
    "kwargs, error",
    [({"loss": "hinge"}, ValueError), ({"n_candidates": 0}, ValueError), ({"n_evaluation": 2.0}, TypeError)],
)
def test_eer_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        expected_error_reduction(**kwargs)
