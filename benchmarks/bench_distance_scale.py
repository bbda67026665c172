"""The distance/diversity strategies on big pools, against plain-numpy floors and peers (issue 14).

For each pool size (default 10,000, 100,000 and 1,000,000 rows x 20 float64
features: three Gaussian blobs), a LogisticRegression fitted on 1,000 labeled
rows, and batch sizes 10 and 100: the median time of alfunc ``select`` with
each strategy, its peak extra memory (``tracemalloc``, separate untimed call),
the floor (a few lines of plain numpy doing the same computation; see the
``floor_*`` functions) and the ratio, and the peers when importable:
scikit-activeml ``CoreSet`` (k-center), modAL ``uncertainty_batch_sampling``
(ranked batch; pools of at most 100,000 rows, it builds unlabeled x labeled
distances) and modAL ``information_density`` (pools of at most 10,000 rows,
it builds the pool x pool similarity matrix).

Run with one BLAS thread, in the environment that has the peers::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONPATH=. /work/benchvenv/bin/python \\
        benchmarks/bench_distance_scale.py

``--quick`` runs a 5,000-row pool once (the smoke test). ``--sizes``,
``--batches``, ``--repeats``, ``--strategies`` and ``--no-peers`` narrow it.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import interleaved_medians, machine, mib, peak_extra_bytes, print_table  # noqa: E402

import alfunc as al  # noqa: E402
from alfunc.strategies.centres import kmeans_rows  # noqa: E402

CHUNK = 65536
STRATEGIES = (
    "k_center_greedy",
    "information_density",
    "dwus",
    "cluster_margin",
    "margin_k_center",
    "ranked_batch",
    "kmeans",
)


def make_pool(n: int, width: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs in ``width`` dimensions: rows and their blob."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(3, width))
    y = rng.integers(0, 3, n)
    return centres[y] + rng.normal(size=(n, width)), y


def sq_norms(X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", X, X)


def floor_nearest_sq(X: np.ndarray, xn: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared distance of every row to its nearest centre: one chunked matrix product."""
    cn, weights = sq_norms(centres), -2.0 * centres.T
    out = np.empty(len(X))
    step = max(1, (1 << 18) // len(centres))
    for s in range(0, len(X), step):
        block = X[s : s + step] @ weights
        block += cn
        out[s : s + step] = block.min(axis=1) + xn[s : s + step]
    return out


def floor_shrink(X: np.ndarray, xn: np.ndarray, centre: np.ndarray, near: np.ndarray) -> None:
    """Lower ``near`` (squared) by the squared distance to ``centre``: one chunked pass."""
    cn = centre @ centre
    for s in range(0, len(X), CHUNK):
        d = X[s : s + CHUNK] @ centre
        d *= -2.0
        d += xn[s : s + CHUNK]
        d += cn
        np.minimum(near[s : s + CHUNK], d, out=near[s : s + CHUNK])


def floor_k_center(X: np.ndarray, labeled: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[int]:
    """k-center greedy in plain numpy (over ``rows`` if given, else the whole pool)."""
    pool = X if rows is None else X[rows]
    xn = sq_norms(pool)
    near = floor_nearest_sq(pool, xn, X[labeled])
    if rows is None:
        near[labeled] = -np.inf
    picks = []
    for _ in range(k):
        pick = int(np.argmax(near))
        picks.append(pick)
        floor_shrink(pool, xn, pool[pick], near)
        near[pick] = -np.inf
    return picks if rows is None else rows[picks].tolist()


def chunked_proba(model: Any, X: np.ndarray) -> Any:
    for s in range(0, len(X), CHUNK):
        yield s, model.predict_proba(X[s : s + CHUNK])


def top_k(scores: np.ndarray, labeled: np.ndarray, k: int) -> np.ndarray:
    scores[labeled] = -np.inf
    return np.argpartition(-scores, k)[:k]


def floor_information_density(model: Any, X: np.ndarray, labeled: np.ndarray, reference: np.ndarray, k: int):
    R = X[reference]
    mean_unit = (R / np.linalg.norm(R, axis=1)[:, None]).mean(axis=0)
    scores = np.empty(len(X))
    for s, P in chunked_proba(model, X):
        block = X[s : s + CHUNK]
        entropy = -(P * np.log(np.where(P > 0, P, 1.0))).sum(axis=1)
        scores[s : s + CHUNK] = entropy * (1.0 + block @ mean_unit / np.sqrt(sq_norms(block))) / 2.0
    return top_k(scores, labeled, k)


def floor_dwus(model: Any, X: np.ndarray, labeled: np.ndarray, reference: np.ndarray, k: int):
    R = X[reference]
    between = cdist(R, R)
    h2 = 2.0 * np.median(between[~np.eye(len(R), dtype=bool)]) ** 2
    weights, rn = 2.0 * R.T / h2, sq_norms(R) / h2
    scores = np.empty(len(X))
    for s, P in chunked_proba(model, X):
        entropy = -(P * np.log(np.where(P > 0, P, 1.0))).sum(axis=1)
        for t in range(s, min(s + CHUNK, len(X)), 1024):
            block = X[t : t + 1024]
            e = block @ weights
            e -= rn
            e -= (sq_norms(block) / h2)[:, None]
            np.exp(e, out=e)
            scores[t : t + 1024] = entropy[t - s : t - s + 1024] * e.mean(axis=1)
    return top_k(scores, labeled, k)


def margins(model: Any, X: np.ndarray) -> np.ndarray:
    out = np.empty(len(X))
    for s, P in chunked_proba(model, X):
        top2 = np.partition(P, -2, axis=1)[:, -2:]
        out[s : s + CHUNK] = 1.0 - (top2[:, 1] - top2[:, 0])
    return out


def nearest_to_centres(rows: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return cdist(rows, centres).argmin(axis=0)


def floor_cluster_margin(model: Any, X: np.ndarray, labeled: np.ndarray, k: int):
    kept = top_k(margins(model, X), labeled, 10 * k)
    fitted = KMeans(n_clusters=k, n_init=1, random_state=0).fit(X[kept])
    return kept[nearest_to_centres(X[kept], fitted.cluster_centers_)]


def floor_margin_k_center(model: Any, X: np.ndarray, labeled: np.ndarray, k: int):
    kept = np.sort(top_k(margins(model, X), labeled, 10 * k))
    return floor_k_center(X, labeled, k, rows=kept)


def floor_ranked_batch(model: Any, X: np.ndarray, labeled: np.ndarray, k: int):
    uncertainty = np.empty(len(X))
    for s, P in chunked_proba(model, X):
        uncertainty[s : s + CHUNK] = 1.0 - P.max(axis=1)
    xn = sq_norms(X)
    near = floor_nearest_sq(X, xn, X[labeled])
    unlabeled, picks = len(X) - len(labeled), []
    eligible = np.ones(len(X), dtype=bool)
    eligible[labeled] = False
    for step in range(k):
        alpha = (unlabeled - step) / len(X)
        value = alpha * (1.0 - 1.0 / (1.0 + np.sqrt(np.maximum(near, 0.0)))) + (1.0 - alpha) * uncertainty
        value[~eligible] = -np.inf
        pick = int(np.argmax(value))
        picks.append(pick)
        eligible[pick] = False
        floor_shrink(X, xn, X[pick], near)
    return picks


def floor_kmeans(X: np.ndarray, labeled: np.ndarray, k: int, seed: int = 0):
    """The same bounded computation: k-means on a seeded sample of the candidates, the row nearest each centre."""
    candidates = np.setdiff1d(np.arange(len(X)), labeled)
    limit = kmeans_rows(k)
    if candidates.size > limit:
        candidates = np.sort(np.random.default_rng(seed).choice(candidates, limit, replace=False))
    rows = X[candidates]
    fitted = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(rows)
    return candidates[nearest_to_centres(rows, fitted.cluster_centers_)]


def floors(name: str, model: Any, X: np.ndarray, labeled: np.ndarray, reference: np.ndarray, k: int) -> Callable:
    return {
        "k_center_greedy": lambda: floor_k_center(X, labeled, k),
        "information_density": lambda: floor_information_density(model, X, labeled, reference, k),
        "dwus": lambda: floor_dwus(model, X, labeled, reference, k),
        "cluster_margin": lambda: floor_cluster_margin(model, X, labeled, k),
        "margin_k_center": lambda: floor_margin_k_center(model, X, labeled, k),
        "ranked_batch": lambda: floor_ranked_batch(model, X, labeled, k),
        "kmeans": lambda: floor_kmeans(X, labeled, k),
    }[name]


def peers(name: str, X: np.ndarray, y: np.ndarray, labeled: np.ndarray, k: int) -> dict[str, Callable]:
    """Peer implementations of ``name`` that are importable and fit in memory at this size."""
    found: dict[str, Callable] = {}
    n = len(X)
    if name == "k_center_greedy" and importlib.util.find_spec("skactiveml") is not None:
        from skactiveml.pool import CoreSet

        y_partial = np.full(n, np.nan)
        y_partial[labeled] = y[labeled]
        found["scikit-activeml CoreSet"] = lambda: CoreSet(random_state=0).query(X, y_partial, batch_size=k)
    if name in ("ranked_batch", "information_density") and importlib.util.find_spec("modAL") is not None:
        unlabeled = np.setdiff1d(np.arange(n), labeled)
        if name == "ranked_batch" and n <= 100_000:
            from modAL.batch import uncertainty_batch_sampling
            from modAL.models import ActiveLearner

            learner = ActiveLearner(LogisticRegression(max_iter=1000), X_training=X[labeled], y_training=y[labeled])
            found["modAL ranked batch"] = lambda: uncertainty_batch_sampling(learner, X[unlabeled], n_instances=k)
        if name == "information_density" and n <= 10_000:
            from modAL.density import information_density

            model = LogisticRegression(max_iter=1000).fit(X[labeled], y[labeled])

            def modal_density() -> np.ndarray:
                P = model.predict_proba(X[unlabeled])
                entropy = -(P * np.log(np.where(P > 0, P, 1.0))).sum(axis=1)
                scores = entropy * information_density(X[unlabeled], "cosine")
                return unlabeled[np.argpartition(-scores, k)[:k]]

            found["modAL information_density"] = modal_density
    return found


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--batches", default="10,100")
    parser.add_argument("--width", type=int, default=20)
    parser.add_argument("--n-labeled", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--quick", action="store_true", help="one 5,000-row pool, one repeat (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats, args.n_labeled = "5000", 1, 200
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(machine())
    header = [
        "strategy",
        "n",
        "batch",
        "alfunc s",
        "floor s",
        "x floor",
        "alfunc MiB",
        "floor MiB",
        "peer",
        "peer s",
        "peer / alfunc",
    ]
    rows: list[list[Any]] = []
    for n in (int(size) for size in args.sizes.split(",")):
        X, y = make_pool(n, args.width)
        state = al.init_step(X, y, n_init=args.n_labeled, random_state=0)
        state = al.fit_step(state, X, LogisticRegression(max_iter=1000))
        labeled, model = state.labeled, state.model
        reference = np.sort(
            np.random.default_rng(1).choice(state.unlabeled(), min(1000, n - len(labeled)), replace=False)
        )
        for name in args.strategies.split(","):
            for k in (int(batch) for batch in args.batches.split(",")):
                methods = {
                    "alfunc": lambda name=name, k=k, state=state, X=X: al.select(state, X, name, k),
                    "floor": floors(name, model, X, labeled, reference, k),
                }
                found = {} if args.no_peers else peers(name, X, y, labeled, k)
                methods.update(found)
                times = interleaved_medians(methods, args.repeats)
                memory = {"alfunc": math.nan, "floor": math.nan}
                if not args.no_memory:
                    for method in ("alfunc", "floor"):
                        memory[method] = mib(peak_extra_bytes(methods[method])[0])
                peer_cells: list[Any] = ["-", "-", "-"]
                for peer in found:
                    peer_cells = [peer, times[peer], times[peer] / times["alfunc"]]
                row = [
                    name,
                    n,
                    k,
                    times["alfunc"],
                    times["floor"],
                    times["alfunc"] / times["floor"],
                    memory["alfunc"],
                    memory["floor"],
                    *peer_cells,
                ]
                rows.append(row)
                print("  " + " | ".join(str(round(v, 3)) if isinstance(v, float) else str(v) for v in row), flush=True)
    print()
    print_table(header, rows)


if __name__ == "__main__":
    main()
