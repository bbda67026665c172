"""BADGE: gradient embeddings checked by hand, k-means++ draws that are seeded, distinct and chunk-free."""

from __future__ import annotations

import numpy as np
import pytest
from batch_support import duplicated_pools, hand_state
from hypothesis import given, settings
from hypothesis import strategies as st
from scale_support import peak_extra
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.svm import LinearSVC

import alfunc as al
from alfunc.core.representation import model_features, stored_features
from alfunc.strategies import STRATEGIES, badge, needs_classifier, needs_features, selects_batch
from alfunc.strategies.badge import gradient_embeddings, last_layer_gradients, lower_to_centre
from alfunc.strategies.nearest import PoolRows
from alfunc.testing import CentroidClassifier, check_strategy


def explicit_embeddings(model, H, X):
    """g(x) = (p - onehot(argmax p)) kron [h, 1], written out row by row with np.kron."""
    proba = model.predict_proba(X)
    rows = []
    for p, h in zip(proba, H, strict=True):
        a = p.copy()
        a[np.argmax(p)] -= 1.0
        rows.append(np.kron(a, np.append(h, 1.0)))
    return np.array(rows)


def tiny_case(n_classes):
    """Three labeled corners; candidates: uncertain and near (3), far and sure (4), both moderately (5), near (6)."""
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0], [2.0, 0.1], [9.0, 0.5], [2.5, 2.5], [0.5, 0.5]])
    y = np.array([0, 1, 2]) % n_classes
    return X, hand_state(7, [0, 1, 2], y, LogisticRegression().fit(X[:3], y))


def kernel_distances(a: np.ndarray, h: np.ndarray, centre: int) -> np.ndarray:
    """BADGE's squared gradient distances from every row to row ``centre`` (``lower_to_centre`` from infinity)."""
    nearest = np.full(a.shape[0], np.inf)
    g_norms = (a * a).sum(axis=1) * ((h * h).sum(axis=1) + 1.0)
    lower_to_centre(nearest, PoolRows(stored_features(h), np.arange(a.shape[0]), step=3), a, g_norms, centre, 1e-12)
    return nearest


@pytest.mark.parametrize("n_classes", [2, 3])
def test_gradient_embeddings_and_kernel_distances_match_the_explicit_ones(n_classes):
    X, state = tiny_case(n_classes)
    g = explicit_embeddings(state.model, X, X)
    assert g.shape == (7, n_classes * 3)
    a = last_layer_gradients(state.model.predict_proba(X))
    np.testing.assert_allclose(gradient_embeddings(a, X), g, rtol=0, atol=1e-15)
    np.testing.assert_allclose(g @ g.T, (a @ a.T) * (X @ X.T + 1.0), atol=1e-12)  # the kernel identity
    for centre in range(7):
        explicit = ((g - g[centre]) ** 2).sum(axis=1)
        distances = kernel_distances(a, X, centre)
        np.testing.assert_allclose(distances, explicit, atol=1e-12)
        assert distances[centre] == 0.0


@pytest.mark.parametrize("n_classes", [2, 3])
def test_badge_first_pick_is_the_largest_gradient_and_utilities_are_the_squared_distances(n_classes):
    X, state = tiny_case(n_classes)
    g = explicit_embeddings(state.model, X, X)
    candidates = state.unlabeled()
    indices, utilities = al.select(state, X, "badge", 3, return_utilities=True)
    norms = (g[candidates] ** 2).sum(axis=1)
    a = last_layer_gradients(state.model.predict_proba(X))
    assert indices[0] == candidates[np.argmax(norms)] == 5
    assert np.argmax((X[candidates] ** 2).sum(axis=1)) != np.argmax(norms)  # not the farthest input
    if n_classes == 2:
        assert np.argmax((a[candidates] ** 2).sum(axis=1)) != np.argmax(norms)  # nor the most uncertain
    np.testing.assert_allclose(utilities[0], norms.max(), rtol=1e-12)
    for step in (1, 2):
        nearest = min(((g[indices[step]] - g[picked]) ** 2).sum() for picked in indices[:step])
        np.testing.assert_allclose(utilities[step], nearest, rtol=1e-9, atol=1e-15)


def test_badge_is_marked_and_registered():
    strategy = STRATEGIES["badge"]
    assert strategy.__name__ == "badge"
    assert selects_batch(strategy) and needs_classifier(strategy) and needs_features(strategy)
    assert badge(chunk_rows=3).__name__ == "badge(chunk_rows=3)"
    with pytest.raises(ValueError):
        badge(chunk_rows=0)


@settings(max_examples=40, deadline=None)
@given(duplicated_pools(min_size=5), st.data())
def test_badge_batches_are_distinct_unlabeled_and_hold_no_gradient_duplicate_while_a_distinct_one_remains(pool, data):
    X, y = pool
    n_init = data.draw(st.integers(1, len(y) - 1))
    seed = data.draw(st.integers(0, 2**32 - 1))
    state = al.fit_step(al.init_step(X, y, n_init, random_state=seed), X, CentroidClassifier())
    k = data.draw(st.integers(1, len(y) + 2))
    indices, utilities = al.select(state, X, "badge", k, return_utilities=True)
    assert indices.size == min(k, state.n_unlabeled) and np.unique(indices).size == indices.size
    assert not state.labeled_mask()[indices].any()
    assert np.isfinite(utilities).all() and (utilities >= 0).all()
    a = last_layer_gradients(state.model.predict_proba(X))
    g = gradient_embeddings(a, X)
    in_batch = np.unique(g[indices], axis=0).shape[0]
    if in_batch < indices.size:  # a duplicate in gradient space: only when no distinct candidate was left
        assert np.unique(g[state.unlabeled()], axis=0).shape[0] == in_batch


@settings(max_examples=30, deadline=None)
@given(duplicated_pools(min_size=5), st.integers(1, 12), st.integers(0, 2**32 - 1), st.integers(1, 10))
def test_badge_does_not_depend_on_the_chunk_size(pool, chunk_rows, seed, k):
    X, y = pool
    state = al.fit_step(al.init_step(X, y, 3, random_state=seed), X, CentroidClassifier())
    expected = al.select(state, X, "badge", k, return_utilities=True)
    chunked = al.select(state, X, badge(chunk_rows=chunk_rows), k, return_utilities=True)
    np.testing.assert_array_equal(chunked[0], expected[0])
    np.testing.assert_array_equal(chunked[1], expected[1])


def test_badge_draws_depend_on_the_seed_and_favour_far_gradients():
    X, y = make_blobs(n_samples=200, centers=4, random_state=0)
    model = LogisticRegression(max_iter=1000)
    seconds, firsts = [], set()
    for seed in range(30):
        base = al.fit_step(al.init_step(X, y, n_init=12, random_state=0), X, model)
        state = al.ALState(base.labeled, base.labels, base.n_pool, al.History(seed), model=base.model)
        indices, utilities = al.select(state, X, "badge", 2, return_utilities=True)
        firsts.add(int(indices[0]))
        seconds.append(utilities[1])
    assert len(firsts) == 1, "the first pick is the largest gradient: no randomness"
    assert len(set(np.round(seconds, 12))) > 1, "later picks are drawn"
    # a D^2-weighted draw lands far more often than a uniform one would
    a = last_layer_gradients(state.model.predict_proba(X))
    first = int(indices[0])
    all_d2 = kernel_distances(a, X, first)[state.unlabeled()]
    assert np.median(seconds) > np.median(all_d2)


def test_badge_with_an_mlp_reads_the_hidden_layer_when_asked():
    X, y = make_blobs(n_samples=60, centers=3, n_features=4, random_state=1)
    mlp = MLPClassifier(hidden_layer_sizes=(8, 3), max_iter=2000, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=9, random_state=0), X, mlp)
    candidates = state.unlabeled()
    a = last_layer_gradients(state.model.predict_proba(X))
    hidden = model_features(state.model, X)
    assert hidden.shape == (60, 3)
    for representation, H in (("model", hidden), (None, X), (X[:, :2] * 10, X[:, :2] * 10)):
        indices, utilities = al.select(state, X, "badge", 4, representation=representation, return_utilities=True)
        norms = (a[candidates] ** 2).sum(axis=1) * ((H[candidates] ** 2).sum(axis=1) + 1.0)
        assert indices[0] == candidates[np.argmax(norms)], representation
        np.testing.assert_allclose(utilities[0], norms.max())
        assert np.unique(indices).size == 4


def test_badge_refuses_a_model_without_probabilities_naming_itself():
    X, y = make_blobs(n_samples=30, centers=2, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LinearSVC())
    with pytest.raises(TypeError, match="strategy 'badge' needs predict_proba.*LinearSVC"):
        al.select(state, X, "badge", 3)


def test_badge_passes_check_strategy_with_small_chunks():
    check_strategy(badge(chunk_rows=2), max_examples=25)


def test_badge_memory_is_a_few_floats_per_candidate_never_a_copy_of_the_pool():
    def fitted(n):
        X, y = make_blobs(n_samples=n, centers=3, n_features=40, random_state=0)
        return al.fit_step(al.init_step(X, y, n_init=200, random_state=0), X, LogisticRegression()), X

    (small, X_small), (large, X_large) = fitted(20_000), fitted(200_000)
    small_peak = peak_extra(lambda: al.select(small, X_small, "badge", 10))
    large_peak = peak_extra(lambda: al.select(large, X_large, "badge", 10))
    # the gradient factors (n_classes floats), norms, distances, draws and flags: well below one row of 40 features
    assert large_peak < 2 * small_peak + 160 * X_large.shape[0], (small_peak, large_peak)
    assert large_peak < X_large.nbytes / 2
