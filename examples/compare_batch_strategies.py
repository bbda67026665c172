"""Batch strategies against random and margin
==========================================

Area under the learning curve of the batch strategies next to random and margin.

For iris, wine and breast cancer, and seeds 0-4: a stratified 70/30 train/test
split per seed, features standardised on the training part, LogisticRegression,
10 initial points, batches of 10, up to half the training pool labeled. The area
under the learning curve is the mean test accuracy over every fit of the run.
No strategy has tuned parameters. Prints a markdown table (mean +- std over
seeds) and the median selection time per query round.

    python examples/compare_batch_strategies.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import alfunc as al

DATASETS = {"iris": load_iris, "wine": load_wine, "breast_cancer": load_breast_cancer}
STRATEGIES = [
    "random",
    "margin",
    "k_center_greedy",
    "kmeans",
    "cluster_margin",
    "margin_k_center",
    "ranked_batch",
    "typiclust",
    "probcover",
]


def learning_curve_area(load, strategy: str, seed: int) -> tuple[float, float]:
    """Mean test accuracy over the run, and the median seconds spent selecting a batch."""
    X, y = load(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    final = al.run(
        X_train,
        y_train,
        LogisticRegression(max_iter=1000),
        strategy,
        n_init=10,
        batch_size=10,
        budget=len(y_train) // 2,
        X_test=X_test,
        y_test=y_test,
        random_state=seed,
    )
    area = float(np.mean([record.scores["test_score"] for record in final.history]))
    selection = [record.timings["select"] for record in final.history[1:]]
    return area, statistics.median(selection)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    seeds = range(parser.parse_args().seeds)
    areas = {
        (d, s): [learning_curve_area(load, s, seed) for seed in seeds]
        for d, load in DATASETS.items()
        for s in STRATEGIES
    }
    print("| strategy | " + " | ".join(DATASETS) + " | median select s |")
    print("|---" * (len(DATASETS) + 2) + "|")
    for strategy in STRATEGIES:
        cells = []
        for dataset in DATASETS:
            values = [area for area, _ in areas[dataset, strategy]]
            cells.append(f"{np.mean(values):.3f} ± {np.std(values):.3f}")
        times = [t for dataset in DATASETS for _, t in areas[dataset, strategy]]
        print(f"| {strategy} | " + " | ".join(cells) + f" | {statistics.median(times):.4f} |")


if __name__ == "__main__":
    main()
