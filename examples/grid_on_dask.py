"""A grid of runs on Dask
======================

``alfunc.experiments.run_grid`` runs a grid of paired runs (datasets x
strategies x seeds x estimators) through joblib, so the same code runs on local
processes (``n_jobs=-1``) or on a cluster through a joblib backend: here a
Dask ``LocalCluster`` of two worker processes, standing in for a real cluster
(``Client("tcp://scheduler:8786")``). alfunc has no scheduler of its own.

Each finished run is appended to the results file as one JSON line, so a crash
loses only the runs in flight and rerunning the grid resumes: the second call
below finds every run done and computes nothing. The runs on Dask equal the
serial ones bit for bit (timings apart), because every random draw comes from
the run's seed.

Needs the ``distributed`` extra: ``pip install "alfunc[distributed]"``. The
grid is tiny (iris and wine, three strategies, two seeds) so the example runs
in seconds.

    python examples/grid_on_dask.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from dask.distributed import Client, LocalCluster  # noqa: E402
from joblib import parallel_config  # noqa: E402

from alfunc.experiments import experiment_grid, format_summaries, run_grid, summarize  # noqa: E402
from alfunc.experiments.plots import experiment_figure  # noqa: E402


def main() -> list[dict]:
    grid = experiment_grid(["iris", "wine"], ["margin", "entropy", "random"], seeds=2, n_init=10, budget=40)
    print(
        f"{len(grid.runs)} runs: {sorted({r.dataset for r in grid.runs})} x {sorted({r.strategy for r in grid.runs})}"
    )
    with tempfile.TemporaryDirectory() as folder:
        results_file = Path(folder) / "results.jsonl"
        with (
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
            Client(cluster) as client,
            parallel_config(backend="dask"),
        ):
            print(f"Dask cluster: {len(client.scheduler_info()['workers'])} workers")
            started = time.perf_counter()
            on_dask = run_grid(grid, results_file, n_jobs=2)
            print(f"ran {len(on_dask)} runs on Dask in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            again = run_grid(grid, results_file, n_jobs=2)  # every run is in the file already
            print(f"rerun: {len(again)} results read back in {time.perf_counter() - started:.2f} s, none recomputed")

        serial = run_grid(grid, Path(folder) / "serial.jsonl")
    same = all(
        {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}
        for a, b in zip(serial, on_dask, strict=True)
    )
    print("Dask results equal the serial ones:", same)
    print(format_summaries(summarize(on_dask)))
    figure = experiment_figure(on_dask)  # the figure `alfunc simulate` saves as learning_curves.png
    plt.figure(figure)  # hand it to pyplot, so the gallery shows it
    return on_dask


if __name__ == "__main__":
    main()
