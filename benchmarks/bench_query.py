"""One margin query (top-10) over a large pool: alfunc ``select`` against the floor and the peers.

The floor is the least work any implementation can do: one ``predict_proba``
pass over the whole pool, the top-two gap, and ``np.argpartition``; the
"chunked" floor does the same over alfunc's default chunks (views of the pool,
no checks, no tie-breaking), the bare cost of the chunked pass itself. alfunc
scores the unlabeled pool chunk by chunk with a streaming top-k, so it should
match the floor's time while allocating only a chunk's worth of memory.
scikit-activeml and modAL are measured when importable.

    python benchmarks/bench_query.py                 # 1,000,000 x 20 float64 pool
    python benchmarks/bench_query.py --quick         # 20,000 rows, seconds (smoke test)
    python benchmarks/bench_query.py --chunk-sizes 4096,16384,65536   # also sweep chunk sizes
"""

from __future__ import annotations

import argparse
import importlib.util

import numpy as np
from measure import (
    interleaved_medians,
    machine,
    mib,
    peak_extra_bytes,
    print_table,
    target,
)
from reference import best_k, margin_utilities
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.engine.candidates import default_chunk_rows

N_CLASSES = 3
N_TRAIN = 5000
N_LABELED = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=1_000_000)
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--chunk-sizes", default="", help="comma-separated chunk sizes to sweep as extra rows")
    parser.add_argument("--no-peers", action="store_true", help="skip scikit-activeml and modAL")
    parser.add_argument("--quick", action="store_true", help="20,000 rows and 2 repeats (a smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_pool, args.repeats = 20_000, 2
    return args


def make_problem(n_pool: int, n_features: int) -> tuple[np.ndarray, np.ndarray, LogisticRegression, al.ALState]:
    """A float64 pool, its labels, a fitted 3-class model, and a state with a few labeled points."""
    X, y = make_classification(
        n_samples=n_pool + N_TRAIN,
        n_features=n_features,
        n_informative=min(6, n_features),
        n_redundant=0,
        n_classes=N_CLASSES,
        random_state=0,
    )
    X_train, y_train, X, y = X[:N_TRAIN], y[:N_TRAIN], np.ascontiguousarray(X[N_TRAIN:]), y[N_TRAIN:]
    model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    labeled = np.random.default_rng(0).choice(n_pool, N_LABELED, replace=False)
    state = al.ALState(labeled=labeled, labels=y[labeled], n_pool=n_pool, history=al.History(0), model=model)
    return X, y, model, state


def floor_query(model: LogisticRegression, X: np.ndarray, labeled: np.ndarray, k: int) -> np.ndarray:
    """The hand-written limit: predict_proba on the whole pool, top-two gap, argpartition."""
    utilities = margin_utilities(model, X)
    utilities[labeled] = -np.inf
    return best_k(np.arange(X.shape[0]), utilities, k)[0]


def chunked_floor_query(
    model: LogisticRegression, X: np.ndarray, labeled: np.ndarray, k: int, chunk: int
) -> np.ndarray:
    """The same floor over row chunks (views of X, labeled rows scored then dropped), merged by argpartition."""
    best_idx, best_u = np.empty(0, dtype=np.int64), np.empty(0)
    for start in range(0, X.shape[0], chunk):
        utilities = margin_utilities(model, X[start : start + chunk])
        utilities[labeled[start : start + chunk]] = -np.inf
        idx, u = best_k(start + np.arange(utilities.size), utilities, k)
        best_idx, best_u = best_k(np.concatenate([best_idx, idx]), np.concatenate([best_u, u]), k)
    return best_idx


def peer_methods(X, y, model, state, k) -> dict:
    """Query callables of the peers that import in this environment."""
    methods = {}
    if importlib.util.find_spec("skactiveml") is not None:
        from skactiveml.classifier import SklearnClassifier
        from skactiveml.pool import UncertaintySampling

        X_train, y_train = make_classification(
            n_samples=X.shape[0] + N_TRAIN,
            n_features=X.shape[1],
            n_informative=min(6, X.shape[1]),
            n_redundant=0,
            n_classes=N_CLASSES,
            random_state=0,
        )
        wrapped = SklearnClassifier(LogisticRegression(max_iter=1000), classes=np.arange(N_CLASSES))
        wrapped.fit(X_train[:N_TRAIN], y_train[:N_TRAIN])
        y_partial = np.full(X.shape[0], np.nan)
        y_partial[state.labeled] = y[state.labeled]
        sampler = UncertaintySampling(method="margin_sampling", random_state=0)
        methods["scikit-activeml"] = lambda: np.asarray(
            sampler.query(X, y_partial, wrapped, fit_clf=False, batch_size=k)
        )
    if importlib.util.find_spec("modAL") is not None:
        from modAL.uncertainty import margin_sampling

        # modAL is given the whole pool (its cheapest use: no X[unlabeled] copy)
        methods["modAL"] = lambda: np.asarray(margin_sampling(model, X, n_instances=k)[0]).ravel()
    return methods


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    k = args.batch_size
    X, y, model, state = make_problem(args.n_pool, args.n_features)
    labeled_mask = state.labeled_mask()
    methods = {
        "floor (predict_proba + argpartition)": lambda: floor_query(model, X, labeled_mask, k),
        "floor, chunked like alfunc": lambda: chunked_floor_query(model, X, labeled_mask, k, default_chunk_rows(X)),
        "alfunc select": lambda: al.select(state, X, "margin", k),
    }
    for size in filter(None, args.chunk_sizes.split(",")):
        methods[f"alfunc select, chunk_size={int(size)}"] = lambda size=int(size): al.select(
            state, X, "margin", k, chunk_size=size
        )
    if not args.no_peers:
        methods |= peer_methods(X, y, model, state, k)

    batches = {name: method() for name, method in methods.items()}  # warm-up, and the answers
    reference = set(batches[next(iter(methods))].tolist())
    seconds = interleaved_medians(methods, args.repeats)
    memory = {name: peak_extra_bytes(method)[0] for name, method in methods.items()}

    floor_name = next(iter(methods))
    print(f"# margin top-{k} over a {args.n_pool:,} x {args.n_features} float64 pool, 3-class LogisticRegression")
    print(f"# {machine()}; median of {args.repeats} interleaved repeats; memory = tracemalloc peak above baseline")
    rows = [
        [
            name,
            seconds[name],
            seconds[name] / seconds[floor_name],
            mib(memory[name]),
            "yes" if set(batches[name].tolist()) == reference else "NO",
        ]
        for name in methods
    ]
    print_table(["method", "median s", "x floor", "peak extra MiB", "same batch as floor"], rows)

    alfunc_s = seconds["alfunc select"]
    print("targets:")
    print(
        target(
            "alfunc <= 1.2x floor time", alfunc_s <= 1.2 * seconds[floor_name], f"{alfunc_s / seconds[floor_name]:.2f}x"
        )
    )
    print(
        target(
            "alfunc <= 16 MB extra memory", memory["alfunc select"] <= 16e6, f"{memory['alfunc select'] / 1e6:.1f} MB"
        )
    )
    chunked = seconds["floor, chunked like alfunc"]
    print(f"  [info] alfunc / chunked floor (engine cost over the bare chunked pass): {alfunc_s / chunked:.2f}x")
    for peer, factor in (("modAL", 2), ("scikit-activeml", 3)):
        if peer in seconds:
            print(
                target(
                    f"alfunc >= {factor}x faster than {peer}",
                    seconds[peer] >= factor * alfunc_s,
                    f"{seconds[peer] / alfunc_s:.2f}x",
                )
            )
        else:
            print(f"  [skipped] {peer} is not importable here")


if __name__ == "__main__":
    main()
