"""Summaries of a results file: per-setting tables with paired statistics, and ranks across settings.

A setting is everything about a run except its strategy and seed (dataset,
estimator, batch size, budget, ...). Within a setting, runs with the same seed
are paired across strategies; each strategy is compared with a reference
strategy (random sampling by default) seed by seed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from alfunc.metrics import (
    AULC_CONVENTIONS,
    PairedComparison,
    Ranking,
    deficiency,
    paired_comparison,
    rank_strategies,
)

CONVENTION_NOTES = {
    "trapezoid": "normalised trapezoid area",
    "mean": "mean of the curve",
    "zhan": "Zhan et al. 2021 AUBC",
}

SETTING_FIELDS = (
    "dataset",
    "estimator",
    "batch_size",
    "n_init",
    "budget",
    "test_size",
    "scoring",
    "scale",
    "data",
    "model",
    "representation",
)


@attrs.frozen
class StrategySummary:
    """One strategy in one setting, over its seeds (means and sample standard deviations).

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, run_grid, summarize
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=2, budget=30)
    >>> results = run_grid(grid, os.path.join(tempfile.mkdtemp(), "results.jsonl"))
    >>> margin, random = summarize(results)[0].rows
    >>> margin.strategy, margin.n_seeds, round(margin.aulc_mean, 3), round(margin.final_mean, 3)
    ('margin', 2, 0.868, 0.921)
    >>> versus = margin.versus_reference  # paired with random seed by seed
    >>> versus.n, (versus.wins, versus.ties, versus.losses), round(versus.mean_delta, 3)
    (2, (2, 0, 0), 0.069)
    >>> random.versus_reference is None  # the reference is not compared with itself
    True
    """

    strategy: str
    n_seeds: int
    aulc_mean: float
    aulc_sd: float
    final_mean: float
    final_sd: float
    versus_reference: PairedComparison | None
    deficiency: float


@attrs.frozen
class SettingSummary:
    """Every strategy of one setting, the reference they are compared with, and the AULC convention used.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, run_grid, summarize
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, budget=30)
    >>> results = run_grid(grid, os.path.join(tempfile.mkdtemp(), "results.jsonl"))
    >>> (summary,) = summarize(results, convention="zhan")
    >>> summary.setting["dataset"], summary.setting["batch_size"], summary.setting["budget"]
    ('iris', 10, 30)
    >>> summary.reference, summary.convention, [row.strategy for row in summary.rows]
    ('random', 'zhan', ['margin', 'random'])
    """

    setting: Mapping[str, Any]
    reference: str | None
    rows: tuple[StrategySummary, ...]
    convention: str = "trapezoid"


def group_by_setting(results: Iterable[Mapping[str, Any]]) -> dict[tuple, dict[str, dict[int, Mapping[str, Any]]]]:
    """``{setting: {strategy: {seed: line}}}`` in first-seen order.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, run_grid
    >>> from alfunc.experiments.summary import group_by_setting
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, batch_sizes=[5, 10], budget=20)
    >>> groups = group_by_setting(run_grid(grid, os.path.join(tempfile.mkdtemp(), "results.jsonl")))
    >>> [dict(setting)["batch_size"] for setting in groups]  # a setting is all but the strategy and the seed
    [5, 10]
    >>> {strategy: sorted(by_seed) for strategy, by_seed in groups[next(iter(groups))].items()}
    {'margin': [0], 'random': [0]}
    """
    groups: dict[tuple, dict[str, dict[int, Mapping[str, Any]]]] = defaultdict(dict)
    for line in results:
        run = line["run"]
        setting = tuple((field, run.get(field)) for field in SETTING_FIELDS)  # lines from before a field: None
        groups[setting].setdefault(run["strategy"], {})[run["seed"]] = line
    return dict(groups)


def summarize(
    results: Iterable[Mapping[str, Any]],
    reference: str = "random",
    convention: str = "trapezoid",
) -> list[SettingSummary]:
    """Per-setting summaries of the AULC (in ``convention``) and the final score, paired against ``reference``.

    Settings without the reference strategy get no paired columns. The
    deficiency is Baram et al.'s (``alfunc.metrics.deficiency``): that of the
    strategy's and the reference's learning curves averaged over the paired
    seeds, with the mean full-pool score as the target, as the literature
    computes it (not a mean of per-seed ratios, which is dominated by the seeds
    where the reference comes close to the target); NaN (a blank cell) where a
    mean curve rises above that target, where the ratio means nothing.

    Parameters
    ----------
    results : iterable of mapping
        Results lines (from ``run_grid`` or ``read_results``).
    reference : str, default="random"
        The strategy every other is compared with, seed by seed.
    convention : {"trapezoid", "mean", "zhan"}, default="trapezoid"
        The AULC convention.

    Returns
    -------
    list of SettingSummary
        One per setting (dataset, estimator, batch size, budget, ...).

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, run_grid, summarize
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=2, budget=30)
    >>> results = run_grid(grid, os.path.join(tempfile.mkdtemp(), "results.jsonl"))
    >>> (summary,) = summarize(results)  # one setting: iris, logistic, batch 10, budget 30
    >>> [(row.strategy, round(row.aulc_mean, 3), round(row.deficiency, 3)) for row in summary.rows]
    [('margin', 0.868, 0.658), ('random', 0.799, nan)]
    >>> (summary,) = summarize(results, reference="margin")  # compare with another strategy
    >>> [(row.strategy, row.versus_reference and row.versus_reference.losses) for row in summary.rows]
    [('margin', None), ('random', 2)]
    >>> summarize(results, convention="median")
    Traceback (most recent call last):
    ...
    ValueError: convention must be one of ('trapezoid', 'mean', 'zhan'), got 'median'
    """
    if convention not in AULC_CONVENTIONS:
        raise ValueError(f"convention must be one of {AULC_CONVENTIONS}, got {convention!r}")
    metric = f"aulc_{convention}"
    summaries = []
    for setting, by_strategy in group_by_setting(results).items():
        ref = by_strategy.get(reference)
        rows = tuple(
            _strategy_summary(name, runs, ref, metric, name == reference) for name, runs in by_strategy.items()
        )
        summaries.append(SettingSummary(dict(setting), reference if ref else None, rows, convention))
    return summaries


def rank_settings(summaries: Sequence[SettingSummary]) -> Ranking | None:
    """Mean rank of the strategies across settings by mean AULC, with the Friedman test.

    None when fewer than two settings share the same two or more strategies.

    Parameters
    ----------
    summaries : sequence of SettingSummary
        From ``summarize``.

    Returns
    -------
    Ranking or None

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, rank_settings, run_grid, summarize
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, batch_sizes=[5, 10], budget=30)
    >>> summaries = summarize(run_grid(grid, os.path.join(tempfile.mkdtemp(), "results.jsonl")))
    >>> len(summaries)  # batch 5 and batch 10
    2
    >>> ranking = rank_settings(summaries)
    >>> ranking.strategies, ranking.mean_ranks  # margin has the higher AULC in both settings
    (('margin', 'random'), (1.0, 2.0))
    >>> round(ranking.statistic, 3), round(ranking.p_value, 3)
    (2.0, 0.157)
    >>> rank_settings(summaries[:1]) is None  # one setting ranks nothing
    True
    """
    if len(summaries) < 2:
        return None
    strategies = [row.strategy for row in summaries[0].rows]
    if len(strategies) < 2 or any(sorted(r.strategy for r in s.rows) != sorted(strategies) for s in summaries):
        return None
    table = [[{r.strategy: r.aulc_mean for r in s.rows}[name] for name in strategies] for s in summaries]
    return rank_strategies(table, strategies)


def format_summaries(summaries: Sequence[SettingSummary], ranking: Ranking | None = None) -> str:
    """Plain-text tables: one block per setting, then the ranks across settings if any.

    Parameters
    ----------
    summaries : sequence of SettingSummary
        From ``summarize``.
    ranking : Ranking, default=None
        From ``rank_settings``, printed after the tables.

    Returns
    -------
    str

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments import experiment_grid, format_summaries, run_grid, summarize
    >>> grid = experiment_grid(["iris"], ["margin", "random"], seeds=2, budget=30)
    >>> results = run_grid(grid, os.path.join(tempfile.mkdtemp(), "results.jsonl"))
    >>> print(format_summaries(summarize(results)))
    iris | logistic | n_init 10, batch 10, budget 30 | 2 seeds | test score (the estimator's default)
    strategy  AULC           final          ΔAULC vs random  W/T/L  Wilcoxon p  deficiency
    --------  -------------  -------------  ---------------  -----  ----------  ----------
    margin    0.868 ± 0.056  0.921 ± 0.000  +0.069 ± 0.056   2/0/0  0.5         0.658
    random    0.799 ± 0.023  0.855 ± 0.019  (reference)
    AULC: normalised trapezoid area (mean ± sd over seeds); Δ: paired mean ± SE;
    deficiency of the mean curves (full-pool target) < 1 beats the reference; blank: a curve passes the target
    """
    blocks = [_format_setting(summary) for summary in summaries]
    if ranking is not None:
        ranks = "  ".join(
            f"{name} {rank:.2f}" for name, rank in zip(ranking.strategies, ranking.mean_ranks, strict=True)
        )
        blocks.append(
            f"mean rank by AULC over {len(summaries)} settings (1 = best): {ranks}\n"
            f"Friedman chi2 = {ranking.statistic:.3f}, p = {ranking.p_value:.3g}"
        )
    return "\n\n".join(blocks)


def _strategy_summary(
    name: str,
    runs: Mapping[int, Mapping[str, Any]],
    reference: Mapping[int, Mapping[str, Any]] | None,
    metric: str,
    is_reference: bool,
) -> StrategySummary:
    seeds = sorted(runs)
    aulcs = np.array([runs[s]["metrics"][metric] for s in seeds])
    finals = np.array([runs[s]["metrics"]["final_score"] for s in seeds])
    paired = [] if reference is None or is_reference else [s for s in seeds if s in reference]
    versus = None
    mean_deficiency = math.nan
    if paired and reference is not None:  # paired is empty when reference is None; mypy needs the test
        versus = paired_comparison(
            aulcs[[seeds.index(s) for s in paired]], [reference[s]["metrics"][metric] for s in paired]
        )
        mean_deficiency = _mean_curve_deficiency(runs, reference, paired)
    return StrategySummary(
        strategy=name,
        n_seeds=len(seeds),
        aulc_mean=float(aulcs.mean()),
        aulc_sd=_sd(aulcs),
        final_mean=float(finals.mean()),
        final_sd=_sd(finals),
        versus_reference=versus,
        deficiency=mean_deficiency,
    )


def _mean_curve_deficiency(
    runs: Mapping[int, Mapping[str, Any]], reference: Mapping[int, Mapping[str, Any]], paired: Sequence[int]
) -> float:
    """Baram et al.'s deficiency of the mean curves over the paired seeds, against the mean full-pool score.

    Only seeds whose two curves lie on the grid of the first paired seed are
    averaged (runs of one setting share it unless a pool ran out early); NaN
    when none does, or where the deficiency is undefined (see ``deficiency``).
    """
    grid = runs[paired[0]]["n_labeled"]
    same = [s for s in paired if runs[s]["n_labeled"] == grid and reference[s]["n_labeled"] == grid]
    if not same:
        return math.nan
    return deficiency(
        [runs[s]["test_score"] for s in same],
        [reference[s]["test_score"] for s in same],
        reference=[runs[s]["full_pool_score"] for s in same],
    )


def _format_setting(summary: SettingSummary) -> str:
    s = summary.setting
    n_seeds = max(row.n_seeds for row in summary.rows)
    budget = "whole pool" if s["budget"] is None else s["budget"]
    score = s["scoring"] or "score (the estimator's default)"
    representation = "" if s.get("representation") is None else f" | representation {s['representation']}"
    title = (
        f"{s['dataset']} | {s['estimator']}{representation} | n_init {s['n_init']}, batch {s['batch_size']}, "
        f"budget {budget} | {n_seeds} seeds | test {score}"
    )
    reference = summary.reference
    header = ["strategy", "AULC", "final", f"ΔAULC vs {reference or '-'}", "W/T/L", "Wilcoxon p", "deficiency"]
    rows = [header]
    for row in sorted(summary.rows, key=lambda r: -r.aulc_mean):
        versus = row.versus_reference
        rows.append(
            [
                row.strategy,
                f"{row.aulc_mean:.3f} ± {row.aulc_sd:.3f}",
                f"{row.final_mean:.3f} ± {row.final_sd:.3f}",
                "(reference)" if row.strategy == reference else _delta(versus),
                "" if versus is None else f"{versus.wins}/{versus.ties}/{versus.losses}",
                "" if versus is None else f"{versus.p_value:.3g}",
                "" if math.isnan(row.deficiency) else f"{row.deficiency:.3f}",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    note = (
        f"AULC: {CONVENTION_NOTES[summary.convention]} (mean ± sd over seeds); Δ: paired mean ± SE; "
        "deficiency of the mean curves (full-pool target) < 1 beats the reference; blank: a curve passes the target"
    )
    return "\n".join([title, *lines, note])


def _delta(versus: PairedComparison | None) -> str:
    if versus is None:
        return ""
    se = "" if math.isnan(versus.standard_error) else f" ± {versus.standard_error:.3f}"
    return f"{versus.mean_delta:+.3f}{se}"


def _sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if values.size > 1 else 0.0
