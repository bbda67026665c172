"""The nearest-neighbour index (alfunc.core.neighbours): exact answers, bounded chunks, optional backends, errors."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial.distance import cdist

import alfunc as al
from alfunc.core import neighbours


def brute_force(X: np.ndarray, queries: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """kNN by a full distance matrix, ties by the lower index (what the exact backend promises)."""
    distances = cdist(queries, X, metric=metric)
    order = np.lexsort((np.broadcast_to(np.arange(X.shape[0]), distances.shape), distances), axis=1)[:, :k]
    return order, np.take_along_axis(distances, order, axis=1)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_the_exact_index_equals_brute_force_knn(metric):
    X = np.random.default_rng(0).normal(size=(700, 6))
    queries = np.arange(0, 700, 7)
    indices, distances = al.neighbour_index(X, metric=metric).query(queries, 9)
    expected, expected_distances = brute_force(X, X[queries], 9, metric)
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_allclose(distances, expected_distances, atol=1e-12)


def test_the_exact_index_answers_the_same_in_tiny_chunks(monkeypatch):
    X = np.random.default_rng(1).normal(size=(300, 4))
    X[150:160] = X[5]  # duplicates: ties broken by the lower index, whatever the blocks
    queries = np.array([5, 0, 299, 155])
    whole = al.neighbour_index(X).query(queries, 15)
    monkeypatch.setattr(neighbours, "WORKING_ELEMENTS", 16)  # blocks of 4 rows
    monkeypatch.setattr(neighbours, "QUERY_CHUNK", 1)
    chunked = al.neighbour_index(X).query(queries, 15)
    np.testing.assert_array_equal(chunked[0], whole[0])
    np.testing.assert_array_equal(chunked[1], whole[1])
    np.testing.assert_array_equal(whole[0][0, :11], [5, *range(150, 160)])  # the duplicates, lowest index first
    np.testing.assert_array_equal(whole[0], brute_force(X, X[queries], 15, "euclidean")[0])


def test_queries_by_rows_equal_queries_by_indices_and_inputs_stay_unchanged():
    X = np.random.default_rng(2).normal(size=(200, 3)).astype(np.float32)
    before = X.copy()
    index = al.neighbour_index(X)
    by_index = index.query(np.array([3, 40]), 5)
    by_rows = index.query(X[[3, 40]], 5)
    np.testing.assert_array_equal(by_index[0], by_rows[0])
    np.testing.assert_array_equal(X, before)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        index.n_points = 3  # type: ignore[misc]


def test_a_memmap_and_a_sparse_matrix_are_indexed_like_the_dense_array(tmp_path):
    X = np.random.default_rng(3).normal(size=(120, 5))
    path = tmp_path / "pool.npy"
    np.save(path, X)
    expected = al.neighbour_index(X).query(np.arange(10), 4)[0]
    np.testing.assert_array_equal(al.neighbour_index(np.load(path, mmap_mode="r")).query(np.arange(10), 4)[0], expected)
    np.testing.assert_array_equal(al.neighbour_index(sp.csr_matrix(X)).query(np.arange(10), 4)[0], expected)


def test_the_ivf_index_is_exact_when_every_cell_is_probed_and_close_otherwise():
    X = np.random.default_rng(4).normal(size=(2000, 8))
    queries = np.arange(0, 2000, 20)
    exact = al.neighbour_index(X).query(queries, 10)[0]
    every = al.neighbour_index(X, backend="ivf", random_state=0, options={"n_cells": 16, "n_probe": 16})
    np.testing.assert_array_equal(every.query(queries, 10)[0], exact)
    some = al.neighbour_index(X, backend="ivf", random_state=0, options={"n_cells": 16, "n_probe": 4})
    found = some.query(queries, 10)[0]
    recall = np.mean([np.intersect1d(a, b).size / 10 for a, b in zip(found, exact, strict=True)])
    assert recall > 0.7, recall
    assert np.mean(found[:, 0] == queries) > 0.95  # a point is found in its own cell
    again = al.neighbour_index(X, backend="ivf", random_state=0, options={"n_cells": 16, "n_probe": 4})
    np.testing.assert_array_equal(again.query(queries, 10)[0], found)  # seeded build: reproducible


def test_pynndescent_backend_finds_the_exact_neighbours_of_a_small_pool():
    pytest.importorskip("pynndescent")
    X = np.random.default_rng(5).normal(size=(500, 4))
    approx = al.neighbour_index(X, backend="pynndescent", random_state=0).query(np.arange(50), 5)[0]
    exact = al.neighbour_index(X).query(np.arange(50), 5)[0]
    assert np.mean([np.intersect1d(a, b).size / 5 for a, b in zip(approx, exact, strict=True)]) > 0.9


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda X: al.neighbour_index(X, backend="faiss"), ValueError, "backend must be one of"),
        (lambda X: al.neighbour_index(X, metric="manhattan"), ValueError, "metric must be one of"),
        (lambda X: al.neighbour_index(X[:, 0]), ValueError, "features must be a 2-D numeric array"),
        (lambda X: al.neighbour_index(np.array([["a"], ["b"]])), ValueError, "features must be a 2-D numeric"),
        (lambda X: al.neighbour_index(np.full((3, 2), np.nan)), ValueError, "features must be finite"),
        (lambda X: al.neighbour_index(X, random_state=1.5), TypeError, "random_state must be an int"),
        (lambda X: al.neighbour_index(X, options=3), TypeError, "options must be a mapping"),
        (lambda X: al.neighbour_index(X, options={"n_probe": 2}), ValueError, "options: the exact backend"),
        (lambda X: al.neighbour_index(X, backend="ivf", options={"probes": 2}), ValueError, "options: the ivf"),
        (lambda X: al.neighbour_index(X).query(np.array([0]), 0), ValueError, "n_neighbours must be an int >= 1"),
        (lambda X: al.neighbour_index(X).query(np.array([0]), 2.0), TypeError, "n_neighbours must be an int"),
        (lambda X: al.neighbour_index(X).query(np.array([0]), 11), ValueError, "n_neighbours must be at most"),
        (lambda X: al.neighbour_index(X).query(np.array([10]), 1), ValueError, "rows_or_indices must be pool"),
        (lambda X: al.neighbour_index(X).query(np.array([0.5]), 1), TypeError, "rows_or_indices as a 1-D"),
        (lambda X: al.neighbour_index(X).query(np.zeros((1, 3)), 1), ValueError, "numeric rows of width 2"),
    ],
)
def test_bad_arguments_are_refused_naming_them(call, error, message):
    X = np.random.default_rng(6).normal(size=(10, 2))
    with pytest.raises(error, match=message):
        call(X)
