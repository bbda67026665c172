"""Second-wave ensemble strategies on a 100,000 x 64 pool, batch 100: time and peak memory, next to scikit-activeml.

The pool is ``make_classification(100_000, 64, n_informative=20, n_classes=4,
random_state=0)``, 500 seeded labeled points. Two committees: a random forest
of 10 trees (``max_depth=12``, the state's model, read with
``ensemble_members()``) and 10 bagged LogisticRegressions (``bagging(10)`` of
the state's LogisticRegression). Each alfunc strategy picks a batch of 100
with ``select``:

* ``batchbald`` (forest; and over the bagged committee), ``epig`` (forest),
* ``power_margin``, ``softrank_margin``, ``class_balanced_margin`` (on the
  LogisticRegression), ``power_bald`` (forest),
* ``bald`` (forest) and ``margin`` as the greedy baselines they refine;

and scikit-activeml's ``BatchBALD().query(X, y, ensemble, fit_ensemble=False,
batch_size=100)`` over the same forest (``SklearnClassifier`` fitted on the
same labeled rows with the same seed; the script checks that its trees give
alfunc's probabilities), with its default ``n_MC_samples`` (one configuration
per member). alfunc's ``batchbald(n_configurations=10)`` runs on the same
forest for the agreement line: both are exact for the first two picks (4
configurations of one label, then 16 > 10 are sampled), so those must
agree; later picks come from different random draws, so the script prints
the overlap of the two batches.

Time: median of ``--repeats`` calls (1 BLAS thread: set
``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1``), interleaved; memory: peak
bytes ``tracemalloc`` sees above what was live before one separate call.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/bench_second_wave_ensemble.py
    python benchmarks/bench_second_wave_ensemble.py --quick     # 5,000 x 16, batch 20, one repeat
"""

from __future__ import annotations

import argparse
import importlib.util

import numpy as np
from measure import interleaved_medians, machine, mib, peak_extra_bytes, print_table
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.strategies import bagging, bald, batchbald, epig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=64)
    parser.add_argument("--n-labeled", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--n-members", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true", help="skip scikit-activeml")
    parser.add_argument("--quick", action="store_true", help="5,000 x 16, 100 labeled, batch 20, one repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_pool, args.n_features, args.n_labeled, args.batch_size, args.repeats = 5_000, 16, 100, 20, 1
    return args


def main(argv: list[str] | None = None) -> dict[str, list]:
    args = parse_args(argv)
    X, y = make_classification(
        n_samples=args.n_pool, n_features=args.n_features, n_informative=min(20, args.n_features // 2),
        n_classes=4, random_state=0,
    )  # fmt: skip
    start = al.init_step(X, y, n_init=args.n_labeled, random_state=0)
    forest_model = RandomForestClassifier(n_estimators=args.n_members, max_depth=12, random_state=0)
    forest = al.fit_step(start, X, forest_model)
    linear = al.fit_step(start, X, LogisticRegression(max_iter=1000))
    k = args.batch_size
    methods = {
        "alfunc batchbald (forest)": lambda: al.select(forest, X, batchbald(), k, return_utilities=True),
        "alfunc batchbald(bagging(10)) (bagged LR)": lambda: al.select(
            linear, X, batchbald(bagging(args.n_members)), k, return_utilities=True
        ),
        "alfunc epig (forest)": lambda: al.select(forest, X, epig(), k, return_utilities=True),
        "alfunc power_bald (forest)": lambda: al.select(forest, X, "power_bald", k, return_utilities=True),
        "alfunc power_margin (LR)": lambda: al.select(linear, X, "power_margin", k, return_utilities=True),
        "alfunc softrank_margin (LR)": lambda: al.select(linear, X, "softrank_margin", k, return_utilities=True),
        "alfunc class_balanced_margin (LR)": lambda: al.select(
            linear, X, "class_balanced_margin", k, return_utilities=True
        ),
        "alfunc bald, greedy (forest)": lambda: al.select(forest, X, bald(), k, return_utilities=True),
        "alfunc margin, greedy (LR)": lambda: al.select(linear, X, "margin", k, return_utilities=True),
        "alfunc batchbald(n_configurations=10) (forest)": lambda: al.select(
            forest, X, batchbald(n_configurations=10), k, return_utilities=True
        ),
    }
    peer = None if args.no_peers else scikit_activeml_batchbald(X, y, forest, args)
    if peer is not None:
        methods["scikit-activeml BatchBALD (forest)"] = peer
    print(f"{machine()}; pool {args.n_pool} x {args.n_features}, {args.n_labeled} labeled, batch {k}, "
          f"{args.n_members} members, {args.repeats} repeats")  # fmt: skip
    times = interleaved_medians(methods, args.repeats)
    rows, batches = [], {}
    for name, method in methods.items():
        peak, answer = peak_extra_bytes(method)
        indices = np.asarray(answer[0] if isinstance(answer, tuple) else answer)
        valid = indices.size == k and np.unique(indices).size == k and not forest.labeled_mask()[indices].any()
        batches[name] = indices
        rows.append(
            [name, times[name], times[name] / times["alfunc margin, greedy (LR)"], mib(peak), "yes" if valid else "NO"]
        )
    print_table(["method", "median s", "x margin", "peak extra MiB", "k distinct unlabeled"], rows)
    if peer is not None:
        _, gains = methods["alfunc batchbald(n_configurations=10) (forest)"]()
        their_picks, their_utilities = methods["scikit-activeml BatchBALD (forest)"]()
        theirs = their_utilities[np.arange(2), their_picks[:2]]  # joint information of the first 1 and 2 picks
        ours = np.cumsum(gains[:2])
        agree = np.allclose(ours, theirs, atol=1e-4)  # they clip probabilities at 1e-7; trees give zeros
        print(f"scikit-activeml's trees give alfunc's probabilities: {'yes' if peer.same_probabilities else 'NO'}")
        print(
            f"joint information of the first two (exact) picks: alfunc {np.round(ours, 5).tolist()}, "
            f"scikit-activeml {np.round(theirs, 5).tolist()}: {'agree' if agree else 'DISAGREE'}"
        )
        overlap = np.intersect1d(batches["alfunc batchbald(n_configurations=10) (forest)"], their_picks).size
        print(f"batch overlap with scikit-activeml (ties and later random draws differ): {overlap} of {k}")
    else:
        print("[skipped] scikit-activeml is not importable here" if not args.no_peers else "[skipped] --no-peers")
    return {row[0]: row[1:] for row in rows}


def scikit_activeml_batchbald(X: np.ndarray, y: np.ndarray, forest: al.ALState, args: argparse.Namespace):
    """scikit-activeml's BatchBALD over a forest fitted like alfunc's, or None when it is not importable."""
    if importlib.util.find_spec("skactiveml") is None:
        return None
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.pool import BatchBALD
    from skactiveml.utils import MISSING_LABEL

    y_partial = np.full(len(y), MISSING_LABEL)
    y_partial[forest.labeled] = y[forest.labeled]
    model = RandomForestClassifier(n_estimators=args.n_members, max_depth=12, random_state=0)
    wrapped = SklearnClassifier(model, classes=np.unique(y), random_state=0).fit(X, y_partial)
    sample = forest.unlabeled()[:2000]
    ours = np.stack([tree.predict_proba(X[sample]) for tree in forest.model.estimators_])
    theirs = np.stack([tree.predict_proba(X[sample]) for tree in wrapped.estimator_.estimators_])

    def query():
        return BatchBALD(random_state=0).query(
            X, y_partial, wrapped, fit_ensemble=False, batch_size=args.batch_size, return_utilities=True
        )

    query.same_probabilities = bool(np.allclose(ours, theirs))  # type: ignore[attr-defined]
    return query


if __name__ == "__main__":
    main()
