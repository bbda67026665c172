"""Uncertainty strategies on hand-computed probability rows, including zeros."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import LinearSVC

import alfunc as al
from alfunc.strategies import (
    entropy,
    least_confident,
    margin,
    needs_classifier,
    needs_ensemble,
    needs_regressor,
    resolve_strategy,
)


class FixedProba:
    """A stand-in fitted model whose predict_proba returns the given rows."""

    def __init__(self, proba):
        self.proba = np.asarray(proba, dtype=float)

    def predict_proba(self, X):
        return self.proba[np.asarray(X, dtype=int).ravel()]


PROBA = [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.6, 0.3, 0.1], [1 / 3, 1 / 3, 1 / 3]]
ROWS = np.arange(4).reshape(-1, 1)


def test_least_confident_by_hand():
    assert np.allclose(least_confident(FixedProba(PROBA), ROWS, None), [0.0, 0.5, 0.4, 2 / 3])


def test_margin_by_hand():
    assert np.allclose(margin(FixedProba(PROBA), ROWS, None), [0.0, 1.0, 0.7, 1.0])


def test_entropy_by_hand_treats_zero_probabilities_as_zero_terms():
    expected = [0.0, np.log(2), -(0.6 * np.log(0.6) + 0.3 * np.log(0.3) + 0.1 * np.log(0.1)), np.log(3)]
    with np.errstate(all="raise"):
        utilities = entropy(FixedProba(PROBA), ROWS, None)
    assert np.allclose(utilities, expected)
    assert np.isfinite(utilities).all()


def test_uncertainty_strategies_rank_the_confident_row_last():
    for strategy in (least_confident, margin, entropy):
        assert np.argmin(strategy(FixedProba(PROBA), ROWS, None)) == 0


def test_margin_uses_decision_function_when_there_is_no_predict_proba():
    X = np.array([[0.0], [0.1], [2.0], [3.0], [-2.0], [-3.0]])
    y = np.array([0, 0, 1, 1, 0, 1])
    model = LinearSVC().fit(X, y)
    utilities = margin(model, X, None)
    assert np.allclose(utilities, -np.abs(model.decision_function(X)))


def test_entropy_without_predict_proba_is_a_clear_type_error():
    model = LinearSVC().fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(TypeError, match="predict_proba"):
        entropy(model, [[0.5]], None)


def test_breaking_ties_is_margin_and_names_resolve():
    assert al.STRATEGIES["breaking_ties"] is al.STRATEGIES["margin"]
    assert resolve_strategy("entropy") == ("entropy", entropy)
    assert resolve_strategy(margin) == ("margin", margin)
    with pytest.raises(ValueError, match="unknown strategy 'magin'"):
        resolve_strategy("magin")


def constant(model, rows, context):
    """Every candidate ties."""
    return np.zeros(rows.shape[0])


def test_ties_are_broken_by_the_seed_not_by_index_order():
    X = np.zeros((100, 1))
    y = np.arange(100) % 2
    first_picks = set()
    for seed in range(20):
        state = al.init_step(X, y, 2, seed)
        first_picks.add(tuple(al.select(state, X, constant, 5)))
    assert len(first_picks) == 20
    picks = np.concatenate([np.array(p) for p in first_picks])
    assert picks.min() < 20 and picks.max() > 80, "ties favour one end of the pool"


def test_random_strategy_is_uniform_over_the_pool():
    X = np.zeros((50, 1))
    y = np.arange(50) % 2
    counts = np.zeros(50)
    for seed in range(400):
        state = al.init_step(X, y, 1, seed)
        chosen = al.select(state, X, "random", 5)
        counts[chosen] += 1
    # each unlabeled point is picked with probability 5/49 per run: ~40.8 of 400 runs
    assert counts.min() > 15 and counts.max() < 70


def test_combined_strategies_inherit_every_model_need_of_their_parts():
    from alfunc.strategies import filter_then, gsy, k_center_greedy, rank_product, weighted

    assert needs_regressor(filter_then(al.STRATEGIES["committee_variance"], 3, gsy))
    assert needs_ensemble(weighted(bald=0.5, margin=0.5)) and needs_classifier(rank_product("bald", "margin"))
    plain = filter_then(al.STRATEGIES["random"], 2, k_center_greedy)
    assert not (needs_classifier(plain) or needs_regressor(plain) or needs_ensemble(plain))
