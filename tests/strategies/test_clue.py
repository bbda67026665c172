"""CLUE: entropy-weighted centres worked out by hand, the weighting that moves them, the peer's picks."""

from __future__ import annotations

import numpy as np
import pytest
from batch_support import Fixed, hand_state
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.strategies import STRATEGIES, clue, kmeans, needs_features, needs_proba, selects_batch
from alfunc.strategies.clue import proba_uncertainty
from alfunc.testing import CentroidClassifier, check_strategy


def entropy(p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.nansum(p * np.log(p), axis=1)


def three_blobs():
    """Three tight, far-apart blobs of 7 points on a line each; the model is unsure to the right of each blob."""
    offsets = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    X = np.concatenate([offsets + 10.0 * blob for blob in range(3)]).reshape(-1, 1)
    # class probabilities: sure at a blob's left end, a coin flip at its right end
    right = (X[:, 0] % 10.0) / 0.6
    proba = np.column_stack([1.0 - 0.5 * right, 0.5 * right])
    model = Fixed(predict_proba=lambda rows: proba[np.searchsorted(X[:, 0], rows[:, 0])])
    return X, proba, model


def test_uncertainty_kinds_match_their_definitions():
    p = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(proba_uncertainty(p, "entropy"), entropy(p))
    np.testing.assert_allclose(proba_uncertainty(p, "least_confident"), [0.5, 0.0])
    np.testing.assert_allclose(proba_uncertainty(p, "margin"), [0.8, 0.0])


def test_each_pick_is_the_point_nearest_its_blobs_entropy_weighted_mean():
    X, proba, model = three_blobs()
    state = hand_state(len(X), [0], [0], model)  # the left end of blob 0 is labeled
    candidates = state.unlabeled()
    indices, mass = al.select(state, X, "clue", 3, return_utilities=True)
    w = entropy(proba)
    expected, masses = set(), []
    for blob in range(3):
        rows = candidates[(X[candidates, 0] // 10) == blob]
        centre = (w[rows] * X[rows, 0]).sum() / w[rows].sum()
        expected.add(int(rows[np.argmin(np.abs(X[rows, 0] - centre))]))
        masses.append(w[rows].sum())
    assert set(indices.tolist()) == expected
    np.testing.assert_allclose(mass, sorted(masses, reverse=True), rtol=1e-9)
    # unweighted k-means takes each blob's middle instead: the weights pull the picks to the unsure side
    plain = al.select(state, X, kmeans, 3)
    assert (X[indices, 0] % 10).mean() > (X[plain, 0] % 10).mean()


def test_clue_is_registered_marked_seeded_and_chunk_free():
    strategy = STRATEGIES["clue"]
    assert (
        strategy.__name__ == "clue" and selects_batch(strategy) and needs_features(strategy) and needs_proba(strategy)
    )
    X, y = make_blobs(n_samples=80, centers=3, random_state=1)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, CentroidClassifier(temperature=20.0))
    expected = al.select(state, X, "clue", 5, return_utilities=True)
    for chunk_rows in (1, 9):
        got = al.select(state, X, clue(chunk_rows=chunk_rows), 5, return_utilities=True)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])
    embeddings = np.hstack([X, X**2])
    assert len(set(al.select(state, X, "clue", 5, representation=embeddings).tolist())) == 5


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="uncertainty must be one of"):
        clue("bald")
    with pytest.raises(TypeError, match="chunk_rows"):
        clue(chunk_rows=1.5)


def test_clue_passes_check_strategy():
    check_strategy(clue("margin", chunk_rows=2), max_examples=25)


def test_clue_picks_what_scikit_activeml_picks_on_separated_blobs():
    """Where k-means finds the same clusters from any start, the nearest points to the weighted centres agree."""
    pytest.importorskip("skactiveml")
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.pool import Clue

    X, y = make_blobs(n_samples=200, centers=[[0, 0], [20, 0], [0, 20], [20, 20]], cluster_std=1.5, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=12, random_state=0), X, LogisticRegression(max_iter=1000))
    y_partial = np.full(len(y), np.nan)
    y_partial[state.labeled] = state.labels
    peer = SklearnClassifier(LogisticRegression(max_iter=1000), classes=state.model.classes_).fit(X, y_partial)
    np.testing.assert_allclose(peer.predict_proba(X), state.model.predict_proba(X), atol=1e-8)
    ours = al.select(state, X, "clue", 4)
    theirs = Clue(random_state=0).query(X, y_partial, peer, fit_estimator=False, batch_size=4)
    assert sorted(ours.tolist()) == sorted(np.asarray(theirs).tolist())
