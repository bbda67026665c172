"""Hand-checked cases for weighted, rank_product, mix and the EXP3 bandit."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.core.state import ALState, History
from alfunc.strategies import exp3, mix, rank_product, weighted
from alfunc.strategies.bandit import arm_probabilities, replay_plays

POOL = np.array([[0.0, 10.0], [1.0, 30.0], [2.0, 25.0], [3.0, 0.0], [9.0, 9.0]])
STATE = ALState(labeled=[4], labels=[0], n_pool=5, history=History(11))


def first_feature(model, X, context):
    return X[:, 0]


def second_feature(model, X, context):
    return X[:, 1]


def test_weighted_adds_min_max_normalised_utilities_over_the_whole_pool():
    chosen, utilities = al.select(
        STATE, POOL, weighted({first_feature: 0.7, second_feature: 0.3}), 4, return_utilities=True
    )
    np.testing.assert_array_equal(chosen, [2, 3, 1, 0])
    np.testing.assert_allclose(utilities, [0.7 * 2 / 3 + 0.3 * 5 / 6, 0.7, 0.7 / 3 + 0.3, 0.3 / 3])


def test_rank_product_is_the_geometric_mean_of_normalised_ranks():
    chosen, utilities = al.select(STATE, POOL, rank_product(first_feature, second_feature), 4, return_utilities=True)
    np.testing.assert_array_equal(chosen, [2, 1, 3, 0])
    np.testing.assert_allclose(utilities, np.sqrt(np.array([9, 8, 4, 2]) / 16))


def test_combinators_are_named_by_their_parts_and_check_their_arguments():
    assert weighted(margin=0.7, entropy=0.3).__name__ == "weighted(margin=0.7,entropy=0.3)"
    assert weighted(margin=1).needs_classifier and not hasattr(weighted({first_feature: 1}), "needs_classifier")
    with pytest.raises(ValueError, match="weight"):
        weighted(margin=-0.5)
    with pytest.raises(ValueError, match="positive"):
        weighted(margin=0)
    with pytest.raises(ValueError, match="unknown strategy"):
        weighted(marginn=1)
    with pytest.raises(TypeError, match="batch strategy"):
        rank_product(weighted(margin=1), "entropy")
    with pytest.raises(ValueError, match="two"):
        rank_product("margin")
    with pytest.raises(ValueError, match="probability"):
        mix(1.5, "margin", "random")


def test_mix_uses_one_part_per_selection_with_probability_p():
    always_first = al.select(STATE, POOL, mix(1.0, first_feature, second_feature), 2)
    never_first = al.select(STATE, POOL, mix(0.0, first_feature, second_feature), 2)
    np.testing.assert_array_equal(always_first, al.select(STATE, POOL, first_feature, 2))
    np.testing.assert_array_equal(never_first, al.select(STATE, POOL, second_feature, 2))
    half = mix(0.5, first_feature, second_feature)
    picks = [
        tuple(al.select(ALState(labeled=[4], labels=[0], n_pool=5, history=History(seed)), POOL, half, 2))
        for seed in range(60)
    ]
    share = sum(pick == (3, 2) for pick in picks) / len(picks)
    assert 0.3 < share < 0.7 and set(picks) == {(3, 2), (1, 2)}


def test_exp3_probabilities_match_the_hand_computed_update():
    np.testing.assert_allclose(arm_probabilities(3, 0.1, []), np.full(3, 1 / 3))
    first = 0.9 * math.exp(0.1) / (math.exp(0.1) + 1) + 0.05  # one reward of 1 for arm 0 played at p = 1/2
    np.testing.assert_allclose(arm_probabilities(2, 0.1, [(0, 0.5, 1.0)]), [first, 1 - first])


X, Y = make_classification(n_samples=60, n_features=4, n_informative=3, n_redundant=0, n_classes=2, random_state=2)


def test_exp3_plays_are_recomputed_from_the_history_alone():
    arms = ["margin", "random"]
    bandit = exp3(arms, gamma=0.5)
    states = list(
        al.trace(
            X[:40],
            Y[:40],
            GaussianNB(),
            bandit,
            n_init=6,
            batch_size=4,
            budget=30,
            X_test=X[40:],
            y_test=Y[40:],
            random_state=4,
        )
    )
    plays = replay_plays(states[-1].history, bandit.__name__, 2, 0.5, "test_score")
    assert len(plays) == len(states) - 1
    for (before, after), (arm, probability, reward) in zip(pairwise(states), plays, strict=True):
        np.testing.assert_array_equal(after.history[-1].queried, al.select(before, X[:40], arms[arm], 4))
        assert 0 < probability < 1 and 0 <= reward <= 1
    assert {arm for arm, _, _ in plays} == {0, 1}


def test_exp3_without_the_reward_score_says_how_to_get_it():
    with pytest.raises(ValueError, match="X_test"):
        al.run(X, Y, GaussianNB(), exp3(["margin", "random"]), n_init=6, batch_size=4, budget=20)
    with pytest.raises(ValueError, match="two"):
        exp3(["margin"])
    with pytest.raises(ValueError, match="gamma"):
        exp3(["margin", "random"], gamma=0)


def test_factories_take_numpy_numbers_as_python_ones():
    from alfunc.strategies import exp3, information_density, margin, mix, random, weighted

    assert callable(mix(np.float32(0.5), margin, random))
    assert callable(weighted({"margin": np.int64(2), "random": np.float32(1.0)}))
    assert callable(exp3([margin, random], gamma=np.float32(0.2)))
    assert callable(information_density(beta=np.int64(1)))
