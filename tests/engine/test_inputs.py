"""Pools in other containers: lists, scipy sparse matrices, read-only and float32 arrays."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from pools import CentroidClassifier
from sklearn.linear_model import LogisticRegression

import alfunc as al

RNG = np.random.default_rng(1)
X = RNG.normal(size=(80, 3))
Y = (X[:, 0] + 0.3 * RNG.normal(size=80) > 0).astype(int)


def test_a_list_pool_gives_the_same_run_as_an_array():
    as_list = al.run(X.tolist(), Y.tolist(), CentroidClassifier(), "margin", n_init=6, batch_size=7)
    as_array = al.run(X, Y, CentroidClassifier(), "margin", n_init=6, batch_size=7)
    assert tuple(as_list.history) == tuple(as_array.history)  # the same records; info fingerprints the container
    assert (as_list.labeled == as_array.labeled).all()


def test_a_sparse_pool_is_queried_in_chunks_without_densifying():
    model = LogisticRegression()
    sparse = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    whole = al.run(sparse, Y, model, "entropy", n_init=6, batch_size=7, budget=40)
    by_row = al.run(sparse, Y, model, "entropy", n_init=6, batch_size=7, budget=40, chunk_size=1)
    assert whole == by_row and whole.n_labeled == 40


def test_a_read_only_float32_pool_runs_to_the_end():
    pool = X.astype(np.float32)
    pool.flags.writeable = False
    final = al.run(pool, Y, CentroidClassifier(), "least_confident", n_init=6, batch_size=10)
    assert final.n_unlabeled == 0 and pool.dtype == np.float32
