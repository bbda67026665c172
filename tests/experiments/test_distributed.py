"""The same grid on a Dask LocalCluster (2 worker processes, loopback) gives the serial results bit for bit."""

from __future__ import annotations

import pytest
from joblib import parallel_config

from alfunc.experiments import experiment_grid, run_grid

distributed = pytest.importorskip("dask.distributed", reason="needs the [distributed] extra")

pytestmark = pytest.mark.distributed


def test_dask_local_cluster_results_equal_the_serial_run(tmp_path):
    grid = experiment_grid(
        ("iris", "wine"), ("margin", "entropy", "random"), 2, ("logistic",), 10, n_init=10, budget=40
    )
    serial = run_grid(grid, tmp_path / "serial.jsonl")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        parallel_config(backend="dask"),
    ):
        on_dask = run_grid(grid, tmp_path / "dask.jsonl", n_jobs=2)
        workers = client.run(lambda: "ok")
        prefixes = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
    assert len(workers) == 2
    assert any("run_one" in prefix for prefix in prefixes), f"the runs did not go through the scheduler: {prefixes}"
    assert len(serial) == len(grid.runs) == 12
    for a, b in zip(serial, on_dask, strict=True):
        assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}
