"""Combinators that build a strategy from strategies: ``weighted``, ``rank_product``, ``mix``.

Parts are strategy names or utility-strategy functions. A combined strategy
needs a classifier (or a regressor) when any part does.

Normalising utilities so that they can be added or multiplied needs the whole
candidate set: min-max scaling or ranks computed per chunk would change with
the chunk size. ``weighted`` and ``rank_product`` are therefore batch
strategies: they score every unlabeled candidate with each part (chunk by
chunk, keeping one float per candidate and part, never a copy of the pool),
normalise over the whole set, and take the top k with ``select``'s seeded
tie-breaking. ``mix`` needs no normalisation and stays a utility strategy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy.stats import rankdata

from alfunc.core.context import Context
from alfunc.core.ranking import top_k
from alfunc.core.rng import step_salt
from alfunc.core.validation import is_real
from alfunc.strategies.base import (
    BatchStrategy,
    Strategy,
    batch_strategy,
    inherit_needs,
)
from alfunc.strategies.pooled import candidate_utilities


def weighted(weights: Mapping[Any, float] | None = None, /, **named_weights: float) -> BatchStrategy:
    """Weighted sum of min-max normalised utilities: ``weighted(margin=0.7, information_density=0.3)``.

    Strategies given as functions go in the mapping: ``weighted({my_strategy: 0.5, "margin": 0.5})``.
    Each part's utilities are scaled to [0, 1] over the whole unlabeled pool
    (a constant part scales to 0). Weights must be finite and >= 0, not all 0.

    Parameters
    ----------
    weights : mapping, default=None
        ``strategy -> weight``, for strategies given as functions (or names).
    **named_weights : float
        ``name=weight`` for registered strategies.

    Returns
    -------
    callable
        A batch strategy (it normalises over the whole unlabeled pool).

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import needs_classifier, selects_batch, weighted
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> strategy = weighted(margin=0.7, information_density=0.3)
    >>> strategy.__name__
    'weighted(margin=0.7,information_density=0.3)'
    >>> selects_batch(strategy), needs_classifier(strategy)
    (True, True)
    >>> idx = al.select(state, X, strategy, 5)
    >>> len(idx), bool(state.labeled_mask()[idx].any())  # five picks, none already labeled
    (5, False)
    >>> weighted(margin=0, random=0)
    Traceback (most recent call last):
    ...
    ValueError: weighted needs at least one positive weight
    """
    pairs = [*(weights or {}).items(), *named_weights.items()]
    if not pairs:
        raise ValueError("weighted needs at least one strategy=weight pair")
    parts = [utility_part(strategy) for strategy, _ in pairs]
    values = np.array([_check_weight(weight, name) for (name, _), (_, weight) in zip(parts, pairs, strict=True)])
    if values.sum() == 0:
        raise ValueError("weighted needs at least one positive weight")

    def combine(utilities: list[np.ndarray]) -> np.ndarray:
        return sum(weight * min_max(u) for weight, u in zip(values, utilities, strict=True))

    label = ",".join(f"{name}={weight:g}" for (name, _), weight in zip(parts, values, strict=True))
    return _whole_pool_combination(parts, combine, f"weighted({label})")


def rank_product(*strategies: Any) -> BatchStrategy:
    """Geometric mean of the parts' normalised ranks over the unlabeled pool (rank n = best).

    Scale-free: only the order each part gives matters. Ties share their mean rank.

    Parameters
    ----------
    *strategies : str or callable
        The parts: registered names or utility strategies.

    Returns
    -------
    callable
        A batch strategy (it ranks over the whole unlabeled pool).

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import rank_product, selects_batch
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> strategy = rank_product("margin", "dwus")
    >>> strategy.__name__, selects_batch(strategy)
    ('rank_product(margin,dwus)', True)
    >>> idx = al.select(state, X, strategy, 5)
    >>> len(idx), bool(state.labeled_mask()[idx].any())
    (5, False)
    >>> rank_product("margin")
    Traceback (most recent call last):
    ...
    ValueError: rank_product needs at least two strategies, got 1
    """
    if len(strategies) < 2:
        raise ValueError(f"rank_product needs at least two strategies, got {len(strategies)}")
    parts = [utility_part(strategy) for strategy in strategies]

    def combine(utilities: list[np.ndarray]) -> np.ndarray:
        log_ranks = [np.log(rankdata(u) / u.size) for u in utilities]
        return np.exp(np.mean(log_ranks, axis=0))

    return _whole_pool_combination(parts, combine, f"rank_product({','.join(name for name, _ in parts)})")


def mix(p: float, a: Any, b: Any) -> Strategy:
    """With probability ``p`` a selection uses strategy ``a``, otherwise ``b`` (e.g. epsilon-greedy).

    One seeded coin per selection (from ``context.generator``), so every chunk
    of a selection uses the same part and the batch does not depend on the
    chunk size; utilities are never mixed across scales.

    Parameters
    ----------
    p : float
        Probability of using ``a``, in [0, 1].
    a : str or callable
        The strategy used with probability ``p``.
    b : str or callable
        The strategy used otherwise.

    Returns
    -------
    callable
        A utility strategy.

    Examples
    --------
    Epsilon-greedy: explore at random in 10% of the selections, else query by margin.

    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import mix, selects_batch
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> strategy = mix(0.1, "random", "margin")
    >>> strategy.__name__, selects_batch(strategy)
    ('mix(0.1,random,margin)', False)
    >>> idx = al.select(state, X, strategy, 5)
    >>> len(idx), bool(state.labeled_mask()[idx].any())
    (5, False)
    >>> mix(1.5, "random", "margin")
    Traceback (most recent call last):
    ...
    ValueError: p must be a probability in [0, 1], got 1.5
    """
    if not is_real(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    (name_a, first), (name_b, second) = utility_part(a), utility_part(b)
    purpose = f"mix({p:g},{name_a},{name_b})"

    def mixed(model: Any, X: Any, context: Context) -> np.ndarray:
        chosen = first if context.generator(purpose).random() < p else second
        return chosen(model, X, context)

    return named_like(mixed, purpose, [first, second])


def min_max(utilities: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant (or infinite-range) input maps to zeros.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.algebra import min_max
    >>> min_max(np.array([2.0, 4.0, 6.0])).tolist()
    [0.0, 0.5, 1.0]
    >>> min_max(np.array([3.0, 3.0])).tolist()
    [0.0, 0.0]

    Infinities are clipped to the range of the finite values:

    >>> min_max(np.array([0.0, 2.0, np.inf, -np.inf])).tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    finite = np.where(np.isfinite(utilities), utilities, np.nan)
    low, high = np.nanmin(finite, initial=np.inf), np.nanmax(finite, initial=-np.inf)
    if not high > low:
        return np.zeros_like(utilities)
    return np.clip((np.nan_to_num(utilities, nan=low, posinf=high, neginf=low) - low) / (high - low), 0.0, 1.0)


def resolve_part(strategy: Any) -> tuple[str, Callable]:
    """``(name, function)`` for a registered name or a function (imported late: the registry imports this module).

    Examples
    --------
    >>> from alfunc.strategies import entropy
    >>> from alfunc.strategies.algebra import resolve_part
    >>> name, function = resolve_part("entropy")
    >>> name, function is entropy
    ('entropy', True)
    """
    from alfunc.strategies import resolve_strategy

    return resolve_strategy(strategy)


def utility_part(strategy: Any) -> tuple[str, Strategy]:
    """``(name, function)`` of a utility strategy; a batch strategy is a TypeError.

    Examples
    --------
    >>> from alfunc.strategies.algebra import utility_part
    >>> utility_part("margin")[0]
    'margin'
    >>> utility_part("kmeans")
    Traceback (most recent call last):
    ...
    TypeError: 'kmeans' is a batch strategy; combinators take utility strategies
    """
    name, function = resolve_part(strategy)
    if getattr(function, "selects_batch", False):
        raise TypeError(f"{name!r} is a batch strategy; combinators take utility strategies")
    return name, function


def _check_weight(weight: Any, name: str) -> float:
    if not is_real(weight) or not np.isfinite(weight) or weight < 0:
        raise ValueError(f"the weight of {name!r} must be a finite number >= 0, got {weight!r}")
    return float(weight)


def _whole_pool_combination(
    parts: list[tuple[str, Strategy]], combine: Callable[[list[np.ndarray]], np.ndarray], name: str
) -> BatchStrategy:
    def combination(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        combined = combine([candidate_utilities(part, model, X, context) for _, part in parts])
        return top_k(
            context.candidates, combined, batch_size, step_salt(context.state.seed, context.iteration, "tie-break")
        )

    return batch_strategy(named_like(combination, name, [part for _, part in parts]))


def named_like(strategy: Callable, name: str, parts: list[Callable]) -> Callable:
    """Name ``strategy`` and give it every model need of its parts.

    Examples
    --------
    >>> from alfunc.strategies import margin, needs_classifier
    >>> from alfunc.strategies.algebra import named_like
    >>> def squared(model, X, context):
    ...     return margin(model, X, context) ** 2
    >>> strategy = named_like(squared, "margin_squared", [margin])
    >>> strategy.__name__, needs_classifier(strategy)
    ('margin_squared', True)
    """
    strategy.__name__ = strategy.__qualname__ = name
    return inherit_needs(strategy, *parts)
