"""Committee, density, expected-error and combined strategies
==========================================================

Area under the learning curve of the committee, density, expected-error and combined strategies next to random and margin.

For each dataset (iris, wine, breast cancer) and seed (0-4): a stratified
70/30 train/test split; the pool is standardised with a scaler fitted on the
pool rows only (unlabeled data is available in pool-based AL); a run of
LogisticRegression(max_iter=1000) from 10 random initial labels (the same for
every strategy under a seed) in batches of 5 up to 60 labels. The area under
the learning curve is the mean test accuracy over the 11 fits. Nothing is tuned.

    python examples/compare_strategies.py            # about 10 minutes on one core
    python examples/compare_strategies.py --seeds 2  # quicker look
    python examples/compare_strategies.py --quick    # 1 seed, 5 EER candidates: what these pages run

A second table does the same for regression: diabetes, Ridge, R^2 on the
test split (plain 70/30 split), random next to committee variance.

The ``exp3`` bandit reads its reward from the recorded test accuracy, i.e. it
sees the test set; in a real run it would need a separate validation set.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import alfunc as al
from alfunc.strategies import (
    exp3,
    expected_error_reduction,
    mix,
    rank_product,
    weighted,
)

DATASETS = {"iris": load_iris, "wine": load_wine, "breast_cancer": load_breast_cancer}


def strategies(eer_candidates: int = 20) -> dict:
    """The compared strategies by label; expected error reduction scores ``eer_candidates`` sampled candidates."""
    return {
        "random": "random",
        "margin": "margin",
        "vote_entropy": "vote_entropy",
        "kl_divergence (= bald over bagging)": "kl_divergence",
        "information_density": "information_density",
        "dwus": "dwus",
        f"eer_log_loss ({eer_candidates} candidates)": expected_error_reduction(
            "log_loss", n_candidates=eer_candidates
        ),
        f"eer_zero_one ({eer_candidates} candidates)": expected_error_reduction(
            "zero_one", n_candidates=eer_candidates
        ),
        "weighted(margin=.7, dwus=.3)": weighted(margin=0.7, dwus=0.3),
        "rank_product(margin, inf. density)": rank_product("margin", "information_density"),
        "mix(.5, margin, random)": mix(0.5, "margin", "random"),
        "exp3(margin, random, inf. density)": exp3(["margin", "random", "information_density"]),
    }


STRATEGIES = strategies()


REGRESSION_STRATEGIES = ("random", "committee_variance")


def learning_curve_area(dataset: str, strategy, seed: int, estimator=None) -> float:
    """Mean test score (accuracy, or R^2 for regression) over every fit of one run."""
    X, y = (load_diabetes if estimator is not None else DATASETS[dataset])(return_X_y=True)
    stratify = None if estimator is not None else y
    X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=0.3, stratify=stratify, random_state=seed)
    scaler = StandardScaler().fit(X_pool)
    final = al.run(
        scaler.transform(X_pool),
        y_pool,
        estimator or LogisticRegression(max_iter=1000),
        strategy=strategy,
        n_init=10,
        batch_size=5,
        budget=60,
        X_test=scaler.transform(X_test),
        y_test=y_test,
        random_state=seed,
    )
    return float(np.mean([record.scores["test_score"] for record in final.history]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1 seed, 5 EER candidates (what the docs build runs)")
    args = parser.parse_args()
    seeds = range(1 if args.quick else args.seeds)
    compared = strategies(5 if args.quick else 20)
    print(f"mean test accuracy over the learning curve (10 -> 60 labels, batches of 5), {len(seeds)} seeds: mean (std)")
    print(f"{'strategy':38s}" + "".join(f"{name:>18s}" for name in DATASETS) + f"{'seconds':>10s}")
    with threadpool_limits(limits=1):
        for label, strategy in compared.items():
            started = time.perf_counter()
            cells = []
            for dataset in DATASETS:
                areas = [learning_curve_area(dataset, strategy, seed) for seed in seeds]
                cells.append(f"{np.mean(areas):.4f} ({np.std(areas):.4f})")
            print(
                f"{label:38s}" + "".join(f"{cell:>18s}" for cell in cells) + f"{time.perf_counter() - started:10.1f}",
                flush=True,
            )
        print("\nregression: mean test R^2 over the learning curve, diabetes, Ridge")
        for strategy in REGRESSION_STRATEGIES:
            areas = [learning_curve_area("diabetes", strategy, seed, Ridge()) for seed in seeds]
            print(f"{strategy:38s}{np.mean(areas):.4f} ({np.std(areas):.4f})", flush=True)


if __name__ == "__main__":
    main()
