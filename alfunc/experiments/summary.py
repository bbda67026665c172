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
)


@attrs.frozen
class StrategySummary:
    """One strategy in one setting, over its seeds (means and sample standard deviations)."""

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
    """Every strategy of one setting, the reference they are compared with, and the AULC convention used."""

    setting: Mapping[str, Any]
    reference: str | None
    rows: tuple[StrategySummary, ...]
    convention: str = "trapezoid"


def group_by_setting(results: Iterable[Mapping[str, Any]]) -> dict[tuple, dict[str, dict[int, Mapping[str, Any]]]]:
    """``{setting: {strategy: {seed: line}}}`` in first-seen order."""
    groups: dict[tuple, dict[str, dict[int, Mapping[str, Any]]]] = defaultdict(dict)
    for line in results:
        run = line["run"]
        setting = tuple((field, run[field]) for field in SETTING_FIELDS)
        groups[setting].setdefault(run["strategy"], {})[run["seed"]] = line
    return dict(groups)


def summarize(
    results: Iterable[Mapping[str, Any]],
    reference: str = "random",
    convention: str = "trapezoid",
) -> list[SettingSummary]:
    """Per-setting summaries of the AULC (in ``convention``) and the final score, paired against ``reference``.

    Settings without the reference strategy get no paired columns. The
    deficiency is Baram et al.'s, with the full-pool score as the target,
    averaged over seeds.
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
    """
    if len(summaries) < 2:
        return None
    strategies = [row.strategy for row in summaries[0].rows]
    if len(strategies) < 2 or any(sorted(r.strategy for r in s.rows) != sorted(strategies) for s in summaries):
        return None
    table = [[{r.strategy: r.aulc_mean for r in s.rows}[name] for name in strategies] for s in summaries]
    return rank_strategies(table, strategies)


def format_summaries(summaries: Sequence[SettingSummary], ranking: Ranking | None = None) -> str:
    """Plain-text tables: one block per setting, then the ranks across settings if any."""
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
    deficiencies = [math.nan]
    if paired and reference is not None:  # paired is empty when reference is None; mypy needs the test
        versus = paired_comparison(
            aulcs[[seeds.index(s) for s in paired]], [reference[s]["metrics"][metric] for s in paired]
        )
        deficiencies = [
            deficiency(runs[s]["test_score"], reference[s]["test_score"], reference=runs[s]["full_pool_score"])
            for s in paired
            if len(runs[s]["test_score"]) == len(reference[s]["test_score"])
        ] or [math.nan]
    return StrategySummary(
        strategy=name,
        n_seeds=len(seeds),
        aulc_mean=float(aulcs.mean()),
        aulc_sd=_sd(aulcs),
        final_mean=float(finals.mean()),
        final_sd=_sd(finals),
        versus_reference=versus,
        deficiency=float(np.nanmean(deficiencies)) if not np.isnan(deficiencies).all() else math.nan,
    )


def _format_setting(summary: SettingSummary) -> str:
    s = summary.setting
    n_seeds = max(row.n_seeds for row in summary.rows)
    budget = "whole pool" if s["budget"] is None else s["budget"]
    score = s["scoring"] or "score (the estimator's default)"
    title = (
        f"{s['dataset']} | {s['estimator']} | n_init {s['n_init']}, batch {s['batch_size']}, budget {budget} | "
        f"{n_seeds} seeds | test {score}"
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
        "deficiency (full-pool target) < 1 beats the reference"
    )
    return "\n".join([title, *lines, note])


def _delta(versus: PairedComparison | None) -> str:
    if versus is None:
        return ""
    se = "" if math.isnan(versus.standard_error) else f" ± {versus.standard_error:.3f}"
    return f"{versus.mean_delta:+.3f}{se}"


def _sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if values.size > 1 else 0.0
