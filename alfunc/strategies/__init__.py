"""Query strategies by name: the ``STRATEGIES`` registry and ``resolve_strategy``.

Names used by ml-research (``random``, ``entropy``, ``breaking_ties``) work as
strings. Users pass their own functions directly; nothing is registered at run
time (the registry is read-only).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from alfunc.strategies.algebra import mix, rank_product, weighted
from alfunc.strategies.badge import badge
from alfunc.strategies.bait import bait
from alfunc.strategies.balance import class_balanced
from alfunc.strategies.bandit import exp3
from alfunc.strategies.base import (
    BatchStrategy,
    Strategy,
    batch_strategy,
    check_model_kind,
    for_selection,
    inherit_needs,
    needs_classifier,
    needs_ensemble,
    needs_features,
    needs_proba,
    needs_regressor,
    selects_batch,
    uses_classifier,
    uses_ensemble,
    uses_features,
    uses_proba,
    uses_regressor,
)
from alfunc.strategies.batchbald import batchbald
from alfunc.strategies.clue import clue
from alfunc.strategies.coldstart import probcover, typiclust
from alfunc.strategies.committee import (
    bagging,
    committee_of,
    ensemble_members,
    fresh_each_selection,
)
from alfunc.strategies.density import dwus, information_density
from alfunc.strategies.disagreement import bald, kl_divergence, vote_entropy
from alfunc.strategies.diversity import (
    filter_then,
    k_center_greedy,
    kmeans,
    ranked_batch,
)
from alfunc.strategies.dropquery import dropquery
from alfunc.strategies.eer import expected_error_reduction
from alfunc.strategies.epig import epig
from alfunc.strategies.falcun import falcun
from alfunc.strategies.greedy import gsy, igs
from alfunc.strategies.maxherding import maxherding
from alfunc.strategies.regression import committee_variance
from alfunc.strategies.restrict import anchoral, seals
from alfunc.strategies.stochastic import stochastic
from alfunc.strategies.uncertainty import entropy, least_confident, margin, random


def _power_bald() -> Callable:
    """Stochastic power BALD (Kirsch et al. 2023) over the fitted ensemble's members or a bagged committee.

    ``stochastic(bald(), "power")``, made anew for each selection, so its
    committee is fitted once per selection and kept by none.
    """
    return stochastic(bald(), "power")


STRATEGIES: MappingProxyType[str, Callable] = MappingProxyType(
    {
        "random": random,
        "least_confident": least_confident,
        "margin": margin,
        "breaking_ties": margin,
        "entropy": entropy,
        # committee, density, expected error reduction, regression
        "vote_entropy": fresh_each_selection(vote_entropy),
        "kl_divergence": fresh_each_selection(kl_divergence),
        "bald": fresh_each_selection(bald),
        "information_density": information_density(),
        "dwus": dwus(),
        "eer_log_loss": fresh_each_selection(lambda: expected_error_reduction("log_loss")),
        "eer_zero_one": fresh_each_selection(lambda: expected_error_reduction("zero_one")),
        "committee_variance": fresh_each_selection(committee_variance),
        # batch strategies (diversity, cold start, regression greedy sampling)
        "k_center_greedy": k_center_greedy,
        "kmeans": kmeans,
        "cluster_margin": filter_then(margin, 10, kmeans),
        "margin_k_center": filter_then(margin, 10, k_center_greedy),
        "ranked_batch": ranked_batch(least_confident),
        "typiclust": typiclust,
        "probcover": probcover(),
        "gsx": k_center_greedy,
        "gsy": gsy,
        "igs": igs,
        "badge": badge(),
        # second wave, ensembles and sampling: BatchBALD, EPIG, stochastic batches, class balance
        "batchbald": batchbald(),
        "epig": epig(),
        "power_margin": stochastic(margin, "power"),
        "power_entropy": stochastic(entropy, "power"),
        "power_bald": fresh_each_selection(_power_bald),
        "softrank_margin": stochastic(margin, "softrank"),
        "class_balanced_margin": class_balanced(margin),
        # second wave: hybrid uncertainty + diversity on the representation
        "bait": bait(),
        "dropquery": dropquery(),
        "falcun": falcun(),
        "clue": clue(),
        "maxherding": maxherding(),
    }
)


def resolve_strategy(strategy: str | Callable) -> tuple[str, Callable]:
    """Return ``(name, function)`` for a registered name or a strategy function.

    Parameters
    ----------
    strategy : str or callable
        A registered name or a strategy function.

    Returns
    -------
    name : str
        The registered name, or the function's ``__name__``.
    function : callable
        The strategy function.

    Examples
    --------
    >>> from alfunc.strategies import margin, resolve_strategy
    >>> name, function = resolve_strategy("breaking_ties")  # ml-research's name for margin
    >>> name, function is margin
    ('breaking_ties', True)

    A function of your own is used as it is, under its ``__name__``:

    >>> def closest_to_zero(model, X, context):
    ...     return -abs(X).sum(axis=1)
    >>> resolve_strategy(closest_to_zero)[0]
    'closest_to_zero'
    >>> resolve_strategy("max_entropy")
    Traceback (most recent call last):
    ...
    ValueError: unknown strategy 'max_entropy'; expected one of ['badge', ...]
    """
    if isinstance(strategy, str):
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; expected one of {sorted(STRATEGIES)}")
        return strategy, STRATEGIES[strategy]
    if callable(strategy):
        return getattr(strategy, "__name__", type(strategy).__name__), strategy
    raise TypeError(f"strategy must be a name or a callable, got {type(strategy).__name__}")


__all__ = [
    "STRATEGIES",
    "BatchStrategy",
    "Strategy",
    "bagging",
    "badge",
    "bald",
    "batch_strategy",
    "batchbald",
    "class_balanced",
    "epig",
    "stochastic",
    "check_model_kind",
    "committee_of",
    "committee_variance",
    "dwus",
    "ensemble_members",
    "entropy",
    "exp3",
    "expected_error_reduction",
    "filter_then",
    "for_selection",
    "gsy",
    "igs",
    "information_density",
    "inherit_needs",
    "k_center_greedy",
    "kl_divergence",
    "kmeans",
    "least_confident",
    "margin",
    "mix",
    "needs_classifier",
    "needs_ensemble",
    "needs_features",
    "needs_proba",
    "needs_regressor",
    "probcover",
    "random",
    "rank_product",
    "ranked_batch",
    "resolve_strategy",
    "selects_batch",
    "typiclust",
    "uses_classifier",
    "uses_ensemble",
    "uses_features",
    "uses_proba",
    "uses_regressor",
    "vote_entropy",
    "weighted",
    # second wave
    "bait",
    "clue",
    "dropquery",
    "falcun",
    "maxherding",
    # candidate restriction for large pools
    "anchoral",
    "seals",
]
