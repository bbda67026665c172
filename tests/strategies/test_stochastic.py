"""Stochastic batches: draw frequencies match the paper's distributions, batches are seeded and chunk-free."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

import alfunc as al
from alfunc.strategies import STRATEGIES, entropy, margin, needs_classifier, selects_batch, stochastic
from alfunc.testing import check_strategy

SCORES = np.array([0.1, 0.5, 1.0, 2.0])  # the utilities of candidates 0..3; rows 4, 5 are labeled
X_SCORED = np.concatenate([SCORES, [0.0, 0.0]]).reshape(-1, 1)


def first_column(model, X, context):
    """The utility is the row's only value."""
    return np.asarray(X, dtype=float)[:, 0]


def expected_probabilities(mode, beta):
    """The paper's sampling distributions, written out for the four scores."""
    if mode == "power":
        weights = SCORES**beta
    elif mode == "softmax":
        weights = np.exp(beta * SCORES)
    else:
        ranks = np.array([4.0, 3.0, 2.0, 1.0])  # SCORES ascend: candidate 3 has rank 1
        weights = ranks**-beta
    return weights / weights.sum()


def state_with_seed(seed, X=X_SCORED):
    return al.ALState(np.array([4, 5]), np.array([0, 1]), len(X), al.History(seed))


@pytest.mark.parametrize(("mode", "beta"), [("power", 1.0), ("power", 2.0), ("softmax", 1.5), ("softrank", 1.0)])
def test_first_picks_follow_the_papers_distribution(mode, beta):
    strategy = stochastic(first_column, mode, beta)
    n = 3000
    firsts = np.array([al.select(state_with_seed(seed), X_SCORED, strategy, 1)[0] for seed in range(n)])
    frequencies = np.bincount(firsts, minlength=4) / n
    np.testing.assert_allclose(frequencies, expected_probabilities(mode, beta), atol=0.03)


def test_pairs_follow_sampling_without_replacement():
    """P(first = i, second = j) = p_i p_j / (1 - p_i) (Plackett-Luce): what Gumbel-top-k draws."""
    strategy = stochastic(first_column, "softmax", 1.0)
    p = expected_probabilities("softmax", 1.0)
    n = 3000
    pairs = [tuple(al.select(state_with_seed(seed), X_SCORED, strategy, 2)) for seed in range(n)]
    for i, j in [(3, 2), (2, 3), (3, 0), (1, 3)]:
        observed = sum(pair == (i, j) for pair in pairs) / n
        assert abs(observed - p[i] * p[j] / (1 - p[i])) < 0.03, (i, j, observed)


@pytest.fixture(scope="module")
def fitted():
    X, y = make_classification(n_samples=300, n_features=5, n_classes=3, n_informative=3, random_state=1)
    return X, al.fit_step(al.init_step(X, y, n_init=12, random_state=0), X, LogisticRegression(max_iter=500))


@pytest.mark.parametrize("mode", ["power", "softmax", "softrank"])
def test_the_batch_is_the_same_for_chunk_sizes_one_seven_and_the_pool(fitted, mode):
    X, state = fitted
    strategy = stochastic("entropy", mode)
    expected = al.select(state, X, strategy, 20, return_utilities=True)
    for chunk_size in (1, 7, len(X)):
        got = al.select(state, X, strategy, 20, chunk_size=chunk_size, return_utilities=True)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)  # BLAS: the model's last bit, not the noise


def test_batches_are_seeded_draws_not_the_top_k(fitted):
    X, state = fitted
    top = set(al.select(state, X, "margin", 20).tolist())
    batches = []
    for seed in range(5):
        seeded = al.ALState(state.labeled, state.labels, state.n_pool, al.History(seed), model=state.model)
        batch = al.select(seeded, X, "power_margin", 20)
        assert np.array_equal(batch, al.select(seeded, X, "power_margin", 20))
        batches.append(frozenset(batch.tolist()))
    assert len(set(batches)) == 5 and all(batch != top for batch in batches)
    assert np.mean([len(batch & top) for batch in batches]) > 20 * 20 / state.n_unlabeled  # favours high scores


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.01, 100.0), min_size=3, max_size=12),
    st.integers(0, 2**32 - 1),
    st.integers(1, 5),
    st.floats(0.1, 5.0),
)
def test_softrank_depends_only_on_the_order_of_the_scores(scores, seed, k, beta):
    X = np.concatenate([scores, [0.0]]).reshape(-1, 1)
    state = al.ALState(np.array([len(scores)]), np.array([0]), len(X), al.History(seed))
    plain = al.select(state, X, stochastic(first_column, "softrank", beta), k)
    squashed = al.select(state, np.log(X + 1.0), stochastic(first_column, "softrank", beta), k)
    np.testing.assert_array_equal(plain, squashed)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 10.0), st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_equal_scores_give_the_same_uniform_draw_in_every_mode(score, seed, k):
    X = np.full((8, 1), score)
    state = al.ALState(np.array([0]), np.array([0]), 8, al.History(seed))
    batches = [al.select(state, X, stochastic(first_column, mode), k) for mode in ("power", "softmax", "softrank")]
    assert all(np.array_equal(batch, batches[0]) for batch in batches)


def test_zero_scores_come_last_under_power_sampling():
    X = np.array([[0.0], [0.0], [0.3], [0.2], [1.0]])
    state = al.ALState(np.array([4]), np.array([0]), 5, al.History(0))
    for seed in range(20):
        state = al.ALState(np.array([4]), np.array([0]), 5, al.History(seed))
        assert sorted(al.select(state, X, stochastic(first_column, "power"), 2).tolist()) == [2, 3]


def test_registered_names_marks_and_naming():
    for name in ("power_margin", "power_entropy", "power_bald"):
        assert not selects_batch(STRATEGIES[name]) and needs_classifier(STRATEGIES[name])
    assert selects_batch(STRATEGIES["softrank_margin"])
    assert stochastic(entropy, "softmax", 2).__name__ == "stochastic(entropy,softmax,beta=2)"
    assert stochastic(first_column).__name__ == "stochastic(first_column,power,beta=1)"


def test_softmax_sampling_passes_check_strategy():
    check_strategy(stochastic(margin, "softmax", 3.0), max_examples=30)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (("margin", "gumbel"), ValueError, "mode must be one of"),
        (("margin", None), ValueError, "mode must be one of"),
        (("margin", "power", 0), ValueError, "beta must be a finite number > 0, got 0"),
        (("margin", "power", -1.0), ValueError, "beta must be a finite number > 0"),
        (("margin", "power", float("inf")), ValueError, "beta must be a finite number > 0"),
        (("margin", "power", float("nan")), ValueError, "beta must be a finite number > 0"),
        (("margin", "power", "1"), ValueError, "beta must be a finite number > 0"),
        (("margin", "power", True), ValueError, "beta must be a finite number > 0"),
        (("kmeans",), TypeError, "'kmeans' is a batch strategy"),
        (("no_such_strategy",), ValueError, "unknown strategy"),
        ((3,), TypeError, "strategy must be a utility strategy"),
    ],
)
def test_bad_arguments_are_refused_up_front(arguments, error, message):
    with pytest.raises(error, match=message):
        stochastic(*arguments)


def test_power_sampling_refuses_negative_scores_naming_the_strategy():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=8, random_state=0), X, LinearSVC())  # margin = -|decision|
    with pytest.raises(ValueError, match="mode='power' needs scores >= 0, but 'margin' gave"):
        al.select(state, X, stochastic("margin", "power"), 3)
    assert al.select(state, X, stochastic("margin", "softmax"), 3).size == 3


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.integers(-5, 5).map(float), st.just(-np.inf)), min_size=1, max_size=80),
    st.floats(0.1, 4.0),
)
def test_softrank_keys_are_minus_beta_log_of_scipy_min_ranks(scores, beta):
    from scipy.stats import rankdata

    from alfunc.strategies.stochastic import softrank_keys

    scores = np.array(scores)
    expected = np.where(scores > -np.inf, -beta * np.log(rankdata(-scores, method="min")), -np.inf)
    np.testing.assert_array_equal(softrank_keys(scores, beta), expected)
