"""CLUE's and DropQuery's k-means, bounded by design: a seeded sample beyond kmeans_rows, the same batch whatever the chunking."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

import alfunc as al
import alfunc.strategies.centres as centres
from alfunc.core.representation import stored_features
from alfunc.strategies.centres import centre_picks, kmeans_rows
from alfunc.testing import check_strategy


class CountingKMeans(KMeans):
    """KMeans that records how many rows each fit saw."""

    seen: list[int] = []

    def fit(self, X, y=None, sample_weight=None):
        CountingKMeans.seen.append(X.shape[0])
        return super().fit(X, y, sample_weight=sample_weight)


def blobs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])[y] + rng.normal(size=(n, 2)), y


def test_more_rows_than_the_bound_are_clustered_as_a_seeded_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centres, "KMeans", CountingKMeans)
    CountingKMeans.seen = []
    k = 3
    n = kmeans_rows(k) + 7_000
    X, _ = blobs(n)
    features, indices = stored_features(X), np.arange(n)
    tie = np.random.default_rng(1).random(n)
    positions, mass = centre_picks(features, indices, k, np.ones(n), tie, seed=5)
    assert CountingKMeans.seen == [kmeans_rows(k)]
    assert len(set(positions.tolist())) == k
    assert mass.sum() == pytest.approx(n)  # sample counts scaled to the rows they stand for
    again, _ = centre_picks(features, indices, k, np.ones(n), tie, seed=5)
    assert again.tolist() == positions.tolist()


def test_at_most_the_bound_is_clustered_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centres, "KMeans", CountingKMeans)
    CountingKMeans.seen = []
    X, _ = blobs(500)
    _, mass = centre_picks(stored_features(X), np.arange(500), 4, np.ones(500), np.zeros(500), seed=0)
    assert CountingKMeans.seen == [500] and mass.sum() == 500


@pytest.mark.parametrize("name", ["clue", "dropquery"])
def test_same_batch_whatever_the_chunk_size_beyond_the_bound(name: str) -> None:
    n = kmeans_rows(2) + 2_000
    X, y = blobs(n, seed=2)
    state = al.fit_step(al.init_step(X, y, n_init=30, random_state=0), X, LogisticRegression())
    batches = [al.select(state, X, name, 2, chunk_size=size) for size in (4_999, 7_001, n)]
    assert all(batch.tolist() == batches[0].tolist() for batch in batches[1:])
    assert not state.labeled_mask()[batches[0]].any()


@pytest.mark.parametrize("name", ["clue", "dropquery"])
def test_strategy_contract(name: str) -> None:
    check_strategy(name, max_examples=10)
