"""``run``'s default of one BLAS thread against the libraries' own thread count, on small and large runs.

Each case times the same ``alfunc.run`` with ``blas_threads=1`` (the default)
and ``blas_threads=None`` (whatever BLAS and OpenMP would use), interleaved,
and prints the medians and their ratio: a ratio below 1 means the default is
faster. The cases: digits with logistic regression (a small run, many small
fits), a 20,000 x 20 pool with batch 100, and margin queries over a 200,000 x
20 pool (where the predictions dominate).

    python benchmarks/bench_blas_threads.py            # 5 repeats
    python benchmarks/bench_blas_threads.py --quick    # one repeat of smaller cases (smoke test)
"""

from __future__ import annotations

import argparse

from measure import interleaved_medians, machine, print_table
from sklearn.datasets import load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info

import alfunc as al


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one repeat of smaller cases")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
    return args


def cases(quick: bool) -> dict[str, dict]:
    X_digits, y_digits = load_digits(return_X_y=True)
    big = 20_000 if quick else 200_000
    X_mid, y_mid = make_classification(2_000 if quick else 20_000, 20, n_informative=10, n_classes=3, random_state=0)
    X_big, y_big = make_classification(big, 20, n_informative=10, n_classes=3, random_state=0)
    model = LogisticRegression(max_iter=500)
    return {
        "digits, batch 10, 20 rounds": dict(X=X_digits, y=y_digits, estimator=model, batch_size=10, max_iter=20),
        f"{len(X_mid):,} x 20, batch 100, 20 rounds": dict(
            X=X_mid, y=y_mid, estimator=model, batch_size=100, max_iter=20
        ),
        f"{big:,} x 20, batch 10, 5 rounds": dict(X=X_big, y=y_big, estimator=model, batch_size=10, max_iter=5),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    default_threads = max(pool["num_threads"] for pool in threadpool_info())
    print(f"# blas_threads=1 (default) vs None ({default_threads} threads here); {machine()}")
    rows = []
    for name, case in cases(args.quick).items():

        def one(threads: int | None, case: dict = case) -> None:
            al.run(
                case["X"],
                case["y"],
                case["estimator"],
                "margin",
                n_init=20,
                batch_size=case["batch_size"],
                max_iter=case["max_iter"],
                blas_threads=threads,
            )

        seconds = interleaved_medians({"one": lambda: one(1), "default": lambda: one(None)}, args.repeats)
        rows.append([name, seconds["one"], seconds["default"], seconds["one"] / seconds["default"]])
    print_table(["run", "blas_threads=1, s", "blas_threads=None, s", "ratio"], rows)


if __name__ == "__main__":
    main()
