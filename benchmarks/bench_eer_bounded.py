"""One EER query by name (bounded by default) against the unbounded method, on iris and digits.

``eer_log_loss`` and ``eer_zero_one`` score ``N_CANDIDATES`` (16) seeded
candidates against ``N_EVALUATION`` (500) seeded evaluation points, so a query
costs ``16 x classes`` refits whatever the pool's size. The unbounded method
(``expected_error_reduction(loss, n_candidates=None, n_evaluation=None)``:
one refit per unlabeled point and class) is timed where it ends in reasonable
time (iris; ``--unbounded-digits`` adds digits with LogisticRegression).
Medians of ``--repeats`` interleaved calls, 20 labeled points, batch 10.

    PYTHONPATH=. OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_eer_bounded.py
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from measure import interleaved_medians, machine, print_table
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

import alfunc as al
from alfunc.strategies import expected_error_reduction

N_LABELED = 20
BATCH = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--unbounded-digits", action="store_true", help="also time the unbounded method on digits")
    parser.add_argument("--no-hgb", action="store_true", help="skip HistGradientBoosting")
    return parser.parse_args(argv)


def query_methods(state: al.ALState, X: Any, unbounded: bool) -> dict[str, Callable[[], Any]]:
    """One query by each registered EER name, and by the unbounded method when asked."""
    methods: dict[str, Callable[[], Any]] = {
        name: (lambda name=name: al.select(state, X, name, BATCH)) for name in ("eer_log_loss", "eer_zero_one")
    }
    if unbounded:
        whole = expected_error_reduction("log_loss", n_candidates=None, n_evaluation=None)
        methods["unbounded log_loss"] = lambda: al.select(state, X, whole, BATCH)
    return methods


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    cases = [("iris", load_iris, "LogisticRegression"), ("digits", load_digits, "LogisticRegression")]
    if not args.no_hgb:
        cases += [("iris", load_iris, "HistGradientBoosting"), ("digits", load_digits, "HistGradientBoosting")]
    print(f"# one EER query, batch {BATCH}, {N_LABELED} labeled; {machine()}; median of {args.repeats} repeats")
    rows = []
    for data, load, model_name in cases:
        X, y = load(return_X_y=True)
        model = (
            LogisticRegression(max_iter=1000)
            if model_name == "LogisticRegression"
            else HistGradientBoostingClassifier()
        )
        state = al.fit_step(al.init_step(X, y, n_init=N_LABELED, random_state=0), X, model)
        unbounded = data == "iris" and model_name == "LogisticRegression"
        unbounded |= args.unbounded_digits and model_name == "LogisticRegression"
        methods = query_methods(state, X, unbounded)
        seconds = interleaved_medians(methods, args.repeats)
        for name, value in seconds.items():
            ratio = seconds.get("unbounded log_loss", float("nan")) / value
            rows.append([data, model_name, name, value, ratio])
    print_table(["data", "model", "strategy", "median s", "unbounded log_loss / this"], rows)


if __name__ == "__main__":
    main()
