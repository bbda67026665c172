"""Why grid runs pin BLAS/OpenMP to one thread: time one digits run with 1 thread and with the default.

    python benchmarks/grid_blas_threads.py [repeats]

Prints the median wall time of ``alfunc.experiments.run_one`` (digits,
logistic regression, margin, 20 + 14 x 20 labels) under
``threadpool_limits(1)`` and under the default thread count, and their ratio.
On a machine with idle cores the two are close; when cores are shared
(oversubscribed), the multi-threaded fits slow down sharply.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from threadpoolctl import threadpool_info

from alfunc.experiments.grid import _run_one, experiment_grid, run_one


def median_seconds(function, repeats: int) -> float:
    """Median wall time of ``function()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(repeats: int = 5) -> None:
    grid = experiment_grid(["digits"], ["margin"], [0], ["logistic"], 20, n_init=20, budget=300)
    run = grid.runs[0]
    arguments = (run, grid.data["digits"], grid.estimators["logistic"], "margin")
    threads = max((pool["num_threads"] for pool in threadpool_info()), default=1)
    pinned = median_seconds(lambda: run_one(*arguments), repeats)
    default = median_seconds(lambda: _run_one(*arguments), repeats)
    print(f"cores: {os.cpu_count()}, default BLAS/OpenMP threads: {threads}, load average: {os.getloadavg()[0]:.1f}")
    print(f"one thread (run_one):      median {pinned:.3f} s over {repeats} runs")
    print(f"default threads (_run_one): median {default:.3f} s over {repeats} runs")
    print(f"ratio default / one thread: {default / pinned:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
