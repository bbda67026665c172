"""Core properties of the committee, density, EER, regression and algebra strategies.

Every strategy, run through ``run``/``select``: the labeled set and the rest
partition the pool, nothing is labeled twice, batches have the asked size, the
same seed gives the same run, and utility strategies choose the same batch
whatever the chunk size.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.strategies import (
    bagging,
    bald,
    committee_of,
    committee_variance,
    dwus,
    ensemble_members,
    exp3,
    expected_error_reduction,
    information_density,
    kl_divergence,
    mix,
    rank_product,
    selects_batch,
    vote_entropy,
    weighted,
)

X_CLS, Y_CLS = make_classification(
    n_samples=36, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=0
)
X_REG, Y_REG = make_regression(n_samples=36, n_features=3, noise=5.0, random_state=0)
LOGISTIC = LogisticRegression(max_iter=500, solver="newton-cg")
NAIVE_BAYES = GaussianNB()  # fits in ~2 ms: keeps the committee and EER tests fast
FOREST = RandomForestClassifier(n_estimators=5, random_state=0)

CLASSIFIER_CASES = {
    "vote_entropy": ("vote_entropy", NAIVE_BAYES),
    "kl_divergence": ("kl_divergence", NAIVE_BAYES),
    "bald": ("bald", FOREST),
    "information_density": ("information_density", LOGISTIC),
    "dwus": ("dwus", LOGISTIC),
    "eer_log_loss": (expected_error_reduction("log_loss", n_candidates=4, n_evaluation=8), NAIVE_BAYES),
    "eer_zero_one": (expected_error_reduction("zero_one", n_candidates=4), NAIVE_BAYES),
    "vote_entropy_list": (vote_entropy(committee_of([LOGISTIC, GaussianNB()])), LOGISTIC),
    "kl_forest": (kl_divergence(ensemble_members()), FOREST),
    "bald_bagging": (bald(bagging(3)), NAIVE_BAYES),
    "information_density_beta": (information_density(beta=2.0, n_reference=10), LOGISTIC),
    "dwus_sample": (dwus(n_reference=10), LOGISTIC),
    "mix": (mix(0.5, "margin", "random"), LOGISTIC),
    "exp3": (exp3(["margin", "random", "information_density"], reward="train_score"), LOGISTIC),
    "weighted": (weighted(margin=0.7, information_density=0.3), LOGISTIC),
    "rank_product": (rank_product("margin", "entropy", "dwus"), LOGISTIC),
}
REGRESSOR_CASES = {
    "committee_variance": ("committee_variance", Ridge()),
    "committee_variance_forest": (
        committee_variance(ensemble_members()),
        RandomForestRegressor(n_estimators=5, random_state=0),
    ),
}
CASES = {name: (strategy, estimator, X_CLS, Y_CLS) for name, (strategy, estimator) in CLASSIFIER_CASES.items()} | {
    name: (strategy, estimator, X_REG, Y_REG) for name, (strategy, estimator) in REGRESSOR_CASES.items()
}


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch_size=st.integers(1, 7), n_init=st.integers(4, 8))
def test_runs_partition_the_pool_without_duplicates_and_replay_bit_for_bit(case, seed, batch_size, n_init):
    strategy, estimator, X, y = CASES[case]
    kwargs = dict(
        strategy=strategy, n_init=n_init, batch_size=batch_size, budget=n_init + 2 * batch_size + 1, random_state=seed
    )
    final = al.run(X, y, estimator, **kwargs)

    labeled = final.labeled
    assert np.unique(labeled).size == labeled.size == n_init + 2 * batch_size + 1
    unlabeled = final.unlabeled()
    assert np.intersect1d(labeled, unlabeled).size == 0
    assert np.array_equal(np.sort(np.concatenate([labeled, unlabeled])), np.arange(X.shape[0]))
    assert [len(record.queried) for record in final.history] == [n_init, batch_size, batch_size, 1]
    assert np.array_equal(final.labels, y[labeled])
    assert final == al.run(X, y, estimator, **kwargs)


UTILITY_CASES = sorted(
    name for name, (strategy, *_) in CASES.items() if not selects_batch(al.strategies.resolve_strategy(strategy)[1])
)


@pytest.mark.parametrize("case", UTILITY_CASES)
def test_utility_strategies_choose_the_same_batch_for_every_chunk_size(case):
    strategy, estimator, X, y = CASES[case]
    state = al.fit_step(
        al.query_step(al.fit_step(al.init_step(X, y, 6, random_state=3), X, estimator), X, y, "random", 4), X, estimator
    )
    whole = al.select(state, X, strategy, 5, return_utilities=True)
    for chunk_size in (1, 7):
        chunked = al.select(state, X, strategy, 5, chunk_size=chunk_size, return_utilities=True)
        np.testing.assert_array_equal(chunked[0], whole[0])
        np.testing.assert_allclose(chunked[1], whole[1], rtol=1e-12)


def test_every_committee_density_eer_and_regression_name_is_registered():
    names = {
        "vote_entropy",
        "kl_divergence",
        "bald",
        "information_density",
        "dwus",
        "eer_log_loss",
        "eer_zero_one",
        "committee_variance",
    }
    assert names <= set(al.STRATEGIES)
    assert all(al.STRATEGIES[name].__name__ for name in names)


def test_run_rejects_a_classifier_for_a_regression_strategy_and_the_reverse():
    with pytest.raises(TypeError, match="needs a regressor"):
        al.run(X_CLS, Y_CLS, LOGISTIC, strategy="committee_variance", budget=12)
    with pytest.raises(TypeError, match="needs a classifier"):
        al.run(X_REG, Y_REG, Ridge(), strategy="vote_entropy", budget=12)
    with pytest.raises(TypeError, match="needs a classifier"):
        al.run(X_REG, Y_REG, Ridge(), strategy=weighted(margin=1.0, random=1.0), budget=12)
