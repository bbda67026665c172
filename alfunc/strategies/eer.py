"""Expected error reduction (Roy & McCallum 2001), bounded by design.

For each candidate x and each class c, refit the model on the labeled set plus
(x, c) and measure its expected loss on an evaluation set of unlabeled points;
the utility is minus the loss averaged over c with weights p(c|x). Loss is the
log loss (the expected entropy of the refitted model's predictions) or the 0/1
loss (1 - max_c p). Cost: one fit per candidate and class plus a prediction
over the evaluation set, i.e. ``O(pool^2 * classes)`` predictions for a full
pool. So by default only ``N_CANDIDATES`` (16) candidates are scored, a seeded
random subsample of the unlabeled pool as Roy & McCallum did to make the
method tractable (the rest get utility ``-inf``, so a batch larger than the
subsample is filled at random), and the loss is estimated on a seeded sample
of ``N_EVALUATION`` (500) unlabeled points: at most ``16 x classes`` refits and
``16 x classes x 500`` predicted rows per query, whatever the pool's size.
``None`` for either restores the unbounded method. Both subsets are drawn from
the whole unlabeled pool by a hash of the index
(``alfunc.strategies.subsample``), so they do not depend on the chunk size;
they are drawn once per selection (a pass over the pool) and kept by the
strategy for the selection's other chunks (the registered names are made
anew for each selection, so the registry keeps nothing).
With ``select(..., progress=True)`` a bar counts the candidates refitted. Rows are taken from the pool in its own container
(``take_rows``), so the model may take documents or a DataFrame; a refit's
training set is the labeled rows plus the candidate, in pool-index order, as
``fit_step`` would fit it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import clone

from alfunc.core.context import Context
from alfunc.core.rows import row_block, take_rows
from alfunc.core.validation import check_positive_int
from alfunc.strategies.base import Strategy, described, uses_classifier, uses_proba
from alfunc.strategies.subsample import hashed_subset as seeded_subset
from alfunc.strategies.uncertainty import predict_proba, shannon_entropy

LOSSES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log_loss": shannon_entropy,
    "zero_one": lambda proba: 1.0 - proba.max(axis=1),
}
N_CANDIDATES = 16
N_EVALUATION = 500


def expected_error_reduction(
    loss: str = "log_loss", n_candidates: int | None = N_CANDIDATES, n_evaluation: int | None = N_EVALUATION
) -> Strategy:
    """An EER strategy with ``loss`` in ``{"log_loss", "zero_one"}`` (see the module docstring).

    Parameters
    ----------
    loss : {"log_loss", "zero_one"}, default="log_loss"
        The loss expected after labeling a candidate.
    n_candidates : int or None, default=N_CANDIDATES
        Score only a seeded random subset of this many unlabeled points (16; ``None``: all, one refit per
        unlabeled point and class).
    n_evaluation : int or None, default=N_EVALUATION
        Measure the loss on a seeded random sample of this many unlabeled points (500; ``None``: all).

    Returns
    -------
    callable
        A utility strategy, with a docstring of its own.

    Examples
    --------
    Each utility is minus the loss expected after labeling the point, so the
    best utility is the one closest to 0 (a fast model keeps the refits cheap):

    >>> import numpy as np
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> from alfunc.strategies import expected_error_reduction
    >>> X = np.linspace(-3, 3, 13).reshape(-1, 1)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, GaussianNB())
    >>> eer = expected_error_reduction("zero_one", n_candidates=None, n_evaluation=None)
    >>> eer.__name__
    'expected_error_reduction_zero_one'
    >>> idx, utilities = al.select(state, X, eer, 3, return_utilities=True)
    >>> bool((utilities < 0).all()), bool((np.diff(utilities) <= 0).all())
    (True, True)

    ``n_candidates`` scores a seeded subset only; the other points get ``-inf``:

    >>> quick = expected_error_reduction("log_loss", n_candidates=3)
    >>> _, utilities = al.select(state, X, quick, state.n_unlabeled, return_utilities=True)
    >>> state.n_unlabeled, int(np.isfinite(utilities).sum())
    (7, 3)
    >>> expected_error_reduction(n_candidates=0)
    Traceback (most recent call last):
    ...
    ValueError: n_candidates must be an int >= 1, got 0
    >>> expected_error_reduction("hinge")
    Traceback (most recent call last):
    ...
    ValueError: loss must be one of ['log_loss', 'zero_one'], got 'hinge'
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    pointwise_loss = LOSSES[loss]
    n_candidates = None if n_candidates is None else check_positive_int(n_candidates, "n_candidates")
    n_evaluation = None if n_evaluation is None else check_positive_int(n_evaluation, "n_evaluation")

    last: list[tuple[bytes, np.ndarray, np.ndarray] | None] = [None]

    def subsets(context: Context) -> tuple[np.ndarray, np.ndarray]:
        """This selection's candidate and evaluation subsets: drawn once (a pass over the pool), then reused.

        Every chunk of a selection needs the same two subsets; drawing them
        anew per chunk would cost a pass over the unlabeled pool per chunk.
        They depend only on the seed, the iteration and the unlabeled set,
        which the key holds, so a hit returns exactly what a new draw would.
        """
        state = context.state
        key = hashlib.blake2b(
            f"{state.seed}/{context.iteration}/{state.n_pool}/".encode() + np.sort(state.labeled).tobytes(),
            digest_size=16,
        ).digest()
        memo = last[0]
        if memo is None or memo[0] != key:
            unlabeled = state.unlabeled()
            drawn = hashed_subset(context, unlabeled, n_candidates, "eer-candidates")
            memo = last[0] = (key, drawn, hashed_subset(context, unlabeled, n_evaluation, "eer-evaluation"))
        return memo[1], memo[2]

    @uses_proba
    @uses_classifier
    def expected_error_reduction(model: Any, X: Any, context: Context) -> np.ndarray:
        state = context.state
        candidate_subset, evaluation_subset = subsets(context)
        scored = np.isin(context.candidates, candidate_subset)
        X_eval = take_rows(context.X, evaluation_subset)
        order = np.argsort(state.labeled, kind="stable")
        labeled, labels = state.labeled[order], state.labels[order]
        utilities = np.full(context.candidates.size, -np.inf)
        rows = np.flatnonzero(scored)
        for row in context.ticking(rows.tolist(), rows.size, "EER refits"):
            proba = predict_proba(model, row_block(X, row, row + 1))[0]  # one row at a time: chunk-invariant
            where = int(np.searchsorted(labeled, context.candidates[row]))
            X_fit = take_rows(context.X, np.insert(labeled, where, context.candidates[row]))
            losses = [
                pointwise_loss(predict_proba(clone(model).fit(X_fit, np.insert(labels, where, label)), X_eval)).mean()
                for label in model.classes_
            ]
            utilities[row] = -float(np.dot(proba, losses))
        return utilities

    expected_error_reduction.__name__ = expected_error_reduction.__qualname__ = f"expected_error_reduction_{loss}"
    loss_name = "log loss (the expected entropy of the predictions)" if loss == "log_loss" else "0/1 loss (1 - max_c p)"
    return described(
        expected_error_reduction,
        f"Expected error reduction (Roy & McCallum 2001) with the {loss_name}: minus the loss expected after "
        "labeling x, averaged over its possible labels c with weights p(c|x).",
        f"Made by ``expected_error_reduction({loss!r}, n_candidates={n_candidates}, n_evaluation={n_evaluation})``. "
        "For each candidate and class the model is refitted on the labeled set plus (x, c) and its loss measured on "
        "unlabeled rows; ``n_candidates`` scores only a seeded random subset of the pool (the rest get -inf) and "
        "``n_evaluation`` measures the loss on a seeded sample (None: all), which bounds a query to "
        "n_candidates x classes refits whatever the pool's size.",
    )


def hashed_subset(context: Context, indices: np.ndarray, size: int | None, purpose: str) -> np.ndarray:
    """The ``size`` indices with the smallest seeded hash (all when ``size`` is None or too big).

    The selection's seed and iteration key the hash (see
    ``alfunc.strategies.subsample.hashed_subset``), so every chunk agrees.

    Parameters
    ----------
    context : Context
        The selection's context (its state's seed and the iteration key the hash).
    indices : ndarray of int
        Pool indices to draw from.
    size : int or None
        How many to keep (``None``: all).
    purpose : str
        Names the subset (candidates or evaluation points).

    Returns
    -------
    ndarray of int
        The kept indices, increasing.

    Examples
    --------
    The subset is fixed by the seed, the iteration and the purpose, and
    depends on the indices themselves, not on their order:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies.eer import hashed_subset
    >>> X = np.arange(13.0).reshape(-1, 1)
    >>> state = al.init_step(X, (X[:, 0] > 6).astype(int), n_init=6, random_state=0)
    >>> pool = state.unlabeled()
    >>> context = al.Context(state, X, pool, state.next_iteration)
    >>> subset = hashed_subset(context, pool, 3, "eer-candidates")
    >>> len(subset), bool(np.isin(subset, pool).all()), bool((np.diff(subset) > 0).all())
    (3, True, True)
    >>> hashed_subset(context, pool[::-1], 3, "eer-candidates").tolist() == subset.tolist()
    True
    >>> hashed_subset(context, pool, None, "eer-candidates").tolist() == pool.tolist()
    True
    """
    return seeded_subset(indices, size, context.state.seed, context.iteration, purpose)
