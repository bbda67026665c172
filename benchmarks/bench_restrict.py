"""Candidate restriction (SEALS, AnchorAL) against scoring the whole pool: time per query and AULC.

(a) Time per query on a large float32 memmap pool (default 10M x 32, written
    to a temporary directory that is printed and removed afterwards):
    ``select`` of margin, batch 100, LogisticRegression fitted on 1,000 labeled
    rows, over the whole pool versus ``seals(margin)`` and ``anchoral(margin)``
    over an ``"ivf"`` neighbour index. The index build is timed separately
    (once). Medians of ``--repeats`` interleaved calls, and their ratios.
(b) Learning curves on a pool where the whole-pool answer is computable
    (default 1M x 32, in memory): ``run`` with margin on the whole pool versus
    ``seals(margin)`` and ``anchoral(margin)``, same seeds (paired), ``--rounds`` rounds of batch 100
    from 100 initial labels; AULC (trapezoid, test accuracy) of each, the
    paired difference with its standard error, and the time per run.

The pool is a mixture of Gaussian clusters in 32 dimensions, two classes made
of eight clusters each, so a linear model is imperfect and margin has a
boundary to find. One BLAS thread (set before numpy is imported).

    python benchmarks/bench_restrict.py            # the report (about 15-25 min on 2 shared cores)
    python benchmarks/bench_restrict.py --quick    # smoke test: small pools, seconds
    python benchmarks/bench_restrict.py --skip-b --model forest --repeats 1   # (a) with a 20-tree forest
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import interleaved_medians, machine, print_table  # noqa: E402

import alfunc as al  # noqa: E402
from alfunc.metrics import aulc, learning_curve  # noqa: E402
from alfunc.strategies import anchoral, seals  # noqa: E402

N_FEATURES = 32
N_CLUSTERS = 16
CHUNK_ROWS = 1 << 20


def mixture(n_rows: int, seed: int, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``n_rows`` points of the cluster mixture (written into ``out`` when given, a chunk at a time) and labels."""
    centres = np.random.default_rng(12345).normal(scale=1.5, size=(N_CLUSTERS, N_FEATURES)).astype(np.float32)
    X = np.empty((n_rows, N_FEATURES), dtype=np.float32) if out is None else out
    y = np.empty(n_rows, dtype=np.int64)
    rng = np.random.default_rng(seed)
    for start in range(0, n_rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n_rows)
        cluster = rng.integers(N_CLUSTERS, size=stop - start)
        X[start:stop] = centres[cluster] + rng.normal(size=(stop - start, N_FEATURES)).astype(np.float32)
        y[start:stop] = cluster % 2
    return X, y


def estimator(model: str) -> object:
    """The model of (a): ``lr`` (cheap to score: the pass is near memory speed) or ``forest`` (20 trees)."""
    if model == "forest":
        return RandomForestClassifier(n_estimators=20, random_state=0)
    return LogisticRegression(max_iter=1000)


def query_times(n_rows: int, n_labeled: int, repeats: int, n_cells: int | None, directory: str, model: str) -> None:
    path = Path(directory) / "pool.npy"
    print(f"(a) pool: {n_rows:,} x {N_FEATURES} float32 memmap at {path}")
    started = time.perf_counter()
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n_rows, N_FEATURES))
    _, y = mixture(n_rows, seed=0, out=X)
    X.flush()
    del X
    X = np.load(path, mmap_mode="r")
    print(f"    written in {time.perf_counter() - started:.1f} s")
    labeled = np.sort(np.random.default_rng(1).choice(n_rows, size=n_labeled, replace=False))
    state = al.fit_step(al.init_step(X, y, initial=labeled), X, estimator(model))
    options = {} if n_cells is None else {"n_cells": n_cells}
    started = time.perf_counter()
    index = al.neighbour_index(X, backend="ivf", random_state=0, options=options)
    build = time.perf_counter() - started
    print(f"    ivf index built in {build:.1f} s ({index!r})")
    strategies = {
        "whole pool (margin)": "margin",
        "seals(margin, n_neighbours=10)": seals("margin", index, n_neighbours=10),
        "anchoral(margin, 10 anchors, 50 neighbours, subpool 1000)": anchoral("margin", index),
    }
    batches = {name: al.select(state, X, strategy, 100) for name, strategy in strategies.items()}
    medians = interleaved_medians(
        {name: (lambda s=strategy: al.select(state, X, s, 100)) for name, strategy in strategies.items()}, repeats
    )
    whole = medians["whole pool (margin)"]
    rows = []
    for name in strategies:
        overlap = np.intersect1d(batches[name], batches["whole pool (margin)"]).size
        rows.append([name, medians[name], whole / medians[name], f"{overlap}/100"])
    print(
        f"    {type(state.model).__name__} on {n_labeled:,} labeled rows, batch 100, medians of {repeats} interleaved calls"
    )
    print_table(["query", "median s", "speed-up vs whole pool", "batch shared with whole pool"], rows)
    print(f"    index build (once): {build:.1f} s = {build / whole:.1f} whole-pool queries")


def aulc_comparison(n_rows: int, rounds: int, seeds: int, n_cells: int | None) -> None:
    print(f"\n(b) pool: {n_rows:,} x {N_FEATURES} float32 in memory, test set 20,000; {rounds} rounds of batch 100")
    X, y = mixture(n_rows, seed=0)
    X_test, y_test = mixture(20_000, seed=99)
    options = {} if n_cells is None else {"n_cells": n_cells}
    started = time.perf_counter()
    index = al.neighbour_index(X, backend="ivf", random_state=0, options=options)
    print(f"    ivf index built in {time.perf_counter() - started:.1f} s ({index!r})")
    strategies = {
        "whole pool (margin)": "margin",
        "seals(margin, n_neighbours=10)": seals("margin", index, 10),
        "anchoral(margin, defaults)": anchoral("margin", index),
    }
    areas: dict[str, list[float]] = {name: [] for name in strategies}
    times: dict[str, list[float]] = {name: [] for name in strategies}
    for seed in range(seeds):
        for name, strategy in strategies.items():
            started = time.perf_counter()
            final = al.run(
                X, y, LogisticRegression(max_iter=1000), strategy, n_init=100, batch_size=100, max_iter=rounds,
                X_test=X_test, y_test=y_test, random_state=seed,
            )  # fmt: skip
            times[name].append(time.perf_counter() - started)
            areas[name].append(aulc(*learning_curve(final.history)))
    rows = [
        [name, statistics.median(areas[name]), statistics.median(times[name]), statistics.median(times[name]) / rounds]
        for name in strategies
    ]
    print(f"    {seeds} paired seeds, LogisticRegression, 100 initial labels")
    print_table(["strategy", "median AULC", "median s per run", "s per round"], rows)
    whole = np.array(areas["whole pool (margin)"])
    for name in list(strategies)[1:]:
        diff = np.array(areas[name]) - whole
        se = float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else float("nan")
        speed = statistics.median(times["whole pool (margin)"]) / statistics.median(times[name])
        print(f"    AULC({name}) - AULC(whole pool), paired: mean {diff.mean():+.4f}, SE {se:.4f} (per seed: "
              f"{', '.join(f'{d:+.4f}' for d in diff)}); run time ratio whole / restricted: {speed:.2f}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small pools: a smoke test")
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the memmap pool of (a)")
    parser.add_argument("--aulc-rows", type=int, default=1_000_000, help="rows of the pool of (b)")
    parser.add_argument("--labeled", type=int, default=1000, help="labeled rows in (a)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved calls per query in (a)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds per run in (b)")
    parser.add_argument("--seeds", type=int, default=3, help="paired seeds in (b)")
    parser.add_argument("--n-cells", type=int, default=None, help="ivf cells (default sqrt(n), at most 1024)")
    parser.add_argument("--dir", default=None, help="where to write the memmap (default: a temporary directory)")
    parser.add_argument("--model", choices=["lr", "forest"], default="lr", help="the model of (a)")
    parser.add_argument("--skip-a", action="store_true", help="only (b)")
    parser.add_argument("--skip-b", action="store_true", help="only (a)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.aulc_rows, args.labeled, args.repeats, args.rounds, args.seeds = 20_000, 20_000, 200, 1, 2, 2
    print(machine())
    if not args.skip_a:
        with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench_restrict_") as directory:
            query_times(args.rows, args.labeled, args.repeats, args.n_cells, directory, args.model)
    if not args.skip_b:
        aulc_comparison(args.aulc_rows, args.rounds, args.seeds, args.n_cells)


if __name__ == "__main__":
    main()
