"""A Dask pool selects the batch the same pool in memory selects, for any blocks, on a LocalCluster.

The in-memory ``select`` is the reference (its own chunk invariance is tested
against a brute-force sort in test_selection_chunks.py). Model utilities may
differ in the last bit with the number of rows per model call (BLAS), so they
are compared to 1e-12 as there; strategies computed row by row without BLAS
are compared bit for bit, ties included.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.core.facts import data_fingerprint
from alfunc.core.rows import take_rows
from alfunc.strategies import bagging, vote_entropy

distributed = pytest.importorskip("dask.distributed", reason="needs the [distributed] extra")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.distributed

N_POOL = 200
UNEVEN = (1, 50, 3, 67, 2, 77)  # sums to N_POOL


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def pool():
    X, y = make_classification(N_POOL, n_features=6, n_informative=4, random_state=0)
    state = al.fit_step(al.init_step(X, y, n_init=20, random_state=3), X, LogisticRegression())
    state = al.fit_step(al.query_step(state, X, y, "margin", 15), X, LogisticRegression())  # 35 labeled
    return X, y, state


def floored_first_feature(model, X, context):
    """A row-wise utility with many ties and no BLAS: exercises the seeded tie-break across blocks."""
    return np.floor(np.asarray(X)[:, 0])


def assert_same_batch(got, expected, exact=False):
    np.testing.assert_array_equal(got[0], expected[0])
    if exact:
        np.testing.assert_array_equal(got[1], expected[1])
    else:
        np.testing.assert_allclose(got[1], expected[1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("chunks", [2, 7, UNEVEN, N_POOL], ids=["2", "7", "uneven", "one-block"])
@pytest.mark.parametrize("strategy", ["margin", "entropy", "least_confident", "random", "power_margin"])
def test_dask_array_batch_equals_the_in_memory_batch_for_any_blocks(client, pool, chunks, strategy):
    X, _, state = pool
    exclude = np.setdiff1d(np.arange(0, N_POOL, 11), state.labeled)
    expected = al.select(state, X, strategy, 25, exclude=exclude, return_utilities=True)
    got = al.select(state, da.from_array(X, chunks=(chunks, -1)), strategy, 25, exclude=exclude, return_utilities=True)
    assert_same_batch(got, expected, exact=strategy == "random")
    assert not np.isin(got[0], np.concatenate([state.labeled, exclude])).any()


@pytest.mark.parametrize("chunks", [1, 7, UNEVEN, N_POOL], ids=["1", "7", "uneven", "one-block"])
def test_ties_are_broken_by_the_same_seeded_hash_whatever_the_blocks(client, pool, chunks):
    X, _, state = pool
    expected = al.select(state, X, floored_first_feature, 40, return_utilities=True)
    assert np.unique(expected[1]).size < 10  # mostly ties: the hash decides
    got = al.select(state, da.from_array(X, chunks=(chunks, 3)), floored_first_feature, 40, return_utilities=True)
    assert_same_batch(got, expected, exact=True)


@pytest.mark.parametrize("chunk_size", [1, 5, None])
def test_chunk_size_within_a_block_does_not_change_the_batch(client, pool, chunk_size):
    X, _, state = pool
    expected = al.select(state, X, floored_first_feature, 12, return_utilities=True)
    got = al.select(
        state,
        da.from_array(X, chunks=(60, -1)),
        floored_first_feature,
        12,
        chunk_size=chunk_size,
        return_utilities=True,
    )
    assert_same_batch(got, expected, exact=True)


def test_blocks_wholly_labeled_or_excluded_are_skipped_and_the_batch_is_capped(client, pool):
    X, _, state = pool
    exclude = np.setdiff1d(np.arange(0, 180), state.labeled)  # leaves only rows 180..199 (minus labeled)
    free = np.setdiff1d(np.arange(180, N_POOL), state.labeled)
    got = al.select(state, da.from_array(X, chunks=(40, -1)), "margin", 100, exclude=exclude)
    np.testing.assert_array_equal(np.sort(got), free)
    np.testing.assert_array_equal(got, al.select(state, X, "margin", 100, exclude=exclude))


@pytest.mark.parametrize("npartitions", [1, 7, 40])
def test_dask_dataframe_batch_equals_the_pandas_batch(client, pool, npartitions):
    X, y, _ = pool
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    state = al.fit_step(al.init_step(frame, y, n_init=20, random_state=1), frame, LogisticRegression())
    expected = al.select(state, frame, "margin", 20, exclude=[5, 6, 7], return_utilities=True)
    lazy = dd.from_pandas(frame, npartitions=npartitions)
    assert_same_batch(al.select(state, lazy, "margin", 20, exclude=[5, 6, 7], return_utilities=True), expected)
    ties = al.select(state, frame, floored_first_feature, 20, return_utilities=True)
    assert_same_batch(al.select(state, lazy, floored_first_feature, 20, return_utilities=True), ties, exact=True)


def test_committees_fit_on_the_labeled_rows_gathered_for_the_workers(client, pool):
    X, _, state = pool
    expected = al.select(state, X, vote_entropy(bagging(3)), 10, return_utilities=True)
    got = al.select(state, da.from_array(X, chunks=(45, -1)), vote_entropy(bagging(3)), 10, return_utilities=True)
    assert_same_batch(got, expected)
    by_name = al.select(state, da.from_array(X, chunks=(100, -1)), "kl_divergence", 10, return_utilities=True)
    assert_same_batch(by_name, al.select(state, X, "kl_divergence", 10, return_utilities=True))


def test_the_blocks_are_scored_by_the_cluster(client, pool):
    X, _, state = pool
    al.select(state, da.from_array(X, chunks=(50, -1)), "margin", 5)
    prefixes = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
    assert any("block_top_k" in prefix for prefix in prefixes), prefixes


@pytest.mark.parametrize(
    ("strategy", "why"),
    [
        ("k_center_greedy", "batch strategy"),
        ("softrank_margin", "batch strategy"),
        ("information_density", "distances or densities"),
        ("dwus", "distances or densities"),
        ("eer_log_loss", "beyond the candidates and the labeled rows"),
    ],
)
def test_strategies_that_need_the_whole_pool_are_refused_up_front(client, pool, strategy, why):
    X, _, state = pool
    with pytest.raises(ValueError, match=rf"strategy '{strategy}' cannot run on a Dask pool: .*{why}.*X\.compute\(\)"):
        al.select(state, da.from_array(X, chunks=(50, -1)), strategy, 5)


def test_a_user_strategy_reading_other_pool_rows_is_refused_before_the_pass(client, pool):
    X, _, state = pool

    def nearest_to_first_row(model, rows, context):
        first = take_rows(context.X, np.array([0]))
        return -np.abs(np.asarray(rows) - first).sum(axis=1)

    with pytest.raises(ValueError, match="'nearest_to_first_row' cannot run on a Dask pool"):
        al.select(state, da.from_array(X, chunks=(50, -1)), nearest_to_first_row, 5)


def test_bad_dask_pools_are_refused_naming_the_argument(pool):
    X, y, state = pool
    with pytest.raises(ValueError, match=r"X must be a 2-D dask array .* got shape \(200,\)"):
        al.init_step(da.from_array(X[:, 0], chunks=50), y)
    with pytest.raises(ValueError, match=r"X must be a 2-D dask array .* got shape \(200, 2, 3\)"):
        al.select(state, da.from_array(X.reshape(N_POOL, 2, 3), chunks=50), "margin", 5)
    lazy = da.from_array(X, chunks=(50, -1))
    unknown = lazy[lazy[:, 0] > -np.inf]
    with pytest.raises(ValueError, match=r"unknown chunk sizes \(nan\).*compute_chunk_sizes\(\)"):
        al.select(state, unknown, "margin", 5)
    np.testing.assert_array_equal(  # the remedy the message names works
        al.select(state, unknown.compute_chunk_sizes(), "margin", 5), al.select(state, X, "margin", 5)
    )
    with pytest.raises(TypeError, match="must be a dask DataFrame or a 2-D dask array, got a Series"):
        al.init_step(dd.from_pandas(pd.Series(X[:, 0]), npartitions=3), y)
    with pytest.raises(ValueError, match="X must be the pool of 200 rows the state was built on, got 150 rows"):
        al.select(state, lazy[:150], "margin", 5)


def test_init_fit_and_run_on_a_dask_pool_equal_the_in_memory_ones(client, pool):
    X, y, _ = pool
    lazy = da.from_array(X, chunks=(70, -1))
    kwargs = dict(strategy="margin", n_init=10, batch_size=7, max_iter=3)
    expected = al.run(X, y, LogisticRegression(), **kwargs)
    got = al.run(lazy, y, LogisticRegression(), **kwargs)
    np.testing.assert_array_equal(got.labeled, expected.labeled)
    np.testing.assert_array_equal(got.model.coef_, expected.model.coef_)
    assert [record.scores for record in got.history] == [record.scores for record in expected.history]

    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    on_pandas = al.run(frame, y, LogisticRegression(), **kwargs)
    on_dask = al.run(dd.from_pandas(frame, npartitions=6), y, LogisticRegression(), **kwargs)
    np.testing.assert_array_equal(on_dask.labeled, on_pandas.labeled)
    assert on_dask.history.info["X_fingerprint"] == on_pandas.history.info["X_fingerprint"]


def test_the_fingerprint_reads_values_not_blocks(client, pool):
    X, _, _ = pool
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    by_blocks = {data_fingerprint(da.from_array(X, chunks=(chunks, 2))) for chunks in (1, 7, UNEVEN, N_POOL)}
    assert len(by_blocks) == 1
    changed = X.copy()
    changed[123, 4] += 1e-9
    assert data_fingerprint(da.from_array(changed, chunks=50)) not in by_blocks
    assert data_fingerprint(dd.from_pandas(frame, npartitions=9)) == data_fingerprint(frame)


def test_real_worker_processes_select_the_in_memory_batch(pool):
    X, _, state = pool
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        got = al.select(state, da.from_array(X, chunks=(33, -1)), "margin", 15, return_utilities=True)
        assert_same_batch(got, al.select(state, X, "margin", 15, return_utilities=True))


def test_alfunc_does_not_import_dask_for_an_in_memory_pool():
    code = (
        "import sys, numpy as np, alfunc as al\n"
        "X = np.random.default_rng(0).normal(size=(50, 3)); y = (X[:, 0] > 0).astype(int)\n"
        "state = al.init_step(X, y, n_init=10)\n"
        "al.select(state, X, 'random', 5)\n"
        "print('dask' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
