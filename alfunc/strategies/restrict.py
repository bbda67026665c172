"""Candidate restriction for pools beyond one pass: ``seals`` and ``anchoral`` wrap any strategy.

On a pool of millions of rows, scoring every unlabeled row each round is the
cost of a query. These combinators let the inner strategy score only a small
candidate set found with a nearest-neighbour index (``alfunc.core.neighbours``,
built once over the pool or its embeddings):

* ``seals`` (SEALS, Coleman et al. 2022): the unlabeled points among the
  ``n_neighbours`` nearest neighbours of the labeled points. The set grows as
  points are labeled; it is recomputed from ``state.labeled`` at each query
  (pure: nothing is kept between queries).
* ``anchoral`` (AnchorAL, Lesci & Vlachos 2024): each round, per class, up to
  ``n_anchors`` anchors are drawn among that class's labeled points by
  k-means++ seeding (seeded by the state); their ``n_neighbours`` nearest
  unlabeled points are scored by their mean similarity to the anchors, and the
  best ``subpool_size`` form the candidates.

The inner strategy (a registered name, a utility strategy or a batch strategy)
then chooses among the candidates exactly as ``select`` would among the whole
pool: a utility strategy is scored chunk by chunk (bounded memory) and its top
``k`` is taken with ``select``'s seeded tie-break, so with a neighbourhood that
covers the pool the batch is the inner strategy's own. When the candidates are
fewer than the batch, the neighbourhood is widened (``n_neighbours`` doubled
until the index's size), then the whole unlabeled pool is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from alfunc.core.context import Context
from alfunc.core.neighbours import NeighbourIndex, exact_index
from alfunc.core.ranking import top_k
from alfunc.core.rng import step_salt
from alfunc.core.validation import check_positive_int
from alfunc.strategies.algebra import resolve_part
from alfunc.strategies.base import (
    BatchStrategy,
    batch_strategy,
    described,
    inherit_needs,
    selects_batch,
    uses_features,
)
from alfunc.strategies.pooled import candidate_utilities, geometry


def seals(strategy: Any = "margin", index: NeighbourIndex | None = None, n_neighbours: int = 100) -> BatchStrategy:
    """Restrict ``strategy`` to the unlabeled nearest neighbours of the labeled points (SEALS, Coleman et al. 2022).

    Each query asks ``index`` for the ``n_neighbours`` nearest pool points of
    every labeled point (and any point tied with the last, so duplicated rows
    come in together, whatever their positions); the unlabeled (and not excluded) ones among them are
    the candidates, so the set grows with the labeled set. ``strategy`` then
    picks the batch among them as it would among the whole pool. If they are
    fewer than the batch, ``n_neighbours`` is doubled (up to the pool size),
    then the whole unlabeled pool is used.

    Cost: the set is recomputed each query (nothing is kept between queries),
    so every labeled point is a query of the index. With many labeled points
    spread over the pool an ``"ivf"`` index reads most of its cells: the
    restriction then saves the model's scoring of the pool, not the reading
    of it, and pays when scoring a row costs more than finding its
    neighbours (``benchmarks/bench_restrict.py``). ``anchoral`` queries only
    its anchors.

    Parameters
    ----------
    strategy : str or callable, default="margin"
        The strategy that chooses among the candidates: a registered name, a utility strategy or a batch
        strategy.
    index : NeighbourIndex, default=None
        Built once over the pool (or its embeddings) with ``alfunc.neighbour_index``; its size must be the
        pool's. ``None``: an exact index over the run's representation, made at each query (no build, but one
        pass over the pool per query: give an index for large pools).
    n_neighbours : int, default=100
        Neighbours asked per labeled point.

    Returns
    -------
    callable
        A batch strategy named ``"seals(<strategy>,n_neighbours=<n>)"``.

    Examples
    --------
    Ten points on a line, 0 and 9 labeled: with one neighbour besides
    itself, each labeled point brings its next point, and margin chooses
    among those two only:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import seals
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> y = (X[:, 0] > 4).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, initial=[0, 9]), X, LogisticRegression())
    >>> index = al.neighbour_index(X)
    >>> sorted(al.select(state, X, seals("margin", index, n_neighbours=2), 2).tolist())
    [1, 8]
    >>> sorted(al.select(state, X, "margin", 2).tolist())  # the whole pool: the middle
    [4, 5]

    An index built over another pool is refused:

    >>> al.select(state, X, seals("margin", al.neighbour_index(X[:5])), 2)
    Traceback (most recent call last):
    ...
    ValueError: index was built over 5 points but the pool has 10 rows; build it over this pool (or its representation)
    """
    name, inner = _inner(strategy)
    checked_index = _check_index(index)
    k = check_positive_int(n_neighbours, "n_neighbours")

    def restricted(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        neighbours = _index_for(checked_index, context)
        labeled = np.asarray(context.state.labeled, dtype=np.int64)

        def around(width: int) -> np.ndarray:
            found = _neighbourhood(neighbours, labeled, width)[0]
            return _among(np.unique(found), context.candidates)

        subset = _widened(around, k, neighbours.n_points, batch_size, context.candidates, labeled.size > 0)
        return _choose(inner, model, X, context, subset, batch_size)

    return described(
        _made(restricted, f"seals({name},n_neighbours={k})", inner, checked_index is None),
        f"SEALS candidate restriction (Coleman et al. 2022): {name} chooses among the unlabeled points within the "
        f"{k} nearest neighbours of a labeled point.",
        "If they are fewer than the batch, the neighbourhood is doubled up to the pool size, then the whole "
        "unlabeled pool is used. Utilities are those of the inner strategy.",
    )


def anchoral(
    strategy: Any = "margin",
    index: NeighbourIndex | None = None,
    n_anchors: int = 10,
    n_neighbours: int = 50,
    subpool_size: int = 1000,
) -> BatchStrategy:
    """Restrict ``strategy`` to the unlabeled neighbours of class anchors (AnchorAL, Lesci & Vlachos 2024).

    Each query draws, for every class of the labeled set, up to ``n_anchors``
    anchors among that class's labeled points by k-means++ seeding in the
    index's features (the first at random, each next with probability
    proportional to its squared distance to the anchors drawn; seeded by the
    state, so a new draw each round). The ``n_neighbours`` nearest points of
    each anchor (and any tied with the last) are retrieved; each unlabeled one is scored by its mean
    similarity over all anchors (``1 / (1 + distance)``, or ``1 - distance``
    for a cosine index; 0 for an anchor that did not retrieve it), and the
    ``max(subpool_size, batch_size)`` best (ties by a seeded hash) are the
    candidates ``strategy`` chooses among. Too few candidates widen the
    neighbourhood (doubled up to the pool size), then the whole unlabeled pool
    is used.

    Parameters
    ----------
    strategy : str or callable, default="margin"
        The strategy that chooses among the candidates: a registered name, a utility strategy or a batch
        strategy.
    index : NeighbourIndex, default=None
        Built once over the pool (or its embeddings) with ``alfunc.neighbour_index``; its size must be the
        pool's. ``None``: an exact index over the run's representation, made at each query.
    n_anchors : int, default=10
        Anchors per class (the paper's default).
    n_neighbours : int, default=50
        Neighbours retrieved per anchor.
    subpool_size : int, default=1000
        Most candidates kept (the paper's subpool size ``M``), at least the batch size.

    Returns
    -------
    callable
        A batch strategy named ``"anchoral(<strategy>,n_anchors=..,n_neighbours=..,subpool_size=..)"``.

    Examples
    --------
    Two blobs and a rare third one; anchors of every labeled class bring their
    neighbourhoods into the subpool, so the rare class's region is searched as
    much as the common ones':

    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> from alfunc.strategies import anchoral
    >>> X, y = make_blobs(n_samples=[400, 400, 20], centers=[[0, 0], [6, 0], [3, 6]], random_state=0)
    >>> initial = [0, 1, 400, 401, 800]
    >>> state = al.fit_step(al.init_step(X, y, initial=initial), X, LogisticRegression())
    >>> strategy = anchoral("margin", al.neighbour_index(X), n_anchors=2, n_neighbours=10, subpool_size=20)
    >>> batch = al.select(state, X, strategy, 6)
    >>> len(batch), bool(state.labeled_mask()[batch].any())
    (6, False)
    >>> anchoral("margin", n_anchors=0)
    Traceback (most recent call last):
    ...
    ValueError: n_anchors must be an int >= 1, got 0
    """
    name, inner = _inner(strategy)
    checked_index = _check_index(index)
    a = check_positive_int(n_anchors, "n_anchors")
    k = check_positive_int(n_neighbours, "n_neighbours")
    m = check_positive_int(subpool_size, "subpool_size")

    def restricted(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        neighbours = _index_for(checked_index, context)
        anchors = _anchors(neighbours, context, a)
        salt = step_salt(context.state.seed, context.iteration, "anchoral-subpool")

        def around(width: int) -> np.ndarray:
            found, distances = _neighbourhood(neighbours, anchors, width)
            similarity = 1.0 - distances if neighbours.metric == "cosine" else 1.0 / (1.0 + distances)
            keep = np.isin(found, _among(np.unique(found), context.candidates))  # both small: no pool-sized temporary
            points, slot = np.unique(found[keep], return_inverse=True)
            scores = np.bincount(slot, weights=similarity[keep], minlength=points.size) / max(1, anchors.size)
            return np.sort(top_k(points, scores, max(m, batch_size), salt)[0])

        subset = _widened(around, k, neighbours.n_points, batch_size, context.candidates, anchors.size > 0)
        return _choose(inner, model, X, context, subset, batch_size)

    label = f"anchoral({name},n_anchors={a},n_neighbours={k},subpool_size={m})"
    return described(
        _made(restricted, label, inner, checked_index is None),
        f"AnchorAL candidate restriction (Lesci & Vlachos 2024): {name} chooses among the {m} unlabeled points "
        f"most similar to {a} k-means++ anchors per labeled class, {k} neighbours retrieved per anchor.",
        "Anchors are drawn anew each round (seeded by the state). If the candidates are fewer than the batch, the "
        "neighbourhood is doubled up to the pool size, then the whole unlabeled pool is used. Utilities are those "
        "of the inner strategy.",
    )


def _inner(strategy: Any) -> tuple[str, Callable]:
    name, function = resolve_part(strategy)
    return name, function


def _check_index(index: Any) -> NeighbourIndex | None:
    if index is not None and not isinstance(index, NeighbourIndex):
        raise TypeError(f"index must be a NeighbourIndex (alfunc.neighbour_index) or None, got {type(index).__name__}")
    return index


def _index_for(index: NeighbourIndex | None, context: Context) -> NeighbourIndex:
    """The given index, checked against the pool, or an exact one over the run's representation."""
    n_pool = context.state.n_pool
    if index is None:
        return exact_index(geometry(context), n_pool)
    if index.n_points != n_pool:
        raise ValueError(
            f"index was built over {index.n_points} points but the pool has {n_pool} rows; "
            "build it over this pool (or its representation)"
        )
    return index


def _among(points: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The sorted unique ``points`` that are ``candidates`` (sorted), with no pool-sized temporary."""
    if candidates.size == 0 or points.size == 0:
        return points[:0]
    places = np.minimum(np.searchsorted(candidates, points), candidates.size - 1)
    return points[candidates[places] == points]


def _neighbourhood(index: NeighbourIndex, queries: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(neighbour, distance)`` pair within each query's ``width``-th distance, ties at that distance included.

    Including the ties makes the neighbourhood a property of the rows, not of their positions in the pool (the
    index breaks ties by position), so permuting the pool permutes the candidates. The index is asked for one
    more neighbour than ``width``, and for twice as many while some query's last one still ties.
    """
    asked = min(width + 1, index.n_points)
    while True:
        found, distances = index.query(queries, asked)
        boundary = distances[:, min(width, asked) - 1 : min(width, asked)]
        complete = (distances[:, -1:] > boundary) | (found[:, -1:] < 0)
        if asked >= index.n_points or complete.all():
            break
        asked = min(2 * asked, index.n_points)
    keep = (distances <= boundary) & (found >= 0)
    return found[keep], distances[keep]


def _widened(
    around: Callable[[int], np.ndarray],
    n_neighbours: int,
    n_points: int,
    batch_size: int,
    candidates: np.ndarray,
    has_queries: bool,
) -> np.ndarray:
    """``around(width)`` for the first width (doubling from ``n_neighbours``) that gives a batch, else every candidate."""
    if not has_queries:
        return candidates
    width = min(n_neighbours, n_points)
    while True:
        subset = around(width)
        if subset.size >= batch_size or width >= n_points:
            break
        width = min(2 * width, n_points)
    return subset if subset.size >= batch_size else candidates


def _choose(
    inner: Callable, model: Any, X: Any, context: Context, subset: np.ndarray, batch_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """The inner strategy's batch among ``subset`` (utility strategies: scored in chunks, ``select``'s tie-break)."""
    within = attrs.evolve(context, candidates=subset)
    k = min(batch_size, subset.size)
    if selects_batch(inner):
        picks, utilities = inner(model, X, within, k)
        return np.asarray(picks, dtype=np.int64), np.asarray(utilities, dtype=np.float64)
    utilities = candidate_utilities(inner, model, X, within)
    return top_k(subset, utilities, k, step_salt(context.state.seed, context.iteration, "tie-break"))


def _anchors(index: NeighbourIndex, context: Context, per_class: int) -> np.ndarray:
    """Up to ``per_class`` labeled points of each class, drawn by k-means++ seeding in the index's features."""
    state = context.state
    labeled, labels = np.asarray(state.labeled, dtype=np.int64), np.asarray(state.labels)
    generator = context.generator("anchoral-anchors")
    chosen: list[np.ndarray] = []
    for label in np.unique(labels):
        members = np.sort(labeled[labels == label])
        if members.size <= per_class:
            chosen.append(members)
            continue
        rows = index.features.rows(members)
        picks = [int(generator.integers(members.size))]
        nearest = ((rows - rows[picks[0]]) ** 2).sum(axis=1)
        for _ in range(per_class - 1):
            weights = nearest.copy()
            weights[picks] = 0.0
            total = weights.sum()
            free = np.ones(members.size, dtype=bool)
            free[picks] = False
            probabilities = weights / total if total > 0 else free / free.sum()
            pick = int(generator.choice(members.size, p=probabilities))
            picks.append(pick)
            np.minimum(nearest, ((rows - rows[pick]) ** 2).sum(axis=1), out=nearest)
        chosen.append(members[np.sort(picks)])
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


def _made(strategy: Callable, name: str, inner: Callable, reads_features: bool) -> BatchStrategy:
    strategy.__name__ = strategy.__qualname__ = name
    marked = batch_strategy(inherit_needs(strategy, inner))
    return uses_features(marked) if reads_features else marked
