"""Class balance for batches: ``class_balanced(strategy)`` spreads a batch over the predicted classes.

On an imbalanced pool an uncertainty strategy keeps asking about the majority
classes. Like small-text's ``ClassBalancer`` (Schröder et al.), the candidates
are grouped by the class the model predicts for them, and the batch is filled
one pick at a time from the class that is rarest so far (labeled points plus
the picks of this batch), taking each class's candidates in the order of the
inner strategy's utilities. A class whose candidates run out drops out, so
the batch is always full. With ``balance="batch"`` the labeled counts are
ignored: the batch itself is spread evenly (round robin over the classes).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from alfunc.core.context import Context
from alfunc.core.ranking import top_k
from alfunc.core.rng import hashed_uniform, step_salt
from alfunc.core.rows import take_rows
from alfunc.strategies.algebra import named_like
from alfunc.strategies.base import BatchStrategy, batch_strategy, described, for_selection, uses_classifier
from alfunc.strategies.pooled import chunk_utilities, scoring_chunk_rows
from alfunc.strategies.stochastic import utility_strategy

BALANCES = ("labeled", "batch")


def class_balanced(strategy: Any = "margin", balance: str = "labeled") -> BatchStrategy:
    """Spread the batch over the model's predicted classes, each class's best candidates by ``strategy`` first.

    Each pick goes to the predicted class with the fewest points so far
    (labeled points of that class plus picks of this batch; only picks with
    ``balance="batch"``) among the classes that still have candidates; ties go
    to the class whose next candidate ranks higher by ``strategy`` (utility,
    then the seeded tie-break hash). Within a class, candidates are taken
    best first. The utilities are ``strategy``'s. The model's ``predict``
    gives the classes (small-text's ``ClassBalancer``, without its random
    subsampling).

    Parameters
    ----------
    strategy : str or callable, default="margin"
        The utility strategy that ranks the candidates within each class.
    balance : {"labeled", "batch"}, default="labeled"
        ``"labeled"`` moves the labeled set towards balance (rare labeled
        classes are served first); ``"batch"`` spreads the batch evenly
        whatever the labeled set holds.

    Returns
    -------
    callable
        A batch strategy named ``"class_balanced(<strategy>)"`` (with
        ``,balance=batch`` when asked), which needs a classifier.

    Examples
    --------
    Three blobs, the labeled set mostly of class 0: margin alone asks about
    the boundary of the two big classes; the balanced batch serves the rare
    labeled classes first.

    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import class_balanced
    >>> X, y = make_blobs(n_samples=300, centers=3, random_state=0)
    >>> initial = np.concatenate([np.flatnonzero(y == 0)[:8], np.flatnonzero(y == 1)[:1], np.flatnonzero(y == 2)[:1]])
    >>> state = al.fit_step(al.init_step(X, y, initial=initial), X, LogisticRegression())
    >>> batch = al.select(state, X, class_balanced("margin"), 6)
    >>> np.bincount(state.model.predict(X[batch]), minlength=3).tolist()
    [0, 3, 3]
    >>> spread = al.select(state, X, class_balanced("margin", balance="batch"), 6)
    >>> np.bincount(state.model.predict(X[spread]), minlength=3).tolist()
    [2, 2, 2]
    >>> class_balanced("kmeans")
    Traceback (most recent call last):
    ...
    TypeError: 'kmeans' is a batch strategy; combinators take utility strategies
    """
    name, inner = utility_strategy(strategy)
    if not isinstance(balance, str) or balance not in BALANCES:
        raise ValueError(f"balance must be one of {BALANCES}, got {balance!r}")

    def balanced(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        labels = np.asarray(context.state.labels)
        salt = step_salt(context.state.seed, context.iteration, "tie-break")
        best = best_per_class(inner, model, X, context, batch_size, salt)
        candidates = np.concatenate([indices for indices, _ in best.values()])
        utilities = np.concatenate([values for _, values in best.values()])
        predicted = np.repeat(np.asarray(list(best)), [indices.size for indices, _ in best.values()])
        classes, codes = np.unique(np.concatenate([labels, predicted]), return_inverse=True)
        counts = np.bincount(codes[: labels.size], minlength=classes.size) if balance == "labeled" else None
        hashes = hashed_uniform(candidates, salt)
        order = np.lexsort((candidates, -hashes, -utilities))
        picks = balanced_picks(order, codes[labels.size :], classes.size, batch_size, counts)
        return candidates[picks], utilities[picks]

    label = f"class_balanced({name}" + (",balance=batch)" if balance == "batch" else ")")
    return described(
        batch_strategy(uses_classifier(named_like(balanced, label, [inner]))),
        "Class-balanced batches (as small-text's ClassBalancer; Ein-Dor et al. 2020 motivate balance in active "
        f"learning for text): each pick goes to the predicted class with the fewest points so far, best first by {name}.",
        f"Made by ``class_balanced({name!r}, balance={balance!r})``.",
    )


def balanced_picks(
    order: np.ndarray, classes: np.ndarray, n_classes: int, batch_size: int, counts: np.ndarray | None = None
) -> np.ndarray:
    """Positions for a batch: each pick from the open class of fewest points, its best remaining candidate.

    ``order`` ranks the candidate positions best first; ``classes[i]`` is the
    class number of position ``i``; ``counts`` the labeled points per class
    (zeros when None). Ties between classes go to the class whose next
    candidate comes first in ``order``.

    Examples
    --------
    Five candidates ranked 4, 3, 2, 1, 0; class 1 has two labeled points,
    class 0 none, so class 0 is served until the counts meet, then they
    alternate:

    >>> import numpy as np
    >>> from alfunc.strategies.balance import balanced_picks
    >>> order = np.array([4, 3, 2, 1, 0])
    >>> classes = np.array([0, 0, 0, 1, 1])
    >>> balanced_picks(order, classes, 2, 4, counts=np.array([0, 2])).tolist()
    [2, 1, 4, 0]
    >>> balanced_picks(order, classes, 2, 4).tolist()  # no labeled counts: round robin, best class first
    [4, 2, 3, 1]
    """
    by_class = [order[classes[order] == c] for c in range(n_classes)]
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    size = np.zeros(n_classes, dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64).copy()
    taken = np.zeros(n_classes, dtype=np.int64)
    available = np.array([members.size for members in by_class])
    picks = np.empty(min(batch_size, order.size), dtype=np.int64)
    for pick in range(picks.size):
        open_classes = np.flatnonzero(taken < available)
        fewest = open_classes[size[open_classes] == size[open_classes].min()]
        chosen = min(fewest, key=lambda c: rank[by_class[c][taken[c]]])
        picks[pick] = by_class[chosen][taken[chosen]]
        taken[chosen] += 1
        size[chosen] += 1
    return picks


def best_per_class(
    score: Any, model: Any, X: Any, context: Context, k: int, salt: int
) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
    """Each predicted class's ``k`` best candidates by ``score`` (utility, then the tie-break hash), best first.

    One pass over the candidates in model-sized chunks: each chunk's rows are
    taken once, scored and predicted, and every class keeps a streaming top
    ``k``, so memory is a chunk plus ``k`` per class. No pick of a balanced
    batch of ``k`` can lie beyond its class's ``k``-th best candidate.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import margin
    >>> from alfunc.strategies.balance import best_per_class
    >>> X = np.linspace(-3, 3, 13).reshape(-1, 1)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    >>> best = best_per_class(margin, state.model, X, context, 2, salt=0)
    >>> {int(label): X[indices, 0].tolist() for label, (indices, _) in best.items()}  # nearest the boundary
    {0: [-1.0, -1.5], 1: [0.0, 1.0]}
    """
    best: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    score = for_selection(score)  # a registered committee name: one committee for all chunks
    step = scoring_chunk_rows(X)
    for start in range(0, context.candidates.size, step):
        part = context.candidates[start : start + step]
        rows = take_rows(X, part)
        utilities = chunk_utilities(score, model, rows, attrs.evolve(context, candidates=part))
        predicted = np.asarray(model.predict(rows))
        for label in np.unique(predicted):
            mine = predicted == label
            kept_indices, kept_utilities = best.get(label, (part[:0], utilities[:0]))
            best[label] = top_k(
                np.concatenate([kept_indices, part[mine]]), np.concatenate([kept_utilities, utilities[mine]]), k, salt
            )
    return best
