"""MaxHerding: the lazy greedy pass against a brute-force one, the reference sample, the peer's picks."""

from __future__ import annotations

import numpy as np
import pytest
from batch_support import duplicated_pools
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_blobs

import alfunc as al
from alfunc.strategies import STRATEGIES, maxherding, needs_classifier, needs_features, selects_batch
from alfunc.testing import check_strategy


def brute_force(X, labeled, candidates, k, bandwidth, normalize):
    """Plain greedy coverage gain over the full candidate x candidate kernel (small pools only)."""
    Z = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-300) if normalize else X
    Z = np.where(np.linalg.norm(X, axis=1, keepdims=True) > 0, Z, 0.0) if normalize else Z
    K = np.exp(-((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2) / (2 * bandwidth**2))
    covered = K[np.ix_(candidates, labeled)].max(axis=1) if len(labeled) else np.zeros(len(candidates))
    picks, gains = [], []
    for _ in range(k):
        gain = np.maximum(K[np.ix_(candidates, candidates)] - covered[None, :], 0).mean(axis=1)
        gain[[list(candidates).index(p) for p in picks]] = -1
        best = int(np.argmax(gain))
        picks.append(int(candidates[best]))
        gains.append(gain[best])
        covered = np.maximum(covered, K[candidates, candidates[best]])
    return picks, np.array(gains)


@pytest.mark.parametrize("normalize", [True, False])
def test_the_lazy_pass_picks_what_plain_greedy_picks(normalize):
    X, _ = make_blobs(n_samples=70, centers=4, n_features=3, random_state=2)
    labeled = np.array([0, 5, 9])
    state = al.ALState(labeled=labeled, labels=[0, 0, 0], n_pool=70, history=al.History(seed=1))
    strategy = maxherding(bandwidth=0.7 if normalize else 2.0, normalize=normalize)
    indices, gains = al.select(state, X, strategy, 8, return_utilities=True)
    expected, expected_gains = brute_force(X, labeled, state.unlabeled(), 8, 0.7 if normalize else 2.0, normalize)
    assert indices.tolist() == expected
    np.testing.assert_allclose(gains, expected_gains, rtol=1e-10)
    assert (np.diff(gains) <= 1e-15).all()  # coverage gains only shrink


def test_a_hand_worked_line():
    # bandwidth 0.5, no normalisation; 0 is labeled (it covers 0.1 almost fully and the rest not at all).
    # Group {5, 5.1, 5.2} gains about 3 x (0.96..1) / 6, group {9, 9.1} about 2 / 6: the middle of the larger
    # group first, then the other group. The gain of 5.1 sums k(5.1, x) over the 6 candidates, less what 0
    # covers already (0.1 only; everything else is e^-50 or less from 0).
    X = np.array([[0.0], [0.1], [5.0], [5.1], [5.2], [9.0], [9.1]])
    state = al.ALState(labeled=[0], labels=[0], n_pool=7, history=al.History(seed=0))
    indices, gains = al.select(state, X, maxherding(bandwidth=0.5, normalize=False), 2, return_utilities=True)
    assert indices.tolist() == [3, 5] or indices.tolist() == [3, 6]
    kernel = lambda a, b: np.exp(-((a - b) ** 2) / 0.5)  # noqa: E731
    first = (kernel(5.1, 5.0) + 1 + kernel(5.1, 5.2) + (kernel(5.1, 0.1) - kernel(0.0, 0.1)).clip(0)) / 6
    np.testing.assert_allclose(gains[0], first + (kernel(5.1, 9.0) + kernel(5.1, 9.1)) / 6, rtol=1e-9)


def test_maxherding_needs_no_model_and_is_registered():
    strategy = STRATEGIES["maxherding"]
    assert strategy.__name__ == "maxherding" and selects_batch(strategy) and needs_features(strategy)
    assert not needs_classifier(strategy)
    X, y = make_blobs(n_samples=50, centers=3, random_state=0)
    state = al.init_step(X, y, n_init=2, random_state=0)  # never fitted
    assert len(set(al.select(state, X, "maxherding", 5).tolist())) == 5


@settings(max_examples=30, deadline=None)
@given(duplicated_pools(min_size=5), st.integers(1, 9), st.integers(0, 2**32 - 1), st.integers(1, 8))
def test_maxherding_does_not_depend_on_the_chunk_size(pool, chunk_rows, seed, k):
    X, y = pool
    state = al.init_step(X, y, 2, random_state=seed)
    expected = al.select(state, X, maxherding(normalize=False), k, return_utilities=True)
    got = al.select(state, X, maxherding(normalize=False, chunk_rows=chunk_rows), k, return_utilities=True)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


def test_the_reference_sample_bounds_the_work_and_follows_the_seed():
    X, y = make_blobs(n_samples=400, centers=5, random_state=0)
    state = al.init_step(X, y, n_init=10, random_state=0)
    small = maxherding(n_reference=50)
    indices, gains = al.select(state, X, small, 10, return_utilities=True)
    assert len(set(indices.tolist())) == 10 and (gains >= 0).all()
    np.testing.assert_array_equal(al.select(state, X, small, 10), indices)  # seeded
    other = al.ALState(state.labeled, state.labels, state.n_pool, al.History(seed=99))
    full = al.select(state, X, maxherding(n_reference=400), 10)
    assert not np.array_equal(al.select(other, X, small, 10), indices) or not np.array_equal(full, indices)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"bandwidth": 0}, ValueError),
        ({"bandwidth": float("inf")}, ValueError),
        ({"normalize": 1}, TypeError),
        ({"n_reference": 0}, ValueError),
        ({"chunk_rows": -1}, ValueError),
    ],
)
def test_bad_arguments_are_refused(kwargs, error):
    with pytest.raises(error):
        maxherding(**kwargs)


def test_maxherding_passes_check_strategy():
    check_strategy(maxherding(bandwidth=2.0, normalize=False, n_reference=5, chunk_rows=2), max_examples=25)


def test_maxherding_picks_what_scikit_activeml_picks():
    """The peer's rbf kernel with gamma = 1 / (2 bandwidth^2), unit rows, every candidate as a reference."""
    pytest.importorskip("skactiveml")
    from skactiveml.pool import MaxHerding

    X, y = make_blobs(n_samples=300, centers=6, n_features=5, cluster_std=2.0, random_state=4)
    state = al.init_step(X, y, n_init=10, random_state=0)
    y_partial = np.full(len(y), np.nan)
    y_partial[state.labeled] = state.labels
    for bandwidth in (0.3, 1.0):
        ours = al.select(state, X, maxherding(bandwidth=bandwidth), 12)
        peer = MaxHerding(metric_dict={"gamma": 1 / (2 * bandwidth**2)}, random_state=0)
        assert ours.tolist() == np.asarray(peer.query(X, y_partial, batch_size=12)).tolist(), bandwidth
