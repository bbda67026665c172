"""Comparing strategies with paired statistics
=============================================

Active-learning curves vary a lot from one seed to the next: the initial
labeled set and the test split alone move a curve by more than the gap
between two good strategies. Comparisons are therefore *paired*: under a seed,
every strategy gets the same split, scaling and initial set
(``alfunc.experiments.experiment_grid`` builds such a grid), and each strategy
is compared with random sampling seed by seed.

This example runs margin, entropy and random sampling with a logistic
regression on scikit-learn's wine data, 10 seeds, 10 initial labels and
batches of 5 up to 60 labels, then

* draws the mean learning curve of each strategy (test accuracy against the
  number of labels, with a band of one standard deviation over seeds);
* draws, per seed, the difference of each strategy's area under the learning
  curve (AULC, ``alfunc.metrics.aulc``) from random's;
* prints ``alfunc.metrics.paired_comparison`` for each strategy against
  random: mean difference and its standard error, wins/ties/losses over seeds
  and the Wilcoxon signed-rank p-value, and the strategies' mean ranks with a
  Friedman test (``alfunc.metrics.rank_strategies``).

    python examples/plot_paired_comparison.py [--seeds 10]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from alfunc.experiments import experiment_grid, run_grid  # noqa: E402
from alfunc.metrics import paired_comparison, rank_strategies  # noqa: E402

STRATEGIES = ("margin", "entropy", "random")


def run_comparison(seeds: int) -> list[dict]:
    """Every run of the paired grid, as the results file holds them (one dict per run)."""
    grid = experiment_grid(["wine"], list(STRATEGIES), seeds=seeds, batch_sizes=5, n_init=10, budget=60)
    with tempfile.TemporaryDirectory() as folder:
        return run_grid(grid, Path(folder) / "results.jsonl")


def by_strategy(results: list[dict], key: str) -> dict[str, np.ndarray]:
    """``key`` of each run, per strategy, ordered by seed (so position i is seed i for every strategy)."""
    table: dict[str, dict[int, object]] = {s: {} for s in STRATEGIES}
    for row in results:
        value = row["metrics"][key] if key in row["metrics"] else row[key]
        table[row["run"]["strategy"]][row["run"]["seed"]] = value
    return {s: np.array([runs[seed] for seed in sorted(runs)]) for s, runs in table.items()}


def plot_curves(results: list[dict]) -> plt.Figure:
    """Mean test accuracy against labels, one line and a +-1 sd band per strategy."""
    curves = by_strategy(results, "test_score")
    n_labeled = results[0]["n_labeled"]
    figure, ax = plt.subplots(figsize=(6.4, 4.2))
    for strategy, scores in curves.items():
        mean, sd = scores.mean(axis=0), scores.std(axis=0)
        ax.plot(n_labeled, mean, marker="o", markersize=3, label=strategy)
        ax.fill_between(n_labeled, mean - sd, mean + sd, alpha=0.15)
    ax.set_xlabel("labeled points")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"wine, logistic regression: mean of {len(curves['random'])} paired seeds (band: ±1 sd)")
    ax.legend(title="strategy", loc="lower right")
    ax.grid(alpha=0.3)
    return figure


def plot_differences(areas: dict[str, np.ndarray]) -> plt.Figure:
    """Per seed, each strategy's AULC minus random's: points above 0 are seeds the strategy won."""
    figure, ax = plt.subplots(figsize=(6.4, 3.6))
    others = [s for s in STRATEGIES if s != "random"]
    for position, strategy in enumerate(others):
        delta = areas[strategy] - areas["random"]
        jitter = np.linspace(-0.12, 0.12, len(delta))
        ax.scatter(position + jitter, delta, alpha=0.7)
        ax.errorbar(position + 0.25, delta.mean(), yerr=delta.std(ddof=1) / np.sqrt(len(delta)), fmt="k_", capsize=4)
    ax.axhline(0.0, color="grey", linewidth=1)
    ax.set_xticks(range(len(others)), [f"{s} − random" for s in others])
    ax.set_xlim(-0.5, len(others) - 0.5)
    ax.set_ylabel("Δ AULC (test accuracy)")
    ax.set_title("paired differences from random: one point per seed\n(black: mean ± standard error)")
    ax.grid(axis="y", alpha=0.3)
    return figure


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args(argv)

    results = run_comparison(args.seeds)
    areas = by_strategy(results, "aulc_trapezoid")
    print(f"wine, logistic regression, {args.seeds} paired seeds; AULC of test accuracy, 10 -> 60 labels")
    print(f"{'strategy':<9} {'AULC':>6} {'Δ vs random':>12} {'± SE':>6} {'W/T/L':>8} {'Wilcoxon p':>11}")
    comparisons = {}
    for strategy in STRATEGIES:
        line = f"{strategy:<9} {areas[strategy].mean():6.3f}"
        if strategy != "random":
            versus = paired_comparison(areas[strategy], areas["random"])
            comparisons[strategy] = versus
            record = f"{versus.wins}/{versus.ties}/{versus.losses}"
            line += f" {versus.mean_delta:+12.3f} {versus.standard_error:6.3f} {record:>8} {versus.p_value:11.3f}"
        print(line)
    ranking = rank_strategies(np.column_stack([areas[s] for s in STRATEGIES]), list(STRATEGIES))
    ranks = ", ".join(f"{s} {r:.2f}" for s, r in zip(STRATEGIES, ranking.mean_ranks, strict=True))
    print(f"mean rank over seeds (1 = best): {ranks}; Friedman p = {ranking.p_value:.3f}")

    plot_curves(results)
    plot_differences(areas)
    return {"areas": areas, "comparisons": comparisons, "ranking": ranking}


if __name__ == "__main__":
    main()
