"""TypiClust and ProbCover at scale: alfunc against scikit-activeml's TypiClust and ProbCover in one run.

A ``make_blobs`` pool (10 centres, ``--n-features`` features, float64), 20
labeled points, one batch of ``--batch-size``, no model (both are cold-start
strategies). For each pool size it prints the median wall time of
``--repeats`` interleaved calls, the tracemalloc peak above the baseline
(one separate call), and the ratio of scikit-activeml's time to alfunc's.
alfunc's TypiClust works on a seeded subsample of ``TYPICLUST_MAX_POOL``
(20,000) rows and its ProbCover on ``PROBCOVER_MAX_POOL`` (10,000) rows
beyond those sizes (see ``alfunc.strategies.coldstart``), so its cost stops
growing with the pool but for ``O(pool)`` hashing; below them both are exact.

scikit-activeml is run where it fits: its ProbCover builds a pool x pool
distance matrix (800 MB at 10,000 rows, 80 GB at 100,000), so it is run up
to ``--peer-probcover-max`` rows; its TypiClust runs k-means on the whole
pool, up to ``--peer-typiclust-max`` rows. Run it with the peer installed:

    PYTHONPATH=. OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        /work/benchvenv/bin/python benchmarks/bench_coldstart_scale.py --sizes 10000 100000 1000000
    python benchmarks/bench_coldstart_scale.py --quick     # 5,000 rows, 1 repeat (smoke test)
"""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np
from measure import interleaved_medians, machine, mib, peak_extra_bytes, print_table
from sklearn.datasets import make_blobs

import alfunc as al

N_LABELED = 20
N_CENTRES = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-typiclust-max", type=int, default=100_000)
    parser.add_argument("--peer-probcover-max", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="5,000 rows and 1 repeat (a smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats = [5_000], 1
    return args


def make_problem(n_pool: int, n_features: int) -> tuple[np.ndarray, np.ndarray, al.ALState, np.ndarray]:
    """The pool, its labels, a state with ``N_LABELED`` random labeled points, and scikit-activeml's ``y``."""
    X, y = make_blobs(n_samples=n_pool, n_features=n_features, centers=N_CENTRES, random_state=0)
    state = al.init_step(X, y, n_init=N_LABELED, random_state=0)
    y_partial = np.full(n_pool, np.nan)
    y_partial[state.labeled] = y[state.labeled]
    return X, y, state, y_partial


def methods_for(args: argparse.Namespace, n_pool: int) -> tuple[dict[str, Callable[[], Any]], list[str]]:
    """The query callables measured at this pool size, and notes on the peers left out."""
    X, _, state, y_partial = make_problem(n_pool, args.n_features)
    k = args.batch_size
    methods: dict[str, Callable[[], Any]] = {
        "alfunc typiclust": lambda: al.select(state, X, "typiclust", k),
        "alfunc probcover": lambda: al.select(state, X, "probcover", k),
    }
    notes = []
    if importlib.util.find_spec("skactiveml") is None:
        return methods, ["scikit-activeml is not importable here: peers not run"]
    from skactiveml.pool import ProbCover, TypiClust

    if n_pool <= args.peer_typiclust_max:
        # k=20 neighbours for typicality, as alfunc and the paper use
        peer_typiclust = TypiClust(random_state=0, k=20)
        methods["scikit-activeml TypiClust"] = lambda: peer_typiclust.query(X, y_partial, batch_size=k)
    else:
        notes.append(f"scikit-activeml TypiClust not run above {args.peer_typiclust_max:,} rows (--peer-typiclust-max)")
    if n_pool <= args.peer_probcover_max:
        peer_probcover = ProbCover(n_classes=N_CENTRES, random_state=0)
        methods["scikit-activeml ProbCover"] = lambda: peer_probcover.query(X, y_partial, batch_size=k)
    else:
        gigabytes = 8 * n_pool**2 / 1e9
        notes.append(f"scikit-activeml ProbCover not run: its pool x pool distance matrix needs {gigabytes:,.0f} GB")
    return methods, notes


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"# TypiClust / ProbCover, batch {args.batch_size}, {N_LABELED} labeled, {args.n_features} features")
    print(f"# {machine()}; median of {args.repeats} interleaved repeats; memory = tracemalloc peak above baseline")
    for n_pool in args.sizes:
        methods, notes = methods_for(args, n_pool)
        seconds = interleaved_medians(methods, args.repeats)
        memory = {name: peak_extra_bytes(method)[0] for name, method in methods.items()}
        rows = []
        for name in methods:
            family = "typiclust" if "typi" in name.lower() else "probcover"
            ours = seconds[f"alfunc {family}"]
            rows.append([f"{n_pool:,}", name, seconds[name], mib(memory[name]), seconds[name] / ours])
        print()
        print_table(["pool", "method", "median s", "peak extra MiB", "time / alfunc's"], rows)
        for note in notes:
            print(f"  {note}")


if __name__ == "__main__":
    main()
