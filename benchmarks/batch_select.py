"""Median time of one ``select`` call for each batch strategy, and its ratio to ``margin``.

A synthetic Gaussian pool (10 features, two classes), 20 labeled points, a
fitted LogisticRegression, batches of 50. Each timing is the median of
``--repeats`` calls, all measured in this one run.

    python benchmarks/batch_select.py [--pool 2000 20000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

import alfunc as al

NAMES = [
    "margin",
    "k_center_greedy",
    "kmeans",
    "cluster_margin",
    "margin_k_center",
    "ranked_batch",
    "typiclust",
    "probcover",
    "gsy",
    "igs",
]


def median_seconds(state: al.ALState, X: np.ndarray, name: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        al.select(state, X, name, 50)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for size in args.pool:
        X = np.random.default_rng(0).normal(size=(size, 10))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        state = al.fit_step(al.init_step(X, y, 20, 0), X, LogisticRegression())
        timings = {name: median_seconds(state, X, name, args.repeats) for name in NAMES}
        print(f"pool {size}: strategy, median seconds, ratio to margin")
        for name, seconds in timings.items():
            print(f"  {name:16s} {seconds:9.4f} {seconds / timings['margin']:9.1f}")


if __name__ == "__main__":
    main()
