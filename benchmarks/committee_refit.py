"""Registered committee names fit their committee once per selection, like the factory.

``select`` calls a utility strategy once per chunk of the unlabeled pool. A
committee strategy built with the factory (``vote_entropy(bagging(5))``) keeps
its last committee and fits it once per selection; the registered name
(``"vote_entropy"``) holds no state, and ``select`` builds a fresh instance of
it once per selection (``for_selection``). "Refit per chunk" is what the
registered name cost before that: a strategy calling a fresh instance on every
chunk. All give the same batch. This script times one selection of each on a
pool split into several chunks, and the single-chunk case, and prints medians
and ratios.

    python benchmarks/committee_refit.py [--pool 40000] [--chunk 4000] [--labeled 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

import alfunc as al
from alfunc.strategies import bagging, vote_entropy


def median_seconds(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=40000)
    parser.add_argument("--chunk", type=int, default=4000)
    parser.add_argument("--labeled", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    X, y = make_classification(n_samples=args.pool, n_features=20, n_informative=10, n_classes=3, random_state=0)
    refit_per_chunk = al.strategies.inherit_needs(
        lambda model, rows, context: vote_entropy()(model, rows, context), vote_entropy()
    )
    with threadpool_limits(limits=1):
        state = al.fit_step(al.init_step(X, y, args.labeled, random_state=0), X, LogisticRegression(max_iter=1000))
        cases = {  # a new factory strategy per call, so its memo never outlives one selection
            "factory, fit once per selection": lambda: al.select(
                state, X, vote_entropy(bagging(5)), 10, chunk_size=args.chunk
            ),
            "registered name": lambda: al.select(state, X, "vote_entropy", 10, chunk_size=args.chunk),
            "refit per chunk (before)": lambda: al.select(state, X, refit_per_chunk, 10, chunk_size=args.chunk),
            "registered name, one chunk": lambda: al.select(state, X, "vote_entropy", 10, chunk_size=args.pool),
        }
        batches = [tuple(call()) for call in cases.values()]
        assert len(set(batches)) == 1, "the three ways must choose the same batch"
        medians = {name: median_seconds(call, args.repeats) for name, call in cases.items()}
    n_chunks = -(-(args.pool - args.labeled) // args.chunk)
    print(
        f"pool {args.pool}, labeled {args.labeled}, about {n_chunks} chunks of {args.chunk}; median of {args.repeats}"
    )
    baseline = medians["factory, fit once per selection"]
    for name, seconds in medians.items():
        print(f"{name:34s} {seconds:8.3f} s   x{seconds / baseline:.2f}")


if __name__ == "__main__":
    main()
