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
from alfunc.core.validation import is_real
from alfunc.strategies.algebra import named_like, utility_part
from alfunc.strategies.base import Strategy

Play = tuple[int, float, float]  # (arm, probability it had, reward in [0, 1])
PURPOSE = "exp3"


def exp3(arms: Sequence[Any], gamma: float = 0.1, reward: str = "test_score") -> Strategy:
    """A strategy that picks one of ``arms`` per selection by EXP3 with exploration ``gamma``.

    ``reward`` names a score in the records (``run(..., X_test=..., y_test=...)``
    records ``test_score``; without a test set use e.g. ``"train_score"``).

    Parameters
    ----------
    arms : sequence of str or callable
        The strategies to choose among (names or utility strategies), at least two.
    gamma : float, default=0.1
        Exploration rate, in (0, 1].
    reward : str, default="test_score"
        The record score that rewards the arm played.

    Returns
    -------
    callable
        A utility strategy.

    Examples
    --------
    >>> import alfunc as al
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from alfunc.strategies import exp3, needs_classifier
    >>> X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    >>> bandit = exp3(["margin", "random"], gamma=0.2, reward="train_score")
    >>> bandit.__name__, needs_classifier(bandit)
    ('exp3(margin,random)', True)
    >>> final = al.run(X, y, LogisticRegression(), bandit, n_init=6, batch_size=5, max_iter=2)
    >>> final.n_labeled, [record.strategy for record in final.history]
    (16, ['initial', 'exp3(margin,random)', 'exp3(margin,random)'])
    >>> exp3(["margin"])
    Traceback (most recent call last):
    ...
    ValueError: arms must list at least two strategies, got ['margin']
    """
    if isinstance(arms, (str, bytes)) or len(arms) < 2:
        raise ValueError(f"arms must list at least two strategies, got {arms!r}")
    if not is_real(gamma) or not 0.0 < gamma <= 1.0:
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
    """EXP3's distribution: (1 - gamma) * softmax(gamma / K * sum of r / p) + gamma / K.

    Examples
    --------
    >>> from alfunc.strategies.bandit import arm_probabilities
    >>> arm_probabilities(2, 0.1, []).tolist()  # no plays yet: uniform
    [0.5, 0.5]

    Arm 0, played with probability 0.5, earned the full reward 1: it becomes
    more likely, and no arm falls below ``gamma / K``:

    >>> [round(float(p), 3) for p in arm_probabilities(2, 0.1, [(0, 0.5, 1.0)])]
    [0.522, 0.478]
    >>> [round(float(p), 3) for p in arm_probabilities(2, 0.1, [(0, 0.5, 1.0)] * 100)]
    [0.95, 0.05]
    """
    estimated = np.zeros(n_arms)
    for arm, probability, reward_value in plays:
        estimated[arm] += reward_value / probability
    logits = gamma / n_arms * estimated
    weights = np.exp(logits - logits.max())
    return (1.0 - gamma) * weights / weights.sum() + gamma / n_arms


def replay_plays(history: History, name: str, n_arms: int, gamma: float, reward: str) -> list[Play]:
    """The (arm, probability, reward) of every earlier selection by this bandit, from the history.

    Examples
    --------
    The bandit's plays are recomputed from the records, here a hand-made
    history: the initial fit, then one round of ``exp3(margin,random)`` that
    raised the train score from 0.6 to 0.8 (reward (0.8 - 0.6 + 1) / 2 = 0.6):

    >>> from alfunc import History, Record
    >>> from alfunc.strategies.bandit import replay_plays
    >>> name = "exp3(margin,random)"
    >>> history = History(
    ...     seed=0,
    ...     records=[
    ...         Record(0, [0, 1], [float("nan")] * 2, "initial", 2, {"train_score": 0.6}),
    ...         Record(1, [2], [0.9], name, 3, {"train_score": 0.8}),
    ...     ],
    ... )
    >>> plays = replay_plays(history, name, 2, 0.1, "train_score")
    >>> [(arm, probability, round(reward, 3)) for arm, probability, reward in plays]
    [(0, 0.5, 0.6)]

    The reward must be a score the records hold:

    >>> replay_plays(history, name, 2, 0.1, "test_score")
    Traceback (most recent call last):
    ...
    ValueError: exp3(margin,random) reads its reward from scores['test_score'], which the records lack ...
    """
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
