"""The chunked exact kNN and ball counts of alfunc.core.knn against plain brute force, for any block size."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial.distance import cdist

from alfunc.core.knn import distance_blocks, k_nearest, radius_counts

RNG = np.random.default_rng(3)
QUERIES = RNG.standard_normal((37, 4))
REFERENCES = RNG.standard_normal((53, 4))
BLOCKS = [1, 7 * 53, 10**9]  # one row per block, 7 rows per block, everything at once


@pytest.mark.parametrize("block_elements", BLOCKS)
def test_k_nearest_matches_a_full_distance_matrix_for_every_block_size(block_elements):
    full = cdist(QUERIES, REFERENCES)
    distances, indices = k_nearest(QUERIES, REFERENCES, 5, block_elements=block_elements)
    expected = np.argsort(full, axis=1, kind="stable")[:, :5]
    assert np.array_equal(indices, expected)
    np.testing.assert_allclose(distances, np.take_along_axis(full, expected, axis=1), rtol=0, atol=1e-12)


def test_a_row_finds_itself_first_at_exactly_zero_even_far_from_the_origin():
    rows = 1e6 + RNG.standard_normal((20, 3))  # the expansion alone would leave rounding noise here
    distances, indices = k_nearest(rows, rows, 2)
    assert np.array_equal(indices[:, 0], np.arange(20)) and (distances[:, 0] == 0).all()


@pytest.mark.parametrize("block_elements", BLOCKS)
def test_radius_counts_match_brute_force_including_distances_exactly_on_the_radius(block_elements):
    grid = np.array([[float(i), float(j)] for i in range(6) for j in range(6)])  # many distances exactly 1 and 2
    weights = RNG.random(grid.shape[0])
    for radius in (1.0, 2.0, 1.5):
        expected = (cdist(grid, grid) <= radius) @ weights
        counts = radius_counts(grid, grid, radius, weights=weights, block_elements=block_elements)
        np.testing.assert_allclose(counts, expected, rtol=1e-12)


def test_sparse_rows_give_the_dense_answers():
    dense_q, dense_r = np.where(QUERIES > 0.5, QUERIES, 0.0), np.where(REFERENCES > 0.5, REFERENCES, 0.0)
    sparse_q, sparse_r = sp.csr_matrix(dense_q), sp.csr_matrix(dense_r)
    d_dense, i_dense = k_nearest(dense_q, dense_r, 3)
    d_sparse, i_sparse = k_nearest(sparse_q, sparse_r, 3)
    np.testing.assert_allclose(d_sparse, d_dense, atol=1e-12)
    assert np.array_equal(
        radius_counts(sparse_q, sparse_r, 1.0), (cdist(dense_q, dense_r) <= 1.0).sum(axis=1).astype(float)
    )


def test_distance_blocks_never_hold_more_than_the_budget():
    shapes = [block.shape for _, block in distance_blocks(QUERIES, REFERENCES, block_elements=3 * 53)]
    assert all(rows <= 3 and columns == 53 for rows, columns in shapes)
    assert sum(rows for rows, _ in shapes) == QUERIES.shape[0]


@pytest.mark.parametrize("k", [0, 54, 2.0, True])
def test_k_must_be_a_count_of_references(k):
    with pytest.raises(ValueError, match="k must be an integer in \\[1, 53\\]"):
        k_nearest(QUERIES, REFERENCES, k)
