"""BAIT: the Woodbury-updated forward-backward pass against dense Fisher matrices, the memory bound, the MLP layer."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.svm import LinearSVC

import alfunc as al
from alfunc.core.representation import model_features
from alfunc.strategies import STRATEGIES, bait, needs_features, needs_proba, selects_batch
from alfunc.testing import CentroidClassifier, check_strategy


def fisher(p, h):
    """The last layer's Fisher information at one point, written out: (diag p - p p^T) kron h h^T."""
    return np.kron(np.diag(p) - np.outer(p, p), np.outer(h, h))


def dense_bait(P, H, labeled, candidates, k, lam=1.0, oversample=2):
    """BAIT with explicit (C d) x (C d) inverses: forward to oversample x k, backward to k."""
    n_labeled, dim = len(labeled), P.shape[1] * H.shape[1]
    pool = np.concatenate([labeled, candidates])
    F = sum(fisher(P[i], H[i]) for i in pool) / len(pool)
    M = lam * np.eye(dim) + sum((fisher(P[i], H[i]) for i in labeled), np.zeros((dim, dim))) / (n_labeled + k)
    scale = k / (n_labeled + k)
    trace = lambda matrix: np.trace(np.linalg.inv(matrix) @ F)  # noqa: E731
    chosen, decrease = [], {}
    for _ in range(min(oversample * k, len(candidates))):
        now = trace(M)
        after = {int(i): trace(M + scale * fisher(P[i], H[i])) for i in candidates if i not in chosen}
        best = min(after, key=after.get)
        chosen.append(best)
        decrease[best] = now - after[best]
        M = M + scale * fisher(P[best], H[best])
    while len(chosen) > k:
        after = {i: trace(M - scale * fisher(P[i], H[i])) for i in chosen}
        worst = min(after, key=after.get)
        chosen.remove(worst)
        M = M - scale * fisher(P[worst], H[worst])
    return chosen, np.array([decrease[i] for i in chosen])


@pytest.mark.parametrize(("n_classes", "lam"), [(2, 1.0), (3, 1.0), (3, 0.05)])
def test_bait_matches_the_dense_forward_backward_pass(n_classes, lam):
    X, y = make_blobs(n_samples=40, centers=n_classes, n_features=2, cluster_std=2.5, random_state=n_classes)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    P = state.model.predict_proba(X)
    for k in (1, 3, 5):
        indices, decrease = al.select(state, X, bait(lam=lam), k, return_utilities=True)
        expected, expected_decrease = dense_bait(P, X, state.labeled, state.unlabeled(), k, lam)
        assert indices.tolist() == expected, k
        np.testing.assert_allclose(decrease, expected_decrease, rtol=1e-7, atol=1e-12)


def test_the_backward_pass_changes_the_batch():
    """Pruning is not just truncation: some kept point was added after a dropped one."""
    X, y = make_blobs(n_samples=60, centers=3, n_features=2, cluster_std=3.0, random_state=7)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    P = state.model.predict_proba(X)
    forward_only, _ = dense_bait(P, X, state.labeled, state.unlabeled(), 4, oversample=1)
    pruned = al.select(state, X, "bait", 4)
    assert sorted(pruned.tolist()) != sorted(forward_only)


def test_bait_reads_an_mlps_last_hidden_layer_when_asked():
    X, y = make_blobs(n_samples=50, centers=3, n_features=4, random_state=1)
    mlp = MLPClassifier(hidden_layer_sizes=(8, 3), max_iter=2000, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=9, random_state=0), X, mlp)
    hidden = model_features(state.model, X)
    indices = al.select(state, X, "bait", 3, representation="model")
    expected, _ = dense_bait(state.model.predict_proba(X), hidden, state.labeled, state.unlabeled(), 3)
    assert indices.tolist() == expected


def test_bait_is_registered_marked_and_chunk_free():
    strategy = STRATEGIES["bait"]
    assert (
        strategy.__name__ == "bait" and selects_batch(strategy) and needs_features(strategy) and needs_proba(strategy)
    )
    X, y = make_blobs(n_samples=80, centers=3, random_state=1)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, CentroidClassifier(temperature=20.0))
    expected = al.select(state, X, "bait", 5, return_utilities=True)
    for chunk_rows in (1, 9):
        got = al.select(state, X, bait(chunk_rows=chunk_rows), 5, return_utilities=True)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


def test_too_wide_fisher_matrices_are_refused_before_any_work():
    X, y = make_blobs(n_samples=30, centers=3, n_features=6, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    with pytest.raises(ValueError, match=r"\(6 features x 3 classes\)\^2 Fisher matrices, but max_fisher_dim=17"):
        al.select(state, X, bait(max_fisher_dim=17), 3)
    assert len(al.select(state, X, bait(max_fisher_dim=18), 3)) == 3


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"lam": 0}, ValueError),
        ({"lam": "1"}, ValueError),
        ({"oversample": 0}, ValueError),
        ({"max_fisher_dim": 2.5}, TypeError),
        ({"chunk_rows": 0}, ValueError),
    ],
)
def test_bad_arguments_are_refused(kwargs, error):
    with pytest.raises(error):
        bait(**kwargs)


def test_a_model_without_probabilities_is_refused():
    X, y = make_blobs(n_samples=30, centers=2, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LinearSVC())
    with pytest.raises(TypeError, match="'bait' needs predict_proba"):
        al.select(state, X, "bait", 3)


def test_bait_passes_check_strategy():
    check_strategy(bait(lam=0.5, oversample=3, chunk_rows=2), max_examples=25)
