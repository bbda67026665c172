"""Does the second wave help? AULC of the new strategies next to random and margin on bundled datasets.

For each dataset (default: digits, breast_cancer, wine and the catalog's
``classification``, a 1,000 x 20 three-class ``make_classification``), 10
paired seeds and batches of 10 and 50: ``alfunc.experiments.experiment_grid``
(stratified 75/25 split per seed, features standardised on the pool, 10
initial points, LogisticRegression) run until half the pool is labeled (the
same rule for every dataset; nothing is tuned per dataset), then
``alfunc.experiments.summarize`` pairs every strategy with random and with
margin seed by seed. Strategies that read the members of an ensemble (BALD
and its batch versions) get a second grid with a random forest, where random
and margin run again as their references.

The strategies are random, margin and every registered strategy that is not
one of the first wave's (so names other helpers add, such as BatchBALD,
EPIG, stochastic or class-balanced variants, are picked up), plus any name
in ``EXPECTED`` (a name that is not registered is skipped with a note).
Prints, per setting, the mean AULC ± SE over seeds (normalised trapezoid
area of the test-accuracy curve), the paired mean difference ± SE and the
wins/ties/losses against random and against margin, then the totals over
settings.

    python benchmarks/second_wave_evidence.py                       # the full evidence (hours; resumable)
    python benchmarks/second_wave_evidence.py --results runs.jsonl  # keep the results to resume or re-summarise
    python benchmarks/second_wave_evidence.py --quick               # wine, 2 seeds, batch 10, budget 30 (smoke)
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections import defaultdict
from pathlib import Path

import alfunc as al
from alfunc.experiments import experiment_grid, load_dataset, run_grid, summarize
from alfunc.strategies import needs_ensemble, needs_regressor

FIRST_WAVE = frozenset(
    "random least_confident margin breaking_ties entropy vote_entropy kl_divergence bald information_density dwus "
    "eer_log_loss eer_zero_one committee_variance k_center_greedy kmeans cluster_margin margin_k_center "
    "ranked_batch typiclust probcover gsx gsy igs badge".split()
)
EXPECTED = (
    "bait",
    "dropquery",
    "falcun",
    "clue",
    "maxherding",
    "batchbald",
    "epig",
    "stochastic_margin",
    "power_margin",
    "softmax_margin",
    "softrank_margin",
    "class_balanced_margin",
)
REFERENCES = ("random", "margin")
DATASETS = ("digits", "breast_cancer", "wine", "classification")
TEST_SIZE = 0.25


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", nargs="+", default=None, help="default: see the module docstring")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[10, 50])
    parser.add_argument("--n-init", type=int, default=10)
    parser.add_argument("--budget", type=int, default=None, help="default: half of each dataset's pool")
    parser.add_argument("--results", default=None, help="JSON-lines results file (default: a temporary one)")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="wine, 2 seeds, batch 10, budget 30")
    args = parser.parse_args(argv)
    if args.quick:
        args.datasets, args.seeds, args.batch_sizes, args.budget = ["wine"], 2, [10], 30
    return args


def chosen_strategies(names: list[str] | None) -> list[str]:
    """random, margin, then the requested (or second-wave) names that are registered; notes for the others."""
    wanted = list(names) if names is not None else [n for n in al.STRATEGIES if n not in FIRST_WAVE] + list(EXPECTED)
    chosen = list(REFERENCES)
    for name in dict.fromkeys(wanted):
        if name in chosen:
            continue
        if name not in al.STRATEGIES:
            print(f"  [skipped] {name!r} is not a registered strategy in this version")
        elif needs_regressor(al.STRATEGIES[name]):
            print(f"  [skipped] {name!r} is a regression strategy")
        else:
            chosen.append(name)
    return chosen


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    strategies = chosen_strategies(args.strategies)
    plain = [name for name in strategies if not needs_ensemble(al.STRATEGIES[name])]
    ensemble = [name for name in strategies if needs_ensemble(al.STRATEGIES[name])]
    folder = Path(tempfile.mkdtemp(prefix="second-wave-")) if args.results is None else None
    results_path = Path(args.results) if args.results is not None else folder / "results.jsonl"
    lines = []
    for dataset in args.datasets:
        n_pool = len(load_dataset(dataset)[1]) - math.ceil(TEST_SIZE * len(load_dataset(dataset)[1]))
        budget = args.budget if args.budget is not None else n_pool // 2
        for estimator, names in (("logistic", plain), ("random_forest", [*REFERENCES, *ensemble])):
            if estimator == "random_forest" and not ensemble:
                continue
            grid = experiment_grid(
                [dataset],
                names,
                seeds=args.seeds,
                estimators=[estimator],
                batch_sizes=args.batch_sizes,
                n_init=args.n_init,
                budget=budget,
                test_size=TEST_SIZE,
            )
            lines += run_grid(grid, results_path, n_jobs=args.n_jobs)
    print(
        f"# {len(lines)} runs: {', '.join(args.datasets)}; {args.seeds} paired seeds; batches "
        f"{', '.join(map(str, args.batch_sizes))}; n_init {args.n_init}; budget "
        f"{args.budget if args.budget is not None else 'half the pool'}; results in {results_path}"
    )
    report(lines)


def report(lines: list[dict]) -> None:
    """One table per setting (AULC ± SE, paired Δ and W/T/L vs random and margin), then totals per strategy."""
    versus = {reference: summarize(lines, reference=reference) for reference in REFERENCES}
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: {r: [0, 0, 0] for r in REFERENCES})
    for index, summary in enumerate(versus["random"]):
        setting = summary.setting
        print(
            f"\n## {setting['dataset']} | {setting['estimator']} | batch {setting['batch_size']} | budget {setting['budget']}"
        )
        header = ["strategy", "AULC ± SE", "Δ vs random ± SE", "W/T/L vs random", "Δ vs margin ± SE", "W/T/L vs margin"]
        rows = []
        by_margin = {row.strategy: row for row in versus["margin"][index].rows}
        for row in summary.rows:
            cells = [row.strategy, f"{row.aulc_mean:.4f} ± {row.aulc_sd / math.sqrt(max(row.n_seeds, 1)):.4f}"]
            for reference, paired in (
                ("random", row.versus_reference),
                ("margin", by_margin[row.strategy].versus_reference),
            ):
                if paired is None:
                    cells += ["(reference)" if row.strategy == reference else "", ""]
                    continue
                cells += [
                    f"{paired.mean_delta:+.4f} ± {paired.standard_error:.4f}",
                    f"{paired.wins}/{paired.ties}/{paired.losses}",
                ]
                for slot, count in enumerate((paired.wins, paired.ties, paired.losses)):
                    totals[row.strategy][reference][slot] += count
            rows.append(cells)
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for cells in [header, ["-" * w for w in widths], *rows]:
            print("| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |")
    print("\n## seed-level wins/ties/losses over every setting")
    for name, counts in totals.items():
        print(
            f"  {name}: vs random {'/'.join(map(str, counts['random']))}, vs margin {'/'.join(map(str, counts['margin']))}"
        )


if __name__ == "__main__":
    main()
