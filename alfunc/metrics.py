"""Active-learning metrics: pure functions over learning curves and histories.

A learning curve is two equal-length 1-D arrays: ``n_labeled`` (strictly
increasing label counts, initial set first) and ``scores`` (the evaluation at
each count). Paired metrics take curves of two strategies run with the same
seed, so they share the same ``n_labeled`` grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np
from scipy import stats

from alfunc.core.state import History

AULC_CONVENTIONS = ("trapezoid", "mean", "zhan")
AulcConvention = Literal["trapezoid", "mean", "zhan"]
TARGET_TOLERANCE = 1e-9  # how far a score may pass a deficiency's target and still count as reaching it


def learning_curve(history: History, score: str = "test_score") -> tuple[np.ndarray, np.ndarray]:
    """``(n_labeled, scores)`` of a run: one point per fit, ``score`` read from each record.

    Parameters
    ----------
    history : History
        A run's history.
    score : str, default="test_score"
        The record score to read.

    Returns
    -------
    n_labeled : ndarray of int
        Labeled points at each fit.
    scores : ndarray of float
        The score of each fit.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.metrics import aulc, learning_curve
    >>> X, y = load_iris(return_X_y=True)
    >>> X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=50, random_state=0)
    >>> final = al.run(
    ...     X_pool, y_pool, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3, X_test=X_test, y_test=y_test
    ... )
    >>> n_labeled, scores = learning_curve(final.history)
    >>> n_labeled.tolist(), scores.round(2).tolist()
    ([6, 10, 14, 18], [0.7, 0.84, 0.94, 0.92])
    >>> round(aulc(n_labeled, scores), 3)
    0.87

    A run without a test set has only the training score:

    >>> learning_curve(al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3).history)
    Traceback (most recent call last):
    ...
    ValueError: score 'test_score' is missing from records [0, 1, 2, 3]; recorded scores: ['train_score']
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be an alfunc History, got {type(history).__name__}")
    if not len(history):
        raise ValueError("history has no records: a learning curve needs at least one fit")
    missing = [r.iteration for r in history if score not in r.scores]
    if missing:
        available = sorted(history[0].scores)
        raise ValueError(f"score {score!r} is missing from records {missing[:5]}; recorded scores: {available}")
    n_labeled = np.array([r.n_labeled for r in history], dtype=np.int64)
    return n_labeled, np.array([r.scores[score] for r in history], dtype=np.float64)


def aulc(
    n_labeled: Any,
    scores: Any,
    convention: AulcConvention = "trapezoid",
    *,
    quota: int | None = None,
) -> float:
    """Normalised area under a learning curve, in one of three conventions.

    * ``"trapezoid"``: trapezoid rule over ``[n_labeled[0], n_labeled[-1]]``
      (from the initial set to the budget) divided by that width, so scores in
      [0, 1] give an area in [0, 1] whatever the budget.
    * ``"mean"``: the plain mean of the scores, one weight per fit, as
      ml-research's ``area_under_learning_curve`` and ALiPy report it.
    * ``"zhan"``: Zhan et al. (2021) AUBC: the trapezoid area over the labels
      queried after the initial set divided by the query ``quota`` (default:
      the labels the curve spans). It equals ``"trapezoid"`` when the curve
      spans its quota, and penalises a run that stopped short of it.

    A one-point curve has area equal to its score in every convention.

    Parameters
    ----------
    n_labeled : array-like of int
        Labeled points at each fit, increasing.
    scores : array-like of float
        The score of each fit.
    convention : {"trapezoid", "mean", "zhan"}, default="trapezoid"
        How the area is normalised (see above).
    quota : int, default=None
        For ``"zhan"``: the query budget the area is divided by (``None``: the labels the curve spans).

    Returns
    -------
    float

    Examples
    --------
    A straight line from 0.5 to 0.7 has area 0.6, its mean height:

    >>> from alfunc.metrics import aulc
    >>> round(aulc([10, 20, 30], [0.5, 0.6, 0.7]), 3)
    0.6

    On an uneven grid the trapezoid weighs each score by the labels it spans,
    ``"mean"`` weighs every fit alike, and ``"zhan"`` divides by a larger quota
    when the run stopped short of it:

    >>> n_labeled, scores = [10, 20, 40], [0.5, 0.7, 0.9]
    >>> round(aulc(n_labeled, scores), 3)  # (10 * 0.6 + 20 * 0.8) / 30
    0.733
    >>> round(aulc(n_labeled, scores, "mean"), 3)
    0.7
    >>> round(aulc(n_labeled, scores, "zhan", quota=60), 3)  # (10 * 0.6 + 20 * 0.8) / 60
    0.367
    >>> aulc(n_labeled, scores, "median")
    Traceback (most recent call last):
    ...
    ValueError: convention must be one of ('trapezoid', 'mean', 'zhan'), got 'median'
    """
    x, y = check_curve(n_labeled, scores)
    if convention not in AULC_CONVENTIONS:
        raise ValueError(f"convention must be one of {AULC_CONVENTIONS}, got {convention!r}")
    width = int(x[-1] - x[0])
    if quota is not None and (convention != "zhan" or not _is_int(quota) or quota < max(width, 1)):
        raise ValueError(
            f"quota is for convention='zhan': an int >= the labels the curve spans ({width}), got {quota!r}"
        )
    if convention == "mean" or x.size == 1:
        return float(np.mean(y))
    area = float(np.trapezoid(y, x))
    return area / float(width if quota is None else quota)


def deficiency(scores: Any, random_scores: Any, reference: Any = None) -> float:
    """Deficiency of a strategy against random sampling (Baram et al. 2004); lower is better, NaN where undefined.

    Baram, El-Yaniv and Luz (2004, "Online choice of active learning
    algorithms", JMLR 5) compare learning curves averaged over runs with a
    target score, the accuracy random sampling reaches with the whole pool::

        deficiency = sum_t (target - scores[t]) / sum_t (target - random_scores[t])

    the area between the target and the strategy's curve over the area between
    the target and random's: 0 when the strategy sits at the target from the
    first fit, below 1 when it beats random, 1 when they tie, above 1 when it
    does worse. ``reference`` is the target (the full-pool score); without it
    the target is random's last score (the two-method form, needing no
    full-pool fit).

    The measure assumes the target bounds both curves. Where a curve rises
    above it (noisy data on which a subset beats the whole pool, or, in the
    two-method form, a strategy that beats random's last score) the areas change
    sign and the ratio can take any value, negative or huge, that compares
    nothing: the result is then NaN, as it is when random already sits at the
    target everywhere (nothing to divide by). A score counts as above the target
    when it exceeds it by more than 1e-9.

    Several paired runs are given as 2-D arrays, one row per seed (and
    ``reference`` as one target per seed, or one for all): the curves and the
    targets are averaged over the seeds first, and the deficiency is that of the
    mean curves, as Baram et al. compute it. (The mean of per-seed ratios is
    not: it is dominated by the seeds where random comes close to the target.)

    Parameters
    ----------
    scores : array-like of float
        The strategy's mean learning curve.
    random_scores : array-like of float
        Random sampling's mean learning curve, at the same label counts.
    reference : float, default=None
        The target score (the full-pool score); ``None``: random's last score.

    Returns
    -------
    float
        The deficiency; NaN where a curve rises above the target.

    Examples
    --------
    Random's last score 0.9 is the target; the strategy falls short of it by
    0.4 + 0.1 + 0 against random's 0.4 + 0.3 + 0:

    >>> from alfunc.metrics import deficiency
    >>> scores, random_scores = [0.5, 0.8, 0.9], [0.5, 0.6, 0.9]
    >>> round(deficiency(scores, random_scores), 3)  # 0.5 / 0.7: better than random
    0.714
    >>> deficiency(random_scores, random_scores)
    1.0
    >>> round(deficiency(scores, random_scores, reference=1.0), 3)  # 0.8 / 1.0
    0.8

    A curve above the target leaves the measure undefined:

    >>> deficiency([0.5, 0.95, 0.9], random_scores)  # 0.95 > random's last score
    nan

    Two seeds (rows) with their full-pool scores: the deficiency of the mean
    curves ``[0.55, 0.8, 0.9]`` and ``[0.5, 0.65, 0.85]`` against the mean target 1.0:

    >>> round(deficiency([[0.5, 0.8, 0.9], [0.6, 0.8, 0.9]], [[0.5, 0.6, 0.9], [0.5, 0.7, 0.8]], [0.98, 1.02]), 3)
    0.75
    """
    a = _curves(scores, "scores")
    r = _curves(random_scores, "random_scores")
    if a.shape != r.shape:
        raise ValueError(f"scores and random_scores must be paired curves of equal shape, got {a.shape} and {r.shape}")
    mean_a, mean_r = a.mean(axis=0), r.mean(axis=0)
    top = float(mean_r[-1]) if reference is None else _targets(reference, a.shape[0])
    if max(float(mean_a.max()), float(mean_r.max())) > top + TARGET_TOLERANCE:
        return math.nan
    gap_random = float(np.sum(top - mean_r))
    return float(np.sum(top - mean_a)) / gap_random if gap_random > 0.0 else math.nan


def labels_to_reach(n_labeled: Any, scores: Any, full_score: float, fraction: float = 0.95) -> int | None:
    """The first label count at which the score reaches ``fraction`` of ``full_score``; None if never.

    Parameters
    ----------
    n_labeled : array-like of int
        Labeled points at each fit.
    scores : array-like of float
        The score of each fit.
    full_score : float
        The score with the whole pool labeled.
    fraction : float, default=0.95
        The share of ``full_score`` to reach.

    Returns
    -------
    int or None

    Examples
    --------
    >>> from alfunc.metrics import labels_to_reach
    >>> n_labeled, scores = [10, 20, 30, 40], [0.5, 0.8, 0.9, 0.95]
    >>> labels_to_reach(n_labeled, scores, full_score=1.0, fraction=0.9)
    30
    >>> labels_to_reach(n_labeled, scores, full_score=1.0)  # 95 % by default
    40
    >>> print(labels_to_reach(n_labeled, scores, full_score=1.0, fraction=1.0))
    None
    """
    x, y = check_curve(n_labeled, scores)
    full_score = _finite(full_score, "full_score")
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    reached = np.flatnonzero(y >= fraction * full_score)
    return int(x[reached[0]]) if reached.size else None


def data_utilization_rate(n_labeled: Any, scores: Any, threshold: float, n_pool: int) -> float:
    """Fraction of the pool labeled when the score first reaches ``threshold`` (ml-research); NaN if never.

    Lower is better: the strategy needed fewer labels to reach the same quality.

    Parameters
    ----------
    n_labeled : array-like of int
        Labeled points at each fit.
    scores : array-like of float
        The score of each fit.
    threshold : float
        The score to reach.
    n_pool : int
        The pool's size.

    Returns
    -------
    float

    Examples
    --------
    >>> import math
    >>> from alfunc.metrics import data_utilization_rate
    >>> n_labeled, scores = [10, 20, 30, 40], [0.5, 0.8, 0.9, 0.95]
    >>> data_utilization_rate(n_labeled, scores, threshold=0.8, n_pool=100)  # 20 of 100 labels
    0.2
    >>> math.isnan(data_utilization_rate(n_labeled, scores, threshold=0.99, n_pool=100))
    True
    """
    x, y = check_curve(n_labeled, scores)
    threshold = _finite(threshold, "threshold")
    if not _is_int(n_pool) or n_pool < x[-1]:
        raise ValueError(f"n_pool must be an int >= the last label count {int(x[-1])}, got {n_pool!r}")
    reached = np.flatnonzero(y >= threshold)
    return float(x[reached[0]]) / n_pool if reached.size else math.nan


@attrs.frozen
class PairedComparison:
    """A strategy against a reference over paired runs (one value each per seed).

    ``mean_delta`` is the mean of ``value - reference`` and ``standard_error``
    its standard error; ``wins``/``ties``/``losses`` count seeds where the
    strategy is better/within ``tolerance``/worse (higher is better);
    ``p_value`` is the two-sided Wilcoxon signed-rank p (1.0 when every pair ties).

    Parameters
    ----------
    n : int
        Number of paired seeds.
    mean_delta : float
        Mean of ``value - reference``.
    standard_error : float
        Its standard error.
    wins : int
        Seeds where the strategy is better by more than the tolerance.
    ties : int
        Seeds within the tolerance.
    losses : int
        Seeds where it is worse.
    p_value : float
        Two-sided Wilcoxon signed-rank p-value.

    Examples
    --------
    ``paired_comparison`` returns one:

    >>> from alfunc.metrics import PairedComparison, paired_comparison
    >>> result = paired_comparison([0.82, 0.85, 0.83], [0.80, 0.85, 0.84])
    >>> isinstance(result, PairedComparison), result.n, (result.wins, result.ties, result.losses)
    (True, 3, (1, 1, 1))
    >>> round(result.mean_delta, 3)  # (0.02 + 0 - 0.01) / 3
    0.003
    """

    n: int
    mean_delta: float
    standard_error: float
    wins: int
    ties: int
    losses: int
    p_value: float


def paired_comparison(values: Any, reference: Any, tolerance: float = 0.0) -> PairedComparison:
    """Compare paired per-seed values of a strategy with those of a reference strategy.

    Parameters
    ----------
    values : array-like of float
        The strategy's value for each seed.
    reference : array-like of float
        The reference strategy's value for the same seeds, in the same order.
    tolerance : float, default=0.0
        Differences within it count as ties.

    Returns
    -------
    PairedComparison

    Examples
    --------
    AULCs of a strategy and of random sampling, over five paired seeds:

    >>> from alfunc.metrics import paired_comparison
    >>> values = [0.80, 0.85, 0.90, 0.75, 0.88]
    >>> reference = [0.78, 0.85, 0.86, 0.76, 0.80]
    >>> result = paired_comparison(values, reference)
    >>> result.wins, result.ties, result.losses
    (3, 1, 1)
    >>> round(result.mean_delta, 3), round(result.standard_error, 3)
    (0.026, 0.016)
    >>> result.p_value > 0.05  # five seeds are too few to call it
    True

    ``tolerance`` counts small differences as ties:

    >>> tolerant = paired_comparison(values, reference, tolerance=0.025)
    >>> tolerant.wins, tolerant.ties, tolerant.losses
    (2, 3, 0)
    """
    a = _scores(values, "values")
    b = _scores(reference, "reference")
    if a.shape != b.shape:
        raise ValueError(f"values and reference must be paired (equal length), got {a.size} and {b.size}")
    if not tolerance >= 0.0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    delta = a - b
    tied = np.abs(delta) <= tolerance
    standard_error = float(np.std(delta, ddof=1) / math.sqrt(delta.size)) if delta.size > 1 else math.nan
    return PairedComparison(
        n=int(delta.size),
        mean_delta=float(np.mean(delta)),
        standard_error=standard_error,
        wins=int(np.sum(~tied & (delta > 0))),
        ties=int(np.sum(tied)),
        losses=int(np.sum(~tied & (delta < 0))),
        p_value=1.0 if tied.all() else float(stats.wilcoxon(np.where(tied, 0.0, delta)).pvalue),
    )


@attrs.frozen
class Ranking:
    """Mean rank of each strategy across datasets (1 = best) and the Friedman test of equal ranks.

    Parameters
    ----------
    strategies : tuple of str
        The strategies, in the table's column order.
    mean_ranks : tuple of float
        Each strategy's mean rank (1 = best).
    statistic : float
        The Friedman statistic.
    p_value : float
        Its p-value.

    Examples
    --------
    ``rank_strategies`` returns one:

    >>> from alfunc.metrics import Ranking, rank_strategies
    >>> ranking = rank_strategies([[0.9, 0.8], [0.7, 0.6]], ["margin", "random"])
    >>> isinstance(ranking, Ranking), ranking.strategies, ranking.mean_ranks
    (True, ('margin', 'random'), (1.0, 2.0))
    """

    strategies: tuple[str, ...]
    mean_ranks: tuple[float, ...]
    statistic: float
    p_value: float


def rank_strategies(table: Any, strategies: Sequence[str], higher_is_better: bool = True) -> Ranking:
    """Rank strategies within each dataset (ties share the average rank) and run the Friedman test.

    ``table`` has one row per dataset and one column per strategy. The
    statistic has the tie correction scipy's ``friedmanchisquare`` applies,
    and also works for two strategies (where scipy refuses).

    Parameters
    ----------
    table : array-like of shape (n_datasets, n_strategies)
        One value per dataset (row) and strategy (column).
    strategies : sequence of str
        The strategies' names, one per column.
    higher_is_better : bool, default=True
        Rank higher values first (``False`` for errors or costs).

    Returns
    -------
    Ranking

    Examples
    --------
    AULCs on three datasets (rows) of three strategies (columns):

    >>> from alfunc.metrics import rank_strategies
    >>> table = [[0.90, 0.80, 0.70], [0.85, 0.86, 0.60], [0.95, 0.90, 0.80]]
    >>> ranking = rank_strategies(table, ["margin", "entropy", "random"])
    >>> [round(rank, 3) for rank in ranking.mean_ranks]
    [1.333, 1.667, 3.0]
    >>> round(ranking.statistic, 3), round(ranking.p_value, 3)
    (4.667, 0.097)

    For errors or costs, lower is better:

    >>> costs = rank_strategies(table, ["margin", "entropy", "random"], higher_is_better=False)
    >>> [round(rank, 3) for rank in costs.mean_ranks]
    [2.667, 2.333, 1.0]
    """
    values = np.asarray(table, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 2:
        raise ValueError(f"table must be 2-D with >= 2 datasets (rows) and >= 2 strategies, got shape {values.shape}")
    if len(strategies) != values.shape[1]:
        raise ValueError(f"strategies must name the {values.shape[1]} columns, got {len(strategies)} names")
    if not np.isfinite(values).all():
        raise ValueError("table must hold finite values")
    n, k = values.shape
    ranks = stats.rankdata(-values if higher_is_better else values, axis=1)
    rank_sums = ranks.sum(axis=0)
    tie_sizes = [np.unique(row, return_counts=True)[1] for row in ranks]
    tie_correction = 1.0 - sum(float(np.sum(t**3 - t)) for t in tie_sizes) / (n * (k**3 - k))
    raw = 12.0 / (n * k * (k + 1)) * float(np.sum(rank_sums**2)) - 3.0 * n * (k + 1)
    statistic = raw / tie_correction if tie_correction > 0 else math.nan
    p_value = float(stats.chi2.sf(statistic, k - 1)) if tie_correction > 0 else 1.0
    return Ranking(tuple(strategies), tuple(float(r) for r in rank_sums / n), float(statistic), p_value)


def check_curve(n_labeled: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check a learning curve: equal-length 1-D arrays, strictly increasing counts, finite scores.

    Examples
    --------
    >>> from alfunc.metrics import check_curve
    >>> n_labeled, scores = check_curve([10, 20, 30], [0.5, 0.6, 0.7])
    >>> n_labeled.tolist(), str(n_labeled.dtype), scores.tolist()
    ([10, 20, 30], 'int64', [0.5, 0.6, 0.7])
    >>> check_curve([10, 30, 20], [0.5, 0.6, 0.7])
    Traceback (most recent call last):
    ...
    ValueError: n_labeled must be strictly increasing (one point per fit)
    >>> check_curve([10.0, 20.0], [0.5, 0.6])
    Traceback (most recent call last):
    ...
    TypeError: n_labeled must hold integer label counts, got dtype float64
    """
    x = np.asarray(n_labeled)
    y = _scores(scores, "scores")
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"n_labeled and scores must be 1-D of equal length, got shapes {x.shape} and {y.shape}")
    if x.dtype.kind not in "iu":
        raise TypeError(f"n_labeled must hold integer label counts, got dtype {x.dtype}")
    if x.size > 1 and not np.all(np.diff(x) > 0):
        raise ValueError("n_labeled must be strictly increasing (one point per fit)")
    return x.astype(np.int64), y


def _scores(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of numbers, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    return array


def _curves(values: Any, name: str) -> np.ndarray:
    """One curve (1-D) or one per seed (2-D, rows), as a 2-D float array of finite values."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a curve of numbers or a list of equal-length curves (one per seed)") from None
    if array.ndim == 1:
        array = array[np.newaxis]
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"{name} must be a non-empty curve or a list of curves (one per seed), got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    return array


def _targets(reference: Any, n_curves: int) -> float:
    """The mean of one target per curve, or the one target of every curve."""
    if isinstance(reference, (int, float, np.integer, np.floating)):
        return _finite(reference, "reference")
    if isinstance(reference, str) or not isinstance(reference, (Sequence, np.ndarray)):
        raise TypeError(f"reference must be a number or one number per curve, got {type(reference).__name__}")
    values = [_finite(value, "reference") for value in np.asarray(reference, dtype=object).ravel()]
    if np.ndim(reference) != 1 or len(values) != n_curves:
        raise ValueError(f"reference must be a number or one number per curve ({n_curves}), got {len(values)}")
    return float(np.mean(values))


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _finite(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)
