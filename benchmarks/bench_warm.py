"""Warm starts against cold refits: a whole margin run's time and final test accuracy.

``run(..., fit="warm")`` starts each round's LogisticRegression (lbfgs) from a
copy of the previous model's coefficients; ``fit="cold"`` fits a fresh clone
every round. Same pool, initial set and seed; a separate test set of 5,000
(1,000 with ``--quick``) scores every round's model: the table gives the test
accuracy after 20 rounds and at the end, and the area under the learning curve
(``alfunc.metrics.aulc``). Timings are medians of interleaved repeats, with one
BLAS thread.

    python benchmarks/bench_warm.py            # 20,000 x 20 pool, batch 100, 200 rounds
    python benchmarks/bench_warm.py --quick    # 2,000 x 20, batch 50, 10 rounds (smoke test)
"""

from __future__ import annotations

import argparse
import warnings

from measure import interleaved_medians, machine, print_table
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import alfunc as al
from alfunc.metrics import aulc


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 rows, batch 50, 10 rounds, one repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples, args.batch_size, args.rounds, args.repeats = 2_000, 50, 10, 1
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    n_test = 1_000 if args.quick else 5_000
    X, y = make_classification(args.n_samples + n_test, 20, n_informative=10, n_classes=3, random_state=0)
    X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=n_test, stratify=y, random_state=0)
    model = LogisticRegression(max_iter=1000)
    finals: dict[str, al.ALState] = {}

    def one(mode: str) -> None:
        finals[mode] = al.run(
            X_pool,
            y_pool,
            model,
            "margin",
            n_init=10,
            batch_size=args.batch_size,
            max_iter=args.rounds,
            X_test=X_test,
            y_test=y_test,
            fit=mode,
        )

    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # lbfgs at max_iter on some rounds, cold and warm alike
        seconds = interleaved_medians({mode: (lambda mode=mode: one(mode)) for mode in ("cold", "warm")}, args.repeats)
    curves = {mode: [record.scores["test_score"] for record in state.history] for mode, state in finals.items()}
    area = {mode: aulc([r.n_labeled for r in finals[mode].history], curves[mode]) for mode in finals}
    print(
        f"# warm vs cold refits, {len(X_pool):,} x 20 pool, batch {args.batch_size}, {args.rounds} rounds ({machine()})"
    )
    print_table(
        ["fit", "run, s (median)", "vs cold", "labeled", "test acc. round 20", "final test acc.", "AULC"],
        [
            [
                mode,
                seconds[mode],
                seconds[mode] / seconds["cold"],
                finals[mode].n_labeled,
                curves[mode][min(20, len(curves[mode]) - 1)],
                curves[mode][-1],
                area[mode],
            ]
            for mode in ("cold", "warm")
        ],
    )


if __name__ == "__main__":
    main()
