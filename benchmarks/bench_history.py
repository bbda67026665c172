"""Memory of a long history: many rounds of batch 1, bytes per record, O(total labeled).

A record holds the indices queried in its round (not the pool: the pool at any
round is a prefix of ``state.labeled``), so the memory held by a run must grow
linearly with the number of rounds and not with rounds x pool. The script
runs the loop once under tracemalloc and, at a few checkpoints, prints the live
bytes and the bytes added per record since the previous checkpoint; a constant
slope means O(total labeled).

A cheap ``DummyClassifier`` is fitted so that the run measures the engine, not
a model; the query is margin (every utility ties, so the seeded hash picks).

    python benchmarks/bench_history.py             # 10,000 rounds of batch 1 on a 20,000 pool
    python benchmarks/bench_history.py --quick     # 200 rounds on a 1,000 pool (smoke test)
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np
import toolz
from measure import machine, print_table
from sklearn.dummy import DummyClassifier

import alfunc as al


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 pool and 200 rounds (a smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_pool, args.rounds = 1_000, 200
    return args


def run_rounds(X: np.ndarray, y: np.ndarray, rounds: int):
    """The states of a batch-1 margin run of ``rounds`` query rounds, lazily."""
    return al.trace(
        X, y, DummyClassifier(), strategy="margin", n_init=10, batch_size=1, max_iter=rounds, random_state=0
    )


def live_bytes_along_run(X: np.ndarray, y: np.ndarray, rounds: int, checkpoints: list[int]) -> list[list]:
    """One traced batch-1 run; at each checkpoint, the live bytes (tracemalloc) and the state's size."""
    rows = []
    toolz.last(run_rounds(X, y, checkpoints[0]))  # warm-up: lazily built caches are not part of a record
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        for state in run_rounds(X, y, rounds):
            if state.iteration in checkpoints:
                seconds = time.perf_counter() - started
                gc.collect()
                live = tracemalloc.get_traced_memory()[0] - before
                rows.append([state.iteration, len(state.history), state.n_labeled, live, seconds])
    finally:
        tracemalloc.stop()
    return rows


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n_pool, 20))
    y = rng.integers(0, 3, args.n_pool)
    checkpoints = sorted({max(1, args.rounds // 10), max(1, args.rounds // 4), max(1, args.rounds // 2), args.rounds})
    measured = live_bytes_along_run(X, y, args.rounds, checkpoints)
    assert [row[0] for row in measured] == checkpoints and measured[-1][2] == 10 + args.rounds
    table, slopes = [], []
    for previous, row in zip([None, *measured], measured, strict=False):
        rounds, records, labeled, live, seconds = row
        slope = None if previous is None else (live - previous[3]) / (records - previous[1])
        slopes += [] if slope is None else [slope]
        table.append(
            [
                rounds,
                records,
                labeled,
                live / 2**20,
                live / records,
                "" if slope is None else slope,
                1e3 * seconds / rounds,
            ]
        )
    print(f"# batch-1 margin rounds on a {args.n_pool:,} x 20 pool (DummyClassifier), one traced run")
    print(
        f"# {machine()}; the pool alone is {X.nbytes / 2**20:.1f} MiB; live = tracemalloc bytes held at the checkpoint"
    )
    print_table(
        [
            "rounds",
            "records",
            "labeled",
            "live MiB",
            "live bytes / record",
            "bytes per added record",
            "ms per round (traced, cumulative)",
        ],
        table,
    )
    steady = len(slopes) > 0 and max(slopes) <= 1.25 * min(slopes)
    print(
        f"bytes per added record from {min(slopes, default=0):.0f} to {max(slopes, default=0):.0f}: "
        f"{'constant, so the history is O(total labeled)' if steady else 'varies by more than 25 % (short runs are noisy)'}; "
        f"a pool-sized boolean mask per record would be {args.n_pool} bytes"
    )


if __name__ == "__main__":
    main()
