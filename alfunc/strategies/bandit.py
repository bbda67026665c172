"""A bandit over strategies (EXP3, Auer et al. 2002; in the spirit of ALBL, Hsu & Lin 2015).

Each selection plays one arm (a utility strategy). The arm's reward is the
change of a recorded score (``test_score`` by default) between the fit before
and the fit after its batch, mapped from [-1, 1] to [0, 1].

The bandit's state lives in ``ALState``: it is derived from ``state.history``,
never stored. The arm played at iteration t is a draw from the generator of
(seed, t) with probabilities computed from the rewards of the earlier records,
so replaying the history recomputes exactly the same plays and weights. No
field was added to ``ALState`` for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from alfunc.core.context import Context
from alfunc.core.rng import step_generator
from alfunc.core.state import History
from alfunc.strategies.algebra import named_like, utility_part
from alfunc.strategies.base import Strategy

Play = tuple[int, float, float]  # (arm, probability it had, reward in [0, 1])
PURPOSE = "exp3"


def exp3(arms: Sequence[Any], gamma: float = 0.1, reward: str = "test_score") -> Strategy:
    """A strategy that picks one of ``arms`` per selection by EXP3 with exploration ``gamma``.

    ``reward`` names a score in the records (``run(..., X_test=..., y_test=...)``
    records ``test_score``; without a test set use e.g. ``"train_score"``).
    """
    if isinstance(arms, (str, bytes)) or len(arms) < 2:
        raise ValueError(f"arms must list at least two strategies, got {arms!r}")
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not 0.0 < gamma <= 1.0:
        raise ValueError(f"gamma must be in (0, 1], got {gamma!r}")
    parts = [utility_part(arm) for arm in arms]
    name = f"exp3({','.join(arm_name for arm_name, _ in parts)})"

    def bandit(model: Any, X: Any, context: Context) -> np.ndarray:
        plays = replay_plays(context.state.history, name, len(parts), gamma, reward)
        probabilities = arm_probabilities(len(parts), gamma, plays)
        arm = int(context.generator(PURPOSE).choice(len(parts), p=probabilities))
        return parts[arm][1](model, X, context)

    return named_like(bandit, name, [part for _, part in parts])


def arm_probabilities(n_arms: int, gamma: float, plays: Sequence[Play]) -> np.ndarray:
    """EXP3's distribution: (1 - gamma) * softmax(gamma / K * sum of r / p) + gamma / K."""
    estimated = np.zeros(n_arms)
    for arm, probability, reward_value in plays:
        estimated[arm] += reward_value / probability
    logits = gamma / n_arms * estimated
    weights = np.exp(logits - logits.max())
    return (1.0 - gamma) * weights / weights.sum() + gamma / n_arms


def replay_plays(history: History, name: str, n_arms: int, gamma: float, reward: str) -> list[Play]:
    """The (arm, probability, reward) of every earlier selection by this bandit, from the history."""
    plays: list[Play] = []
    for before, after in pairwise(history):
        if after.strategy != name:
            continue
        if reward not in after.scores or reward not in before.scores:
            raise ValueError(
                f"{name} reads its reward from scores[{reward!r}], which the records lack "
                f"(they have {sorted(after.scores)}); pass X_test and y_test to run, or choose reward="
            )
        probabilities = arm_probabilities(n_arms, gamma, plays)
        arm = int(step_generator(history.seed, after.iteration, PURPOSE).choice(n_arms, p=probabilities))
        gain = float(np.clip((after.scores[reward] - before.scores[reward] + 1.0) / 2.0, 0.0, 1.0))
        plays.append((arm, float(probabilities[arm]), gain))
    return plays
