"""A whole margin run until the pool is empty: alfunc ``run`` against a hand-written loop.

Both do the same work: the same initial set, one LogisticRegression fit per
round on every labeled row (in index order), the training score the engine
records, and a margin top-k query over the unlabeled rows. The difference is
the engine's overhead (state evolution, records, checks). ml-research's
``StandardAL`` (acquisition_func="breaking_ties") is measured when importable.

    python benchmarks/bench_run.py            # make_classification(20000, 20), n_init 10, batch 100
    python benchmarks/bench_run.py --quick    # 1,000 rows, one repeat (smoke test)
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np
from measure import interleaved_medians, machine, print_table, target
from reference import best_k, margin_utilities
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import alfunc as al


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20_000)
    parser.add_argument("--n-init", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true", help="skip ml-research")
    parser.add_argument("--quick", action="store_true", help="1,000 rows and one repeat (a smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples, args.repeats = 1_000, 1
    return args


def hand_loop(X: np.ndarray, y: np.ndarray, estimator, initial: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """The same run written directly with numpy and scikit-learn; returns the batches in order."""
    labeled = np.zeros(X.shape[0], dtype=bool)
    labeled[initial] = True
    batches = [initial]
    while True:
        model = clone(estimator).fit(X[labeled], y[labeled])
        model.score(X[labeled], y[labeled])
        if labeled.all():
            return batches
        unlabeled = np.flatnonzero(~labeled)
        batch = best_k(unlabeled, margin_utilities(model, X[unlabeled]), batch_size)[0]
        labeled[batch] = True
        batches.append(batch)


def first_difference(ours: list[np.ndarray], theirs: list[np.ndarray]) -> int | None:
    """The first round whose batch (as a set) differs, or None when every round agrees."""
    for round_, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        if set(a.tolist()) != set(b.tolist()):
            return round_
    return None if len(ours) == len(theirs) else min(len(ours), len(theirs))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    X, y = make_classification(args.n_samples, 20, random_state=0)
    estimator = LogisticRegression()
    initial = al.init_step(X, y, args.n_init, random_state=0).labeled
    run_alfunc = lambda: al.run(  # noqa: E731
        X, y, estimator, strategy="margin", n_init=args.n_init, batch_size=args.batch_size, random_state=0
    )
    methods = {
        "hand-written numpy/sklearn loop": lambda: hand_loop(X, y, estimator, initial, args.batch_size),
        "alfunc run": run_alfunc,
    }
    if not args.no_peers and importlib.util.find_spec("mlresearch") is not None:
        from mlresearch.active_learning import StandardAL

        methods["ml-research StandardAL"] = lambda: StandardAL(
            classifier=LogisticRegression(),
            acquisition_func="breaking_ties",
            n_init=args.n_init,
            budget=args.batch_size,
            random_state=0,
        ).fit(X, y)

    started = time.perf_counter()
    final = run_alfunc()
    one_run = time.perf_counter() - started
    alfunc_batches = [record.queried for record in final.history]
    hand_batches = hand_loop(X, y, estimator, initial, args.batch_size)
    differs = first_difference(alfunc_batches, hand_batches)
    assert final.n_labeled == args.n_samples and len(final.history) == len(hand_batches)
    recorded = sum(sum(record.timings.values()) for record in final.history)

    seconds = interleaved_medians(methods, args.repeats)
    hand = seconds["hand-written numpy/sklearn loop"]
    print(
        f"# margin run on make_classification({args.n_samples}, 20), LogisticRegression, n_init {args.n_init}, "
        f"batch {args.batch_size}, {len(final.history) - 1} query rounds until the pool is empty"
    )
    print(f"# {machine()}; median of {args.repeats} interleaved repeats")
    print_table(["method", "median s", "x hand-written loop"], [[name, s, s / hand] for name, s in seconds.items()])
    print(
        f"same batches as the hand-written loop: {'yes, every round' if differs is None else f'no, from round {differs}'}"
    )
    print(
        f"alfunc time outside its timed fit/score/select/oracle sections (one run, from its records): "
        f"{one_run - recorded:.3f} s of {one_run:.3f} s ({100 * (one_run - recorded) / one_run:.1f} %)"
    )
    print("targets:")
    overhead = seconds["alfunc run"] / hand - 1
    print(target("engine overhead <= 5 %", overhead <= 0.05, f"{100 * overhead:+.1f} %"))
    if "ml-research StandardAL" in seconds:
        ratio = seconds["alfunc run"] / seconds["ml-research StandardAL"]
        print(target("alfunc <= 1/3 of ml-research's time", ratio <= 1 / 3, f"{ratio:.2f} of its time"))
    else:
        print("  [skipped] ml-research (import name mlresearch) is not importable here")


if __name__ == "__main__":
    main()
