"""AL metrics against values computed by hand, plus invariants that hold for any curve."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from alfunc.core.state import History, Record
from alfunc.metrics import (
    aulc,
    data_utilization_rate,
    deficiency,
    labels_to_reach,
    learning_curve,
    paired_comparison,
    rank_strategies,
)

X = np.array([10, 20, 40])
Y = np.array([0.5, 0.7, 0.9])
RANDOM = np.array([0.5, 0.6, 0.8])


def test_learning_curve_reads_counts_and_scores_from_the_records():
    records = [
        Record(i, [i], [np.nan], "margin", n, {"train_score": 1.0, "test_score": s})
        for i, (n, s) in enumerate(zip(X, Y, strict=True))
    ]
    n_labeled, scores = learning_curve(History(0, records))
    assert n_labeled.tolist() == [10, 20, 40] and scores.tolist() == [0.5, 0.7, 0.9]
    with pytest.raises(ValueError, match="'test_f1' is missing.*recorded scores: \\['test_score', 'train_score'\\]"):
        learning_curve(History(0, records), "test_f1")


def test_aulc_in_three_conventions_by_hand():
    # trapezoids: (0.5+0.7)/2*10 + (0.7+0.9)/2*20 = 6 + 16 = 22 over 30 labels
    assert aulc(X, Y, "trapezoid") == pytest.approx(22 / 30)
    assert aulc(X, Y, "mean") == pytest.approx(0.7)
    assert aulc(X, Y, "zhan") == pytest.approx(22 / 30)
    assert aulc(X, Y, "zhan", quota=40) == pytest.approx(22 / 40), "a run short of its quota is penalised"


def test_aulc_rejects_bad_curves_and_options():
    with pytest.raises(ValueError, match="strictly increasing"):
        aulc([10, 10], [0.1, 0.2])
    with pytest.raises(ValueError, match="convention must be one of"):
        aulc(X, Y, "simpson")
    with pytest.raises(ValueError, match="quota is for convention='zhan'"):
        aulc(X, Y, "trapezoid", quota=40)
    with pytest.raises(ValueError, match="quota is for convention='zhan'.*\\(30\\)"):
        aulc(X, Y, "zhan", quota=20)
    with pytest.raises(ValueError, match="scores must be finite"):
        aulc(X, [0.1, np.nan, 0.2])
    with pytest.raises(TypeError, match="integer label counts"):
        aulc([1.0, 2.0, 3.0], Y)


def test_deficiency_both_forms_by_hand():
    # full-pool reference 1.0: (0.5+0.3+0.1) / (0.5+0.4+0.2)
    assert deficiency(Y, RANDOM, reference=1.0) == pytest.approx(0.9 / 1.1)
    # random's last score 0.9 as target: (0.4+0.2+0.0) / (0.4+0.3+0.0)
    assert deficiency(Y, [0.5, 0.6, 0.9]) == pytest.approx(0.6 / 0.7)
    assert math.isnan(deficiency([0.8, 0.8, 0.8], [0.8, 0.8, 0.8])), "random already at its target: undefined"
    with pytest.raises(ValueError, match="paired curves of equal shape"):
        deficiency(Y, RANDOM[:2])


def test_deficiency_is_nan_where_a_curve_passes_the_target():
    # Before: (0.8 - 0.81) + ... over a denominator near zero gave values from -7 to +10 for a near tie.
    assert math.isnan(deficiency(Y, RANDOM)), "Y passes random's last score 0.8"
    assert math.isnan(deficiency([0.5, 0.7, 0.8], [0.6, 0.85, 0.8], reference=0.8)), "random passes the target"
    assert math.isnan(deficiency([0.5, 0.81, 0.8], [0.5, 0.6, 0.7], reference=0.8)), "the strategy passes it"
    assert deficiency([0.5, 0.8, 0.8], [0.5, 0.6, 0.8], reference=0.8) == pytest.approx(0.3 / 0.5), "reaching is fine"
    assert deficiency([0.5, 0.8 + 1e-12], [0.5, 0.8], reference=0.8) == pytest.approx(1.0), "rounding is not passing"


def test_deficiency_of_several_seeds_is_that_of_the_mean_curves():
    strategy = [[0.7, 0.8, 0.8], [0.6, 0.7, 0.8]]
    random = [[0.79, 0.8, 0.8], [0.5, 0.6, 0.8]]  # seed 0: random is almost at the target from the start
    # per seed: 0.1 / 0.01 = 10 and 0.3 / 0.5 = 0.6, whose mean 5.3 says "five times worse than random";
    # the mean curves [0.65, 0.75, 0.8] and [0.645, 0.7, 0.8]: 0.2 / 0.255, slightly better than random
    assert deficiency(strategy, random, reference=[0.8, 0.8]) == pytest.approx(0.2 / 0.255)
    assert deficiency(strategy, random, reference=0.8) == pytest.approx(0.2 / 0.255)
    assert deficiency(strategy, random) == pytest.approx(0.2 / 0.255), "target: the mean random curve's last score"


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (([0.5, 0.6], [[0.5, 0.6], [0.5, 0.6]]), ValueError, "equal shape"),
        (([[[0.5]]], [[[0.5]]]), ValueError, "scores must be a non-empty curve"),
        (([], []), ValueError, "scores must be a non-empty curve"),
        (([0.5, math.nan], [0.5, 0.6]), ValueError, "scores must be finite"),
        (([0.5, 0.6], [0.5, math.inf]), ValueError, "random_scores must be finite"),
        (([0.5, "a"], [0.5, 0.6]), TypeError, "scores must be a curve of numbers"),
        (([[0.5, 0.6], [0.5]], [[0.5, 0.6], [0.5]]), TypeError, "scores must be a curve of numbers"),
        (([0.5, 0.6], [0.5, 0.6], "1.0"), TypeError, "reference must be a number"),
        (([0.5, 0.6], [0.5, 0.6], True), TypeError, "reference must be a number"),
        (([0.5, 0.6], [0.5, 0.6], math.nan), ValueError, "reference must be finite"),
        (([[0.5, 0.6]] * 2, [[0.5, 0.6]] * 2, [1.0, 1.0, 1.0]), ValueError, "one number per curve \\(2\\)"),
        (([[0.5, 0.6]] * 2, [[0.5, 0.6]] * 2, [[1.0], [1.0]]), ValueError, "one number per curve"),
    ],
)
def test_deficiency_refuses_bad_curves_and_targets(arguments, error, message):
    with pytest.raises(error, match=message):
        deficiency(*arguments)


def test_labels_to_reach_and_data_utilization_by_hand():
    assert labels_to_reach(X, Y, full_score=1.0, fraction=0.7) == 20
    assert labels_to_reach(X, Y, full_score=0.9, fraction=1.0) == 40
    assert labels_to_reach(X, Y, full_score=1.0, fraction=0.95) is None
    assert data_utilization_rate(X, Y, threshold=0.8, n_pool=100) == pytest.approx(0.4)
    assert math.isnan(data_utilization_rate(X, Y, threshold=0.95, n_pool=100))
    with pytest.raises(ValueError, match="fraction must be in \\(0, 1\\]"):
        labels_to_reach(X, Y, 1.0, fraction=95)
    with pytest.raises(ValueError, match="n_pool must be an int >= the last label count 40"):
        data_utilization_rate(X, Y, 0.8, n_pool=30)


def test_paired_comparison_by_hand():
    result = paired_comparison([0.8, 0.9, 0.7, 0.85], [0.7, 0.9, 0.75, 0.8], tolerance=1e-9)
    # deltas 0.1, 0, -0.05, 0.05: mean 0.025, sample sd sqrt(0.0125/3), SE = sd / 2
    assert result.mean_delta == pytest.approx(0.025)
    assert result.standard_error == pytest.approx(math.sqrt(0.0125 / 3) / 2)
    assert (result.wins, result.ties, result.losses, result.n) == (2, 1, 1, 4)
    # five positive deltas: exact two-sided Wilcoxon p = 2 / 2**5
    assert paired_comparison([2, 3, 4, 5, 6], [1, 1, 1, 1, 1]).p_value == pytest.approx(0.0625)
    everything_tied = paired_comparison([0.5, 0.6], [0.5, 0.6])
    assert everything_tied.p_value == 1.0 and everything_tied.ties == 2


def test_mean_ranks_and_friedman_by_hand():
    table = [[0.9, 0.8, 0.7], [0.85, 0.9, 0.6], [0.95, 0.7, 0.8]]
    ranking = rank_strategies(table, ["a", "b", "c"])
    # rank sums 4, 6, 8: chi2 = 12/(3*3*4) * (16+36+64) - 3*3*4 = 8/3; p = exp(-chi2/2) for 2 df
    assert ranking.mean_ranks == pytest.approx((4 / 3, 2.0, 8 / 3))
    assert ranking.statistic == pytest.approx(8 / 3)
    assert ranking.p_value == pytest.approx(math.exp(-4 / 3))
    two = rank_strategies([[1, 0], [1, 0], [1, 0]], ["a", "b"])
    # rank sums 3, 6: chi2 = 12/(3*2*3) * 45 - 27 = 3 with 1 df
    assert two.statistic == pytest.approx(3.0) and two.p_value == pytest.approx(stats.chi2.sf(3.0, 1))
    assert rank_strategies(table, ["a", "b", "c"], higher_is_better=False).mean_ranks == pytest.approx(
        (8 / 3, 2.0, 4 / 3)
    )
    with pytest.raises(ValueError, match=">= 2 datasets"):
        rank_strategies([[1, 2]], ["a", "b"])


@given(st.lists(st.lists(st.integers(0, 4), min_size=4, max_size=4), min_size=2, max_size=6))
def test_friedman_matches_scipy_with_ties(rows):
    table = np.array(rows, dtype=float)
    ranking = rank_strategies(table, ["a", "b", "c", "d"])
    ranks = stats.rankdata(-table, axis=1)
    if all(np.unique(row).size == 1 for row in ranks):
        assert ranking.p_value == 1.0
        return
    expected = stats.friedmanchisquare(*table.T)
    assert ranking.statistic == pytest.approx(expected.statistic)
    assert ranking.p_value == pytest.approx(expected.pvalue)


curves = st.integers(1, 12).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(1, 50), min_size=n, max_size=n).map(lambda steps: np.cumsum(steps)),
        st.lists(st.floats(0, 1), min_size=n, max_size=n).map(np.array),
    )
)


@given(curves)
def test_every_aulc_lies_between_the_lowest_and_highest_score(curve):
    x, y = curve
    for convention in ("trapezoid", "mean", "zhan"):
        assert y.min() - 1e-12 <= aulc(x, y, convention) <= y.max() + 1e-12


@given(curves, st.floats(0, 1))
def test_a_constant_curve_has_area_equal_to_its_score(curve, level):
    x, _ = curve
    for convention in ("trapezoid", "mean", "zhan"):
        assert aulc(x, np.full(x.size, level), convention) == pytest.approx(level)


@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(*(st.lists(st.floats(0, 1), min_size=n, max_size=n) for _ in range(2)), st.floats(0, 1))
    )
)
def test_deficiency_is_never_negative_nor_infinite(case):
    scores, random_scores, target = case
    for reference in (target, None):
        value = deficiency(scores, random_scores, reference)
        assert math.isnan(value) or 0.0 <= value < math.inf


@given(curves)
def test_random_against_itself_has_deficiency_one_and_ties_everywhere(curve):
    _, y = curve
    d = deficiency(y, y, reference=1.5)
    assert d == pytest.approx(1.0)
    comparison = paired_comparison(y, y)
    assert (comparison.wins, comparison.losses, comparison.mean_delta, comparison.p_value) == (0, 0, 0.0, 1.0)
