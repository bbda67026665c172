"""BADGE and k-center greedy over 100,000 x 128 precomputed embeddings, batch 100: alfunc against scikit-activeml.

The pool is a seeded Gaussian mixture in float32 (20 clusters spread over 5
classes, so neighbouring clusters of different classes overlap); a
LogisticRegression is fitted on 300 seeded labeled points, once by alfunc's
``fit_step`` and once by scikit-activeml's ``SklearnClassifier`` on the same
rows (the script checks that the two coefficient matrices agree). Both
libraries then choose a batch of 100 from the same unlabeled pool:

* alfunc ``select(state, X, "k_center_greedy" | "badge", 100)`` with the
  embeddings as the pool (representation ``"input"``, the default), and with a
  list of row ids as the pool, a ``FunctionTransformer`` lookup before the
  same LogisticRegression, and ``representation=embeddings``;
* scikit-activeml ``CoreSet().query(X, y, batch_size=100)`` and
  ``Badge().query(X, y, clf, fit_clf=False, batch_size=100)``, ``y`` holding
  ``MISSING_LABEL`` (NaN) for the unlabeled rows.

Cheap checks of batch quality, for every method and a random batch: the
k-center radius (the largest distance from a pool point to its nearest labeled
or selected point; lower covers the pool better) and the mean norm of the
picks' gradient embeddings ``||p - onehot(argmax p)|| x ||x||`` (the norm of
BADGE's ``g`` without its bias column; higher is more uncertain).

    python benchmarks/bench_embeddings.py            # 100,000 x 128, batch 100, 3 repeats
    python benchmarks/bench_embeddings.py --quick    # 5,000 x 32, batch 20 (smoke test)
"""

from __future__ import annotations

import argparse
import importlib.util

import numpy as np
from measure import interleaved_medians, machine, mib, peak_extra_bytes, print_table
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import pairwise_distances_argmin_min
from sklearn.pipeline import make_pipeline

import alfunc as al
from alfunc.engine.steps import initial_state

N_CLUSTERS = 20
CLUSTER_SPREAD = 0.5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=128)
    parser.add_argument("--n-classes", type=int, default=5)
    parser.add_argument("--n-labeled", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true", help="skip scikit-activeml")
    parser.add_argument("--quick", action="store_true", help="5,000 x 32, 50 labeled, batch 20, one repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_pool, args.n_features, args.n_labeled, args.batch_size, args.repeats = 5_000, 32, 50, 20, 1
    return args


def make_embeddings(n: int, width: int, n_classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A float32 Gaussian mixture: ``N_CLUSTERS`` unit-variance clusters, cluster ``c`` of class ``c % n_classes``."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=CLUSTER_SPREAD, size=(N_CLUSTERS, width))
    cluster = rng.integers(0, N_CLUSTERS, n)
    X = (centres[cluster] + rng.normal(size=(n, width))).astype(np.float32)
    return X, cluster % n_classes


class Lookup(TransformerMixin, BaseEstimator):
    """Row ids -> their embeddings (so a pool of ids can feed the same LogisticRegression)."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, ids, y=None):
        return self

    def transform(self, ids):
        return self.table[np.asarray(ids, dtype=np.int64).ravel()]


def k_center_radius(X: np.ndarray, centres: np.ndarray) -> float:
    """Largest distance from a pool row to its nearest row in ``centres`` (the k-center objective)."""
    return float(pairwise_distances_argmin_min(X, X[centres])[1].max())


def gradient_norms(model, X: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``||p - onehot(argmax p)|| x ||x||`` of the rows ``indices``: the norm of BADGE's gradient embedding."""
    rows = X[indices].astype(np.float64)
    a = model.predict_proba(rows)
    a[np.arange(a.shape[0]), a.argmax(axis=1)] -= 1.0
    return np.linalg.norm(a, axis=1) * np.linalg.norm(rows, axis=1)


def alfunc_methods(X, state, ids, ids_state, k) -> dict:
    """alfunc's k-center greedy and (once it is registered) BADGE, on the embeddings and on a list of ids."""
    methods = {}
    for strategy in ("k_center_greedy", "badge"):
        if strategy not in al.STRATEGIES:
            print(f"  [skipped] alfunc has no {strategy!r} strategy in this version")
            continue
        methods[f"alfunc {strategy}"] = lambda s=strategy: al.select(state, X, s, k)
        methods[f"alfunc {strategy}, ids + representation="] = lambda s=strategy: al.select(
            ids_state, ids, s, k, representation=X
        )
    return methods


def peer_methods(X, y_partial, n_classes, k) -> tuple[dict, object | None]:
    """scikit-activeml's CoreSet and Badge, when importable, and its fitted classifier."""
    if importlib.util.find_spec("skactiveml") is None:
        print("  [skipped] scikit-activeml is not importable here")
        return {}, None
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.pool import Badge, CoreSet

    wrapped = SklearnClassifier(LogisticRegression(max_iter=1000), classes=np.arange(n_classes))
    wrapped.fit(X, y_partial)
    methods = {
        "scikit-activeml CoreSet": lambda: np.asarray(CoreSet(random_state=0).query(X, y_partial, batch_size=k)),
        "scikit-activeml Badge": lambda: np.asarray(
            Badge(random_state=0).query(X, y_partial, wrapped, fit_clf=False, batch_size=k)
        ),
    }
    return methods, wrapped


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    k = args.batch_size
    X, y = make_embeddings(args.n_pool, args.n_features, args.n_classes)
    labeled = np.sort(np.random.default_rng(1).choice(args.n_pool, args.n_labeled, replace=False))
    start = initial_state(labeled, y[labeled], args.n_pool, al.History(0))
    state = al.fit_step(start, X, LogisticRegression(max_iter=1000))
    ids = list(range(args.n_pool))
    ids_state = al.fit_step(start, ids, make_pipeline(Lookup(X), LogisticRegression(max_iter=1000)))
    y_partial = np.full(args.n_pool, np.nan)
    y_partial[labeled] = y[labeled]

    methods = alfunc_methods(X, state, ids, ids_state, k)
    if not args.no_peers:
        peers, wrapped = peer_methods(X, y_partial, args.n_classes, k)
        methods |= peers
        if wrapped is not None:
            same = np.allclose(wrapped.estimator_.coef_, state.model.coef_, rtol=1e-6, atol=1e-9)
            print(f"# scikit-activeml's classifier has alfunc's coefficients: {'yes' if same else 'NO'}")

    batches = {}
    for name, method in list(methods.items()):  # warm-up, and the answers
        try:
            batches[name] = np.asarray(method())
        except (AttributeError, TypeError, ValueError) as error:
            if "ids" not in name:
                raise
            print(f"  [skipped] {name}: this alfunc version does not read the representation ({error})")
            del methods[name]
    seconds = interleaved_medians(methods, args.repeats)
    memory = {name: peak_extra_bytes(method)[0] for name, method in methods.items()}
    batches["random batch (for scale)"] = al.select(state, X, "random", k)

    print(
        f"# batch of {k} over {args.n_pool:,} x {args.n_features} float32 embeddings ({args.n_labeled} labeled, "
        f"{args.n_classes} classes), LogisticRegression; train accuracy {state.history[-1].scores['train_score']:.3f}"
    )
    print(f"# {machine()}; median of {args.repeats} interleaved repeats; memory = tracemalloc peak above baseline")
    print(f"# k-center radius of the labeled set alone: {k_center_radius(X, labeled):.3f}")
    rows = []
    for name, batch in batches.items():
        valid = batch.shape == (k,) and np.unique(batch).size == k and not np.isin(batch, labeled).any()
        timed = name in seconds
        rows.append(
            [
                name,
                seconds[name] if timed else "",
                mib(memory[name]) if timed else "",
                "yes" if valid else "NO",
                k_center_radius(X, np.concatenate([labeled, batch])),
                float(gradient_norms(state.model, X, batch).mean()),
            ]
        )
    print_table(["method", "median s", "peak extra MiB", "valid batch", "k-center radius", "mean gradient norm"], rows)
    pairs = [("alfunc k_center_greedy", "scikit-activeml CoreSet"), ("alfunc badge", "scikit-activeml Badge")]
    for ours, theirs in pairs:
        if ours in seconds and theirs in seconds:
            overlap = np.intersect1d(batches[ours], batches[theirs]).size
            print(
                f"  {ours} vs {theirs}: {seconds[ours] / seconds[theirs]:.3g}x the time, "
                f"{memory[ours] / max(memory[theirs], 1):.3g}x the peak memory, {overlap}/{k} picks in common"
            )
    for name in [name for name in seconds if "ids" in name]:
        base = name.split(",")[0]
        same = set(batches[name].tolist()) == set(batches[base].tolist())
        print(
            f"  {name}: {seconds[name] / seconds[base]:.3g}x the time of {base}, same batch: {'yes' if same else 'NO'}"
        )


if __name__ == "__main__":
    main()
