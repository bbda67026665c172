"""Per-setting summaries and ranks from result lines, checked against hand-computed values."""

from __future__ import annotations

import math

import pytest

from alfunc.experiments.summary import format_summaries, rank_settings, summarize

SETTING = {
    "estimator": "logistic",
    "batch_size": 10,
    "n_init": 10,
    "budget": 30,
    "test_size": 0.25,
    "scoring": None,
    "scale": True,
    "data": "d",
    "model": "m",
}


def line(dataset, strategy, seed, aulc, curve, full=1.0):
    run = {**SETTING, "dataset": dataset, "strategy": strategy, "seed": seed}
    metrics = {"aulc_trapezoid": aulc, "final_score": curve[-1]}
    return {"run": run, "metrics": metrics, "test_score": curve, "n_labeled": [10, 20, 30], "full_pool_score": full}


RESULTS = [
    line("iris", "margin", 0, 0.8, [0.5, 0.8, 0.9]),
    line("iris", "random", 0, 0.7, [0.5, 0.7, 0.8]),
    line("iris", "margin", 1, 0.9, [0.6, 0.9, 1.0]),
    line("iris", "random", 1, 0.6, [0.4, 0.6, 0.8]),
    line("wine", "margin", 0, 0.5, [0.5, 0.5, 0.5]),
    line("wine", "random", 0, 0.6, [0.6, 0.6, 0.6]),
]


def test_summary_pairs_each_strategy_with_the_reference_by_seed():
    iris, wine = summarize(RESULTS)
    margin = next(row for row in iris.rows if row.strategy == "margin")
    assert iris.reference == "random" and margin.n_seeds == 2
    assert margin.aulc_mean == pytest.approx(0.85) and margin.final_mean == pytest.approx(0.95)
    versus = margin.versus_reference
    # deltas 0.1 and 0.3: mean 0.2, sd sqrt(0.02), SE = sd / sqrt(2) = 0.1
    assert versus.mean_delta == pytest.approx(0.2) and versus.standard_error == pytest.approx(0.1)
    assert (versus.wins, versus.ties, versus.losses) == (2, 0, 0)
    # deficiency of the mean curves [0.55, 0.85, 0.95] and [0.45, 0.65, 0.8] against the full-pool score 1.0
    assert margin.deficiency == pytest.approx((0.45 + 0.15 + 0.05) / (0.55 + 0.35 + 0.2))
    assert next(row for row in iris.rows if row.strategy == "random").versus_reference is None


def test_ranks_across_settings_and_the_text_table():
    summaries = summarize(RESULTS)
    ranking = rank_settings(summaries)
    assert ranking.strategies == ("margin", "random") and ranking.mean_ranks == pytest.approx((1.5, 1.5))
    text = format_summaries(summaries, ranking)
    assert text.count("ΔAULC vs random") == 2 and "Friedman chi2 = 0.000" in text
    assert "+0.200 ± 0.100" in text and "2/0/0" in text


def test_a_setting_without_the_reference_has_no_paired_columns():
    (summary,) = summarize([r for r in RESULTS if r["run"]["strategy"] == "margin" and r["run"]["dataset"] == "iris"])
    assert summary.reference is None and summary.rows[0].versus_reference is None
    assert rank_settings([summary]) is None


def test_the_aulc_convention_is_chosen_by_name():
    results = [{**r, "metrics": {**r["metrics"], "aulc_mean": r["metrics"]["aulc_trapezoid"] / 2}} for r in RESULTS]
    iris, _ = summarize(results, convention="mean")
    assert next(row for row in iris.rows if row.strategy == "margin").aulc_mean == pytest.approx(0.425)
    assert "AULC: mean of the curve" in format_summaries([iris])
    with pytest.raises(ValueError, match="convention must be one of"):
        summarize(results, convention="simpson")


def test_deficiency_is_blank_where_a_curve_passes_the_full_pool_score():
    # noisy data: a subset of the pool beats the whole pool, so the curves rise above the full-pool score
    # (before: per-seed ratios -1.33 and 1.2 from denominators near zero or negative, averaged into -0.07)
    results = [
        line("moons", "margin", 0, 0.86, [0.8, 0.86, 0.85], full=0.85),
        line("moons", "random", 0, 0.86, [0.84, 0.88, 0.86], full=0.85),
        line("moons", "margin", 1, 0.86, [0.8, 0.84, 0.85], full=0.85),
        line("moons", "random", 1, 0.86, [0.8, 0.86, 0.84], full=0.85),
    ]
    (summary,) = summarize(results)
    margin = next(row for row in summary.rows if row.strategy == "margin")
    assert math.isnan(margin.deficiency)
    table = format_summaries([summary]).splitlines()
    assert table[3].split()[0] == "margin" and table[3].rstrip().endswith("0/2/0  1"), "no deficiency cell"


def test_deficiency_uses_the_seeds_on_a_common_grid():
    short = {**line("iris", "margin", 1, 0.9, [0.6, 0.9], 1.0), "n_labeled": [10, 20]}  # stopped early
    results = [*RESULTS[:2], short, RESULTS[3]]
    (iris,) = summarize(results)
    margin = next(row for row in iris.rows if row.strategy == "margin")
    assert margin.deficiency == pytest.approx((0.5 + 0.2 + 0.1) / (0.5 + 0.3 + 0.2)), "seed 0 alone"
