"""Stochastic batch acquisition (Kirsch et al. 2023): sample a batch from any utility strategy's scores.

Kirsch, Farquhar, Atighehchian, Jesson, Branchaud-Charron and Gal, "Stochastic
Batch Acquisition: A Simple Baseline for Deep Active Learning" (TMLR 2023).
Instead of the top ``k`` scores, the batch is ``k`` draws without replacement
from a distribution over the candidates that favours high scores:

* ``power``: ``p(i) ∝ s_i ** beta`` (scores must be >= 0);
* ``softmax``: ``p(i) ∝ exp(beta * s_i)``;
* ``softrank``: ``p(i) ∝ r_i ** -beta``, ``r_i`` the rank of ``s_i`` among all
  candidates (1 = highest score; tied scores share the best rank).

Drawing ``k`` without replacement in proportion to ``p`` is the same as taking
the ``k`` largest of ``log p(i) + G_i``, ``G_i`` a standard Gumbel draw (the
Gumbel-top-k trick; Kool et al. 2019). ``G_i`` comes from a seeded hash of the
pool index (``context.uniform``), so it depends only on (seed, iteration,
index): the perturbed scores are exact per candidate, and ``select``'s
streaming top-k over chunks picks the same batch for every chunk size.
``power`` and ``softmax`` are therefore utility strategies. ``softrank``
needs each score's rank among all unlabeled candidates, so it is a batch
strategy: it scores the candidates chunk by chunk, keeps one float per
candidate (never a copy of the pool), ranks them and takes the top ``k``
perturbed ranks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.core.ranking import top_k
from alfunc.core.rng import step_salt
from alfunc.core.validation import is_real
from alfunc.strategies.algebra import named_like, utility_part
from alfunc.strategies.base import batch_strategy, described, selects_batch
from alfunc.strategies.pooled import candidate_utilities

MODES = ("power", "softmax", "softrank")
NOISE_PURPOSE = "stochastic-gumbel"


def stochastic(strategy: Any, mode: str = "power", beta: float = 1.0) -> Any:
    """Sample the batch from ``strategy``'s scores instead of taking its top ``k`` (Kirsch et al. 2023).

    The batch is ``k`` draws without replacement with probabilities
    ``∝ s ** beta`` (``"power"``), ``∝ exp(beta * s)`` (``"softmax"``) or
    ``∝ rank ** -beta`` (``"softrank"``, rank 1 = highest score), made by
    taking the top ``k`` of the perturbed log-probabilities
    ``log p + Gumbel`` (see the module docstring). The utilities ``select``
    records are those perturbed values: ``beta * log s + G``,
    ``beta * s + G`` or ``-beta * log rank + G``. ``beta`` is the paper's
    coldness: large values approach the top-k batch, small ones a uniform
    random batch. A score of ``-inf`` (a candidate the strategy ranks last)
    stays ``-inf``; in ``"power"`` mode a score of 0 has probability 0 too.

    Parameters
    ----------
    strategy : str or callable
        A utility strategy (a registered name or a function), e.g. ``"margin"``,
        ``"entropy"`` or ``"bald"``. Batch strategies are refused.
    mode : {"power", "softmax", "softrank"}, default="power"
        How scores become probabilities. ``"power"`` needs scores >= 0 (as
        those of entropy, margin with ``predict_proba``, BALD), and raises
        ``ValueError`` on a negative one.
    beta : float, default=1.0
        Coldness, a finite number > 0 (the paper uses 1).

    Returns
    -------
    callable
        A utility strategy for ``"power"`` and ``"softmax"``, a batch strategy
        for ``"softrank"``; named ``"stochastic(<strategy>,<mode>,beta=<beta>)"``,
        with the model needs of ``strategy``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import selects_batch, stochastic
    >>> X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    >>> state = al.fit_step(al.init_step(X, y, n_init=10, random_state=0), X, LogisticRegression())
    >>> power_margin = stochastic("margin", "power", beta=1.0)
    >>> power_margin.__name__, selects_batch(power_margin)
    ('stochastic(margin,power,beta=1)', False)
    >>> batch = al.select(state, X, power_margin, 10)
    >>> bool((batch == al.select(state, X, power_margin, 10, chunk_size=7)).all())  # any chunking, same batch
    True
    >>> top = al.select(state, X, "margin", 10)
    >>> int(np.isin(batch, top).sum()) < 10  # a sample, not the top 10
    True

    ``softrank`` ranks every candidate, so it chooses the batch as a whole:

    >>> selects_batch(stochastic("margin", "softrank"))
    True
    >>> stochastic("margin", "gumbel")
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of ('power', 'softmax', 'softrank'), got 'gumbel'
    >>> stochastic("margin", beta=0)
    Traceback (most recent call last):
    ...
    ValueError: beta must be a finite number > 0, got 0
    """
    name, inner = utility_strategy(strategy)
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if not is_real(beta) or not 0.0 < beta < math.inf:
        raise ValueError(f"beta must be a finite number > 0, got {beta!r}")
    beta = float(beta)
    label = f"stochastic({name},{mode},beta={beta:g})"

    if mode == "softrank":

        def sampled_ranks(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
            scores = candidate_utilities(inner, model, X, context)
            keys = softrank_keys(scores, beta) + gumbel(context)
            salt = step_salt(context.state.seed, context.iteration, "tie-break")
            return top_k(context.candidates, keys, batch_size, salt)

        return described(batch_strategy(named_like(sampled_ranks, label, [inner])), *_description(name, mode, beta))

    def perturbed(model: Any, X: Any, context: Context) -> np.ndarray:
        scores = np.asarray(inner(model, X, context), dtype=np.float64)
        logits = power_logits(scores, beta, name) if mode == "power" else beta * scores
        return logits + gumbel(context)

    return described(named_like(perturbed, label, [inner]), *_description(name, mode, beta))


def _description(name: str, mode: str, beta: float) -> tuple[str, str]:
    law = {"power": f"{name} ** {beta:g}", "softmax": f"exp({beta:g} * {name})", "softrank": f"rank ** -{beta:g}"}
    return (
        f"Stochastic batch acquisition (Kirsch et al. 2023): a batch drawn without replacement with probabilities "
        f"proportional to {law[mode]}, by Gumbel top-k.",
        f"Made by ``stochastic({name!r}, mode={mode!r}, beta={beta:g})``; the draws are seeded by the run.",
    )


def gumbel(context: Context) -> np.ndarray:
    """One standard Gumbel draw per candidate, ``-log(-log U)``, ``U`` the candidate's seeded uniform.

    Fixed by (seed, iteration, pool index), so the same in every chunk. A
    uniform of exactly 0 gives ``-inf`` (that candidate comes last).

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies.stochastic import gumbel
    >>> X = np.zeros((6, 1))
    >>> state = al.init_step(X, np.array([0, 1] * 3), n_init=2, random_state=0)
    >>> whole = gumbel(al.Context(state, X, state.unlabeled(), 1))
    >>> part = gumbel(al.Context(state, X, state.unlabeled()[2:], 1))
    >>> bool((whole[2:] == part).all()), whole.shape
    (True, (4,))
    """
    uniform = context.uniform(NOISE_PURPOSE)
    with np.errstate(divide="ignore"):
        return -np.log(-np.log(uniform))


def power_logits(scores: np.ndarray, beta: float, name: str = "strategy") -> np.ndarray:
    """``beta * log(s)``: the log-probabilities (up to a constant) of power sampling; 0 and ``-inf`` give ``-inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.stochastic import power_logits
    >>> power_logits(np.array([1.0, np.e, 0.0, -np.inf]), 2.0).tolist()
    [0.0, 2.0, -inf, -inf]
    >>> power_logits(np.array([0.5, -0.1]), 1.0, "margin")
    Traceback (most recent call last):
    ...
    ValueError: mode='power' needs scores >= 0, but 'margin' gave -0.1 (1 of 2 candidates); use mode='softmax' or 'softrank'
    """
    negative = (scores < 0) & (scores > -np.inf)
    if negative.any():
        raise ValueError(
            f"mode='power' needs scores >= 0, but {name!r} gave {float(scores[negative].min()):g} "
            f"({int(negative.sum())} of {scores.size} candidates); use mode='softmax' or 'softrank'"
        )
    logits = np.full(scores.shape, -np.inf)
    positive = scores > 0
    logits[positive] = beta * np.log(scores[positive])
    return logits


def softrank_keys(scores: np.ndarray, beta: float) -> np.ndarray:
    """``-beta * log(rank)``, rank 1 for the highest score (ties share the best rank); ``-inf`` stays ``-inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.stochastic import softrank_keys
    >>> keys = softrank_keys(np.array([0.2, 0.9, 0.5, 0.9, -np.inf]), 1.0)
    >>> np.exp(-keys).tolist()  # the ranks
    [4.0, 1.0, 3.0, 1.0, inf]
    """
    descending = np.argsort(-scores)  # an unstable sort: ties share a rank, so their order is irrelevant
    ordered = scores[descending]
    first_of_tie = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first_of_tie[1:])
    del ordered
    sorted_ranks = np.where(first_of_tie, np.arange(1, scores.size + 1, dtype=np.float64), 0.0)
    np.maximum.accumulate(sorted_ranks, out=sorted_ranks)
    keys = np.empty_like(scores)
    keys[descending] = -beta * np.log(sorted_ranks)
    keys[scores == -np.inf] = -np.inf
    return keys


def utility_strategy(strategy: Any, argument: str = "strategy") -> tuple[str, Any]:
    """``(name, function)`` of a utility strategy given by name or function; a batch strategy is a TypeError.

    Functions are taken as they are (so the registry can build combinations
    while it is being defined); names are looked up in ``STRATEGIES``.

    Examples
    --------
    >>> from alfunc.strategies import margin
    >>> from alfunc.strategies.stochastic import utility_strategy
    >>> utility_strategy(margin)[0], utility_strategy("entropy")[0]
    ('margin', 'entropy')
    >>> utility_strategy("kmeans")
    Traceback (most recent call last):
    ...
    TypeError: 'kmeans' is a batch strategy; combinators take utility strategies
    >>> utility_strategy(3)
    Traceback (most recent call last):
    ...
    TypeError: strategy must be a utility strategy (a registered name or a function), got int
    """
    if isinstance(strategy, str):
        return utility_part(strategy)
    if not callable(strategy):
        raise TypeError(
            f"{argument} must be a utility strategy (a registered name or a function), got {type(strategy).__name__}"
        )
    name = getattr(strategy, "__name__", type(strategy).__name__)
    if selects_batch(strategy):
        raise TypeError(f"{name!r} is a batch strategy; combinators take utility strategies")
    return name, strategy
