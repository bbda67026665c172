"""Margin top-100 over a Dask pool on a LocalCluster: ``al.select`` on Dask against in memory and the floor.

The pool is 1,000,000 x 20 float64 (``--n-pool``), the model a
LogisticRegression fitted on 1,000 labeled rows. Measured in one run, medians
of ``--repeats`` interleaved repeats:

* floor: one ``predict_proba`` pass over the whole pool in this process, the
  top-two gap and ``np.argpartition`` (no tie-break, no checks);
* in memory: ``al.select`` on the numpy pool in this process;
* dask, persisted: ``al.select`` on a ``dask.array`` whose blocks were persisted
  on the workers (a pool that lives on the cluster);
* dask, from .npy: ``al.select`` on a ``dask.array`` whose blocks each worker
  reads from a ``.npy`` file (memmap) when the task runs;
* dask, from numpy: ``da.from_array`` of the in-memory pool, so every selection
  also ships the pool to the workers.

The cluster has ``--workers`` worker processes of one thread each (2 by
default); every process uses one BLAS thread. Each Dask batch is checked to
be the in-memory batch (same indices in the same order).

    python benchmarks/bench_dask_select.py            # 1,000,000 x 20
    python benchmarks/bench_dask_select.py --quick    # 20,000 rows, in-process workers, seconds (smoke test)
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
from measure import interleaved_medians, machine, print_table
from reference import best_k, margin_utilities
from sklearn.linear_model import LogisticRegression

import alfunc as al

N_LABELED = 1000
N_CLASSES = 3


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=1_000_000)
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--block-rows", type=int, default=100_000, help="rows per dask block")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 2 repeats, in-process workers")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_pool, args.block_rows, args.repeats = 20_000, 5_000, 2
    return args


def make_pool(n_pool: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_pool, n_features))
    weights = rng.normal(size=(n_features, N_CLASSES))
    y = np.argmax(X @ weights + rng.gumbel(size=(n_pool, N_CLASSES)), axis=1)
    return X, y


def npy_blocks(path: Path, n_pool: int, n_features: int, block_rows: int):
    """A dask array whose blocks are read from the .npy file by the worker that runs the task."""
    import dask
    import dask.array as da

    def read(start: int, stop: int) -> np.ndarray:
        return np.array(np.load(path, mmap_mode="r")[start:stop])

    blocks = [
        da.from_delayed(
            dask.delayed(read)(start, min(start + block_rows, n_pool)),
            (min(block_rows, n_pool - start), n_features),
            np.float64,
        )
        for start in range(0, n_pool, block_rows)
    ]
    return da.concatenate(blocks)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # the worker processes inherit it
    import dask.array as da
    from dask.distributed import Client, LocalCluster, wait

    X, y = make_pool(args.n_pool, args.n_features)
    state = al.init_step(X, y, n_init=N_LABELED, random_state=0)
    state = al.fit_step(state, X, LogisticRegression(max_iter=1000))
    k = args.batch_size
    unlabeled = state.unlabeled()

    def floor() -> np.ndarray:
        utilities = margin_utilities(state.model, X)[unlabeled]
        return best_k(unlabeled, utilities, k)[0]

    print(f"# margin top-{k}, {args.n_pool:,} x {args.n_features} float64, LogisticRegression on {N_LABELED} rows")
    print(f"# {machine()}; {args.workers} workers x 1 thread, blocks of {args.block_rows:,} rows")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pool.npy"
        np.save(path, X)
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=not args.quick,
            dashboard_address=None,
            **({} if args.quick else {"host": "127.0.0.1"}),
        )
        with cluster, Client(cluster) as client:
            from_numpy = da.from_array(X, chunks=(args.block_rows, -1))
            persisted = client.persist(from_numpy)
            wait(persisted)
            from_npy = npy_blocks(path, args.n_pool, args.n_features, args.block_rows)
            methods = {
                "floor (predict_proba + argpartition)": floor,
                "al.select, in memory": lambda: al.select(state, X, "margin", k),
                "al.select, dask persisted": lambda: al.select(state, persisted, "margin", k),
                "al.select, dask from .npy": lambda: al.select(state, from_npy, "margin", k),
                "al.select, dask from numpy": lambda: al.select(state, from_numpy, "margin", k),
            }
            expected = methods["al.select, in memory"]()
            same = {name: np.array_equal(method(), expected) for name, method in methods.items() if "dask" in name}
            medians = interleaved_medians(methods, args.repeats)
    base, memory = medians["floor (predict_proba + argpartition)"], medians["al.select, in memory"]
    rows = [
        [
            name,
            f"{seconds:.3f}",
            f"{seconds / base:.2f}",
            f"{seconds / memory:.2f}",
            "yes" if same.get(name, True) else "NO",
        ]
        for name, seconds in medians.items()
    ]
    print_table(["method", "median s", "vs floor", "vs in memory", "in-memory batch"], rows)


if __name__ == "__main__":
    main()
