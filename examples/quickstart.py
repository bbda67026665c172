"""Quick start: margin against random sampling
===========================================

Margin sampling against random sampling on scikit-learn's digits. Runs a paired simulation (same seeds, so the same initial set and test split for
both strategies) and prints the mean learning curve: test accuracy against the
number of labeled points.

    python examples/quickstart.py
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import alfunc as al

STRATEGIES = ("random", "margin")
SEEDS = range(3)


def learning_curve(strategy: str, seed: int) -> tuple[list[int], list[float]]:
    """Labeled-set sizes and test accuracies of one run."""
    X, y = load_digits(return_X_y=True)
    X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    final = al.run(
        X_pool,
        y_pool,
        model,
        strategy=strategy,
        n_init=20,
        batch_size=20,
        budget=300,
        X_test=X_test,
        y_test=y_test,
        random_state=seed,
    )
    return [r.n_labeled for r in final.history], [r.scores["test_score"] for r in final.history]


def main() -> None:
    curves = {s: [learning_curve(s, seed) for seed in SEEDS] for s in STRATEGIES}
    sizes = curves[STRATEGIES[0]][0][0]
    means = {s: np.mean([scores for _, scores in runs], axis=0) for s, runs in curves.items()}
    print(f"digits, LogisticRegression, mean test accuracy over {len(SEEDS)} seeds")
    print("n_labeled  " + "  ".join(f"{s:>8}" for s in STRATEGIES))
    for i, n in enumerate(sizes):
        print(f"{n:>9}  " + "  ".join(f"{means[s][i]:8.3f}" for s in STRATEGIES))
    print(f"{'mean':>9}  " + "  ".join(f"{means[s].mean():8.3f}" for s in STRATEGIES))


if __name__ == "__main__":
    main()
