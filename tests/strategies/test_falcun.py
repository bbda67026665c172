"""FALCUN: probability-space diversity worked out by hand, Gumbel draws that sample in proportion, the peer's picks."""

from __future__ import annotations

import numpy as np
import pytest
from batch_support import Fixed, hand_state
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

import alfunc as al
from alfunc.strategies import STRATEGIES, falcun, needs_features, needs_proba, selects_batch
from alfunc.strategies.falcun import margin_uncertainty
from alfunc.testing import CentroidClassifier, check_strategy

# rows are ids into this table of probabilities: 0 and 1 are labeled; candidates a, b (a tie, identical),
# c (a little surer), d (sure)
TABLE = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.5, 0.5], [0.6, 0.4], [0.9, 0.1]])
X_IDS = np.arange(6.0).reshape(-1, 1)


def table_state(seed=0):
    model = Fixed(predict_proba=lambda X: TABLE[X[:, 0].astype(int)])
    state = hand_state(6, [0, 1], [0, 1], model)
    return al.ALState(state.labeled, state.labels, 6, al.History(seed), model=model)


def test_margin_uncertainty_is_one_minus_the_top_two_gap():
    assert margin_uncertainty(TABLE).round(6).tolist() == [0.0, 0.0, 1.0, 1.0, 0.8, 0.2]
    assert margin_uncertainty(np.ones((2, 1))).tolist() == [0.0, 0.0]


def test_a_large_gamma_takes_the_most_relevant_candidate_each_round_as_worked_out_by_hand():
    # round 0: relevance 2u = (2, 2, 1.6, 0.4): a or b (a tie).
    # round 1 (say a was picked): L1 distances to a: b 0, c 0.2, d 0.8; min with u: b 0, c 0.2, d 0.2;
    #   scaled to [0, 1] over the candidates: b 0, c 1, d 1; relevance u + d: b 1, c 1.8, d 1.2 -> c.
    # round 2: distances to c: b 0.2, d 0.6; min: b 0, d 0.6; scaled: d 1; relevance b 1, d 1.2 -> d.
    for seed in range(6):
        indices, chances = al.select(table_state(seed), X_IDS, falcun(gamma=200), 3, return_utilities=True)
        assert indices[0] in (2, 3) and indices[1:].tolist() == [4, 5], seed
        np.testing.assert_allclose(chances, [0.5, 1.0, 1.0], atol=1e-12)  # a and b tie: half a chance each
    # margin alone would take both copies of the tie
    assert sorted(al.select(table_state(), X_IDS, "margin", 2).tolist()) == [2, 3]


def test_draws_follow_the_relevance_and_gamma_zero_is_uniform():
    firsts = np.array([al.select(table_state(seed), X_IDS, falcun(gamma=1), 1)[0] for seed in range(600)])
    share = np.bincount(firsts, minlength=6)[2:] / firsts.size
    np.testing.assert_allclose(share, np.array([2.0, 2.0, 1.6, 0.4]) / 6.0, atol=0.06)
    uniform = np.array([al.select(table_state(seed), X_IDS, falcun(gamma=0), 1)[0] for seed in range(600)])
    np.testing.assert_allclose(np.bincount(uniform, minlength=6)[2:] / 600, 0.25, atol=0.06)
    _, chances = al.select(table_state(0), X_IDS, falcun(gamma=1), 4, return_utilities=True)
    first, last = int(al.select(table_state(0), X_IDS, falcun(gamma=1), 1)[0]), chances[-1]
    assert np.isclose(chances[0], {2: 2.0, 3: 2.0, 4: 1.6, 5: 0.4}[first] / 6.0) and np.isclose(last, 1.0)


def test_falcun_is_registered_marked_and_seeded():
    strategy = STRATEGIES["falcun"]
    assert strategy.__name__ == "falcun" and selects_batch(strategy) and needs_proba(strategy)
    assert not needs_features(strategy)
    X, y = make_blobs(n_samples=80, centers=3, random_state=1)
    # CentroidClassifier scores each row alone (LogisticRegression's BLAS may round by chunk)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, CentroidClassifier(temperature=20.0))
    expected = al.select(state, X, "falcun", 6, return_utilities=True)
    for chunk_rows in (1, 7):
        got = al.select(state, X, falcun(chunk_rows=chunk_rows), 6, return_utilities=True)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("gamma", [-1, float("nan"), float("inf"), "10", True])
def test_bad_gamma_is_refused(gamma):
    with pytest.raises(ValueError, match="gamma must be a finite number >= 0"):
        falcun(gamma=gamma)


def test_bad_chunk_rows_and_a_model_without_probabilities_are_refused():
    with pytest.raises(ValueError, match="chunk_rows"):
        falcun(chunk_rows=0)
    X, y = make_blobs(n_samples=30, centers=2, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LinearSVC())
    with pytest.raises(TypeError, match="'falcun' needs predict_proba.*LinearSVC"):
        al.select(state, X, "falcun", 3)


def test_falcun_passes_check_strategy():
    check_strategy(falcun(gamma=3.0, chunk_rows=2), max_examples=25)


def test_falcun_picks_what_scikit_activeml_picks_when_the_draws_are_all_but_sure():
    """gamma = 1000: each draw is the most relevant candidate unless two are within a fraction of a percent.

    Both implementations then pick alike, except where two relevances nearly tie (both draw there).
    """
    pytest.importorskip("skactiveml")
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.pool import Falcun

    agree = 0
    for data_seed in range(4):
        X, y = make_blobs(n_samples=150, centers=4, cluster_std=2.0, random_state=data_seed)
        state = al.fit_step(al.init_step(X, y, n_init=12, random_state=0), X, LogisticRegression(max_iter=1000))
        y_partial = np.full(len(y), np.nan)
        y_partial[state.labeled] = state.labels
        peer = SklearnClassifier(LogisticRegression(max_iter=1000), classes=state.model.classes_).fit(X, y_partial)
        np.testing.assert_allclose(peer.predict_proba(X), state.model.predict_proba(X), atol=1e-8)
        ours = al.select(state, X, falcun(gamma=1000), 10)
        theirs = np.asarray(Falcun(gamma=1000, random_state=0).query(X, y_partial, peer, fit_clf=False, batch_size=10))
        agree += int((ours == theirs).sum())
        if data_seed == 2:  # no near ties here: the same batch, in the same order
            assert ours.tolist() == theirs.tolist()
    assert agree >= 36, agree
