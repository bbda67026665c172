"""Cold-start batch strategies for tiny labeled sets: TypiClust and ProbCover.

Both ignore the model's predictions and look only at the geometry of the
pool, which is what helps when a handful of labels cannot yet train a useful
model. Both measure it in the run's representation (``context.embedding``,
see ``alfunc.core.representation``): the input for a numeric pool, the model's
features for documents. The papers use self-supervised embeddings: pass them
as ``select(..., representation=embeddings)`` (an array with one row per pool
row) to get their setting.

Both are bounded by design: their neighbourhoods cost time quadratic in the
rows they work on, so beyond a documented size (``TYPICLUST_MAX_POOL``,
``probcover(max_pool=...)``) they work on a seeded subsample of the pool
(``alfunc.strategies.subsample``), the same for a given state whatever the
chunking. They hold one copy of the feature rows worked on (sparse features
stay sparse); distances are computed by a chunked exact brute force
(``alfunc.core.knn``), never as a pool x pool matrix.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans, MiniBatchKMeans

from alfunc.core.context import Context
from alfunc.core.knn import k_nearest, radius_counts
from alfunc.core.representation import Features, stored_features
from alfunc.core.rng import hashed_uniform, step_salt
from alfunc.strategies.base import BatchStrategy, batch_strategy, described, uses_features
from alfunc.strategies.farthest import best_position
from alfunc.strategies.pooled import (
    chunks,
    distances_to,
    distinct_groups,
    distinct_rows,
    feature_matrix,
    geometry,
    pairwise_blocks,
)
from alfunc.strategies.subsample import hashed_subset

TYPICALITY_NEIGHBOURS = 20
MIN_CLUSTER_SIZE = 5
MAX_CLUSTERS = 500
LLOYD_CLUSTERS = 50  # more clusters: mini-batch k-means, as the authors' code does
MINI_BATCH_ROWS = 5000
TYPICLUST_MAX_POOL = 20_000
PROBCOVER_MAX_POOL = 10_000


@uses_features
@batch_strategy
def typiclust(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """TypiClust (Hacohen, Dekel & Weinshall 2022): the most typical point of the largest uncovered clusters.

    k-means splits the pool into ``min(n_labeled + k, 500)`` clusters (beyond
    50 clusters, mini-batch k-means, as the authors' code does); clusters
    with the fewest labeled points (then the largest) come first, round robin,
    skipping clusters of at most 5 points when larger ones exist. From each,
    the candidate of highest typicality (inverse mean distance to its 20
    nearest candidates in the cluster) is picked. Utilities are typicalities.

    Bounded by design: a pool (labeled and candidates) of at most
    ``TYPICLUST_MAX_POOL`` (20,000) rows is used whole; a larger one is
    replaced by a seeded subsample of that many rows (at most half of them
    labeled; see ``alfunc.strategies.subsample``), on which k-means is fitted
    and from which the batch is picked. Labeled rows left out of the
    subsample are still assigned to their nearest cluster, so coverage counts
    every label. Cost: (mini-batch) k-means on at most 20,000 rows and 500 clusters, a
    chunked exact kNN inside one cluster per pick (``alfunc.core.knn``) and
    ``O(pool)`` hashing; extra memory: the subsample's feature rows plus
    blocks of at most 8 MiB, whatever the pool's size. The subsample depends
    only on the state's seed and iteration, so the batch is reproducible.

    With ``select(..., progress=True)`` a bar counts the picks.

    Parameters
    ----------
    model : estimator
        The state's fitted model (unused by strategies that need none).
    X : array-like, sparse matrix, DataFrame or list
        The whole pool, in its own container.
    context : Context
        The selection's context; ``context.candidates`` holds every unlabeled index in increasing order.
    batch_size : int
        Number of points to choose.

    Returns
    -------
    indices : ndarray of int
        ``min(batch_size, n_candidates)`` distinct candidates, best first.
    utilities : ndarray of float
        Their utilities.

    Examples
    --------
    It needs no model, so it can pick the second batch before any fit:

    >>> import alfunc as al
    >>> from sklearn.datasets import make_blobs
    >>> from alfunc.strategies import needs_classifier, selects_batch, typiclust
    >>> X, y = make_blobs(n_samples=40, centers=4, random_state=0)
    >>> selects_batch(typiclust), needs_classifier(typiclust)
    (True, False)
    >>> state = al.init_step(X, y, n_init=2, random_state=0)
    >>> idx, typicality = al.select(state, X, "typiclust", 4, return_utilities=True)
    >>> len(idx), bool(state.labeled_mask()[idx].any()), bool((typicality > 0).all())
    (4, False, True)
    """
    return typical_batch(context, batch_size, TYPICLUST_MAX_POOL)


def typical_batch(context: Context, batch_size: int, max_pool: int | None) -> tuple[np.ndarray, np.ndarray]:
    """TypiClust's batch (see ``typiclust``) on at most ``max_pool`` pool rows (``None``: the whole pool).

    Parameters
    ----------
    context : Context
        The selection's context; ``context.candidates`` holds every unlabeled index in increasing order.
    batch_size : int
        Number of points to choose.
    max_pool : int or None
        Most pool rows (labeled and candidates) worked on; beyond it, a seeded subsample (see ``pool_sample``).

    Returns
    -------
    indices : ndarray of int
        ``batch_size`` distinct candidates, best first.
    utilities : ndarray of float
        Their typicalities.

    Examples
    --------
    A subsample of 30 rows of a 200-row pool still gives a batch of unlabeled points:

    >>> import alfunc as al
    >>> from sklearn.datasets import make_blobs
    >>> from alfunc.strategies.coldstart import typical_batch
    >>> X, y = make_blobs(n_samples=200, centers=4, random_state=0)
    >>> state = al.init_step(X, y, n_init=4, random_state=0)
    >>> context = al.Context(state, X, state.unlabeled(), state.next_iteration)
    >>> idx, typicality = typical_batch(context, 3, max_pool=30)
    >>> len(set(idx.tolist())), bool(state.labeled_mask()[idx].any())
    (3, False)
    """
    labeled, features = context.state.labeled, geometry(context)
    kept_labeled, kept = pool_sample(context, max_pool, batch_size, "typiclust-sample")
    fitted = np.concatenate([kept_labeled, kept])
    distinct, group = distinct_groups(features, fitted)  # identical rows share a group
    n_clusters = min(labeled.size + batch_size, MAX_CLUSTERS, distinct.size)
    seed = int(context.generator("typiclust").integers(2**31 - 1))
    rows = feature_matrix(features, fitted)
    kmeans = typiclust_kmeans(n_clusters, seed).fit(rows)
    clusters = kmeans.labels_
    sizes = np.bincount(clusters, minlength=n_clusters)
    covered = np.bincount(clusters[: kept_labeled.size], minlength=n_clusters)
    for part in chunks(np.setdiff1d(labeled, kept_labeled), features.width + n_clusters):
        covered += np.bincount(kmeans.predict(feature_matrix(features, part)), minlength=n_clusters)
    order = np.lexsort((-sizes, covered))
    order = order[sizes[order] > MIN_CLUSTER_SIZE] if (sizes > MIN_CLUSTER_SIZE).any() else order
    rows, clusters, group = rows[kept_labeled.size :], clusters[kept_labeled.size :], group[kept_labeled.size :]
    tie = hashed_uniform(kept, step_salt(context.state.seed, context.iteration, "typiclust"))
    available, picked_group = np.ones(kept.size, dtype=bool), np.zeros(distinct.size, dtype=bool)
    picks, values = np.empty(batch_size, dtype=np.int64), np.empty(batch_size)
    cursor = 0
    for step in context.ticking(range(batch_size), batch_size, "typiclust picks"):
        fresh = available & ~picked_group[group]  # not a copy of a row already in the batch
        allowed = fresh if fresh.any() else available
        members = np.empty(0, dtype=np.int64)
        for _ in range(order.size):
            members = np.flatnonzero(allowed & (clusters == order[cursor % order.size]))
            cursor += 1
            if members.size:
                break
        members = members if members.size else np.flatnonzero(allowed)
        typical = _typicality(rows[members])
        best = best_position(typical, np.ones(members.size, dtype=bool), tie[members])
        picks[step], values[step] = members[best], typical[best]
        available[members[best]] = False
        picked_group[group[members[best]]] = True
    return kept[picks], values


def pool_sample(context: Context, max_pool: int | None, batch_size: int, purpose: str) -> tuple[np.ndarray, np.ndarray]:
    """The labeled and candidate indices a bounded cold-start strategy works on: ``(labeled, candidates)``.

    All of them when there are at most ``max_pool`` (or ``max_pool`` is
    None), in the context's order; otherwise a seeded subsample of
    ``max_pool`` indices (``alfunc.strategies.subsample.hashed_subset``): at
    most half of them labeled, and at least ``batch_size`` candidates.

    Parameters
    ----------
    context : Context
        The selection's context (state, candidates, iteration).
    max_pool : int or None
        Most indices kept (``None``: all).
    batch_size : int
        The batch to be chosen: at least this many candidates are kept.
    purpose : str
        Names the subsample, so each strategy draws its own.

    Returns
    -------
    labeled : ndarray of int
        The labeled indices kept.
    candidates : ndarray of int
        The candidate indices kept.

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies.coldstart import pool_sample
    >>> X = np.arange(200.0).reshape(100, 2)
    >>> state = al.init_step(X, np.arange(100) % 2, n_init=10, random_state=0)
    >>> context = al.Context(state, X, state.unlabeled(), 1)
    >>> labeled, candidates = pool_sample(context, 20, 5, "demo")
    >>> labeled.size, candidates.size, bool(np.isin(candidates, state.unlabeled()).all())
    (10, 10, True)
    >>> [part.size for part in pool_sample(context, None, 5, "demo")]
    [10, 90]
    """
    labeled, candidates = context.state.labeled, context.candidates
    if max_pool is None or labeled.size + candidates.size <= max_pool:
        return labeled, candidates
    seed, iteration = context.state.seed, context.iteration
    kept_labeled = hashed_subset(labeled, min(labeled.size, max_pool // 2), seed, iteration, f"{purpose}-labeled")
    n_candidates = max(max_pool - kept_labeled.size, batch_size)
    return kept_labeled, hashed_subset(candidates, n_candidates, seed, iteration, purpose)


def _distances_to_row(features: Features, indices: np.ndarray, rows: Any, position: int) -> np.ndarray:
    """Exact distance from each of ``rows`` (the feature rows of ``indices``) to the row at ``position``."""
    if sp.issparse(rows):
        return distances_to(features, indices, int(indices[position]))
    difference = rows - rows[position]
    return np.sqrt(np.einsum("ij,ij->i", difference, difference))


def _typicality(rows: Any) -> np.ndarray:
    """1 / (mean distance to the K nearest other rows + 1e-5), K = min(20, n // 2); ones when K = 0."""
    k = min(TYPICALITY_NEIGHBOURS, rows.shape[0] // 2)
    if k == 0:
        return np.ones(rows.shape[0])
    distances, _ = k_nearest(rows, rows, k + 1)
    return 1.0 / (distances[:, 1:].mean(axis=1) + 1e-5)


def probcover(
    radius: float | None = None, purity: float = 0.95, max_pool: int | None = PROBCOVER_MAX_POOL
) -> BatchStrategy:
    """ProbCover (Yehuda et al. 2022): greedy maximum coverage of the pool by balls of ``radius``.

    Each pick is the candidate whose ball holds the most pool points not yet
    covered by a labeled or picked point (utility = that count). Without a
    ``radius``, it is the largest for which a ``purity`` share of balls hold a
    single k-means cluster, with as many clusters as there are distinct labels
    (at least two), as in the paper. Distances are measured in the run's
    representation.

    Bounded by design: ball sizes are counted by a chunked exact brute force
    (``alfunc.core.knn``: blocks of at most 8 MiB of distances, never
    pool x pool), which takes time ``O(m^2 x features)`` for ``m`` pool
    rows; so a pool (labeled and candidates) of more than ``max_pool`` rows
    is replaced by a seeded subsample of ``max_pool`` rows (at most half of
    them labeled; see ``alfunc.strategies.subsample``): the radius is chosen
    on it, its candidates are what is covered and picked from, and every
    labeled row (kept or not) covers its ball. Extra memory: the subsample's
    feature rows plus one block, whatever the pool's size. The subsample
    depends only on the state's seed and iteration.

    Parameters
    ----------
    radius : float, default=None
        The balls' radius in the run's representation (``None``: chosen from ``purity``).
    purity : float, default=0.95
        Without a radius, the share of balls that must hold a single k-means cluster, in (0, 1].
    max_pool : int or None, default=PROBCOVER_MAX_POOL
        Most pool rows worked on (10,000; at least 2); ``None`` uses the whole pool (quadratic time).

    Returns
    -------
    callable
        A batch strategy, with a docstring of its own.

    Examples
    --------
    Six points on a line, the first two labeled: balls of radius 1.5 around
    them cover 0.0 and 1.0, so the best pick is the one whose ball holds the
    most of the other points:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies import probcover
    >>> X = np.array([[0.0], [1.0], [5.0], [6.0], [7.0], [20.0]])
    >>> state = al.ALState(labeled=[0, 1], labels=[0, 0], n_pool=6, history=al.History(seed=0))
    >>> strategy = probcover(radius=1.5)
    >>> strategy.__name__
    'probcover(radius=1.5)'
    >>> idx, covered = al.select(state, X, strategy, 2, return_utilities=True)
    >>> idx.tolist(), covered.tolist()  # 6.0 covers 5, 6 and 7; then 20.0 covers itself
    ([3, 5], [3.0, 1.0])
    >>> probcover(radius=0)
    Traceback (most recent call last):
    ...
    ValueError: radius must be a positive finite number or None, got 0
    >>> probcover(max_pool=1)
    Traceback (most recent call last):
    ...
    ValueError: max_pool must be an integer >= 2 or None, got 1
    """
    if radius is not None and (not isinstance(radius, numbers.Real) or not 0 < radius < math.inf):
        raise ValueError(f"radius must be a positive finite number or None, got {radius!r}")
    if not isinstance(purity, numbers.Real) or not 0 < purity <= 1:
        raise ValueError(f"purity must be in (0, 1], got {purity!r}")
    check_max_pool(max_pool)

    @uses_features
    @batch_strategy
    def covering(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        labeled, features = context.state.labeled, geometry(context)
        kept_labeled, kept = pool_sample(context, max_pool, batch_size, "probcover-sample")
        n_clusters = max(2, np.unique(context.state.labels).size)
        seed = int(context.generator("probcover").integers(2**31 - 1))
        if radius is None:
            delta = pure_radius(
                feature_matrix(features, np.concatenate([kept_labeled, kept])), n_clusters, purity, seed
            )
        else:
            delta = radius
        rows = feature_matrix(features, kept)
        covered = ball_counts(features, kept, labeled, delta) > 0
        degree = radius_counts(rows, rows, delta, weights=~covered)
        tie = hashed_uniform(kept, step_salt(context.state.seed, context.iteration, "probcover"))
        available, to_batch = np.ones(kept.size, dtype=bool), np.full(kept.size, np.inf)
        picks, values = np.empty(batch_size, dtype=np.int64), np.empty(batch_size)
        for step in context.ticking(range(batch_size), batch_size, "probcover picks"):
            fresh = available & (to_batch > 0)
            pick = best_position(degree, fresh if fresh.any() else available, tie)
            picks[step], values[step] = pick, degree[pick]
            available[pick] = False
            gaps = _distances_to_row(features, kept, rows, pick)
            newly = np.flatnonzero((gaps <= delta) & ~covered)
            covered[newly] = True
            if newly.size:
                degree -= radius_counts(rows, rows[newly], delta)
            np.minimum(to_batch, gaps, out=to_batch)
        return kept[picks], values

    covering.__name__ = "probcover" if radius is None else f"probcover(radius={radius})"
    ball = f"radius {radius}" if radius is not None else f"the largest radius whose balls are {purity:.0%} pure"
    return described(
        covering,
        "ProbCover (Yehuda et al. 2022), a cold-start strategy: greedy maximum coverage of the pool by balls of "
        f"{ball}.",
        f"Made by ``probcover(radius={radius}, purity={purity}, max_pool={max_pool})``. Each pick is the candidate "
        "whose ball holds the most pool points not yet covered by a labeled or picked point (utility = that count); "
        "without a radius, it is the largest for which that share of balls hold a single k-means cluster, with as "
        "many clusters as there are distinct labels, as in the paper. Distances are measured in the run's "
        f"representation. Bounded: a pool of more than {max_pool} rows is replaced by a seeded subsample of that "
        "many (None: never), as ball counts take time quadratic in the rows worked on.",
    )


def check_max_pool(max_pool: Any) -> None:
    """A bound on the pool rows a strategy works on is an integer of at least 2, or None.

    Parameters
    ----------
    max_pool : object
        The value to check.

    Raises
    ------
    ValueError
        When it is anything else (a bool, a float, a string, an integer below 2).

    Examples
    --------
    >>> from alfunc.strategies.coldstart import check_max_pool
    >>> check_max_pool(10_000), check_max_pool(None)
    (None, None)
    >>> check_max_pool(2.5)
    Traceback (most recent call last):
    ...
    ValueError: max_pool must be an integer >= 2 or None, got 2.5
    """
    if max_pool is None:
        return
    if isinstance(max_pool, (bool, np.bool_)) or not isinstance(max_pool, numbers.Integral) or max_pool < 2:
        raise ValueError(f"max_pool must be an integer >= 2 or None, got {max_pool!r}")


def ball_counts(
    features: Features, rows: np.ndarray, centres: np.ndarray, radius: float, weights: np.ndarray | None = None
) -> np.ndarray:
    """For each pool index in ``rows``, the (weighted) number of pool indices in ``centres`` within ``radius``.

    Distances are exact Euclidean between feature rows, read in chunks (memory:
    a chunk of rows x a chunk of centres).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.coldstart import ball_counts
    >>> features = stored_features(np.array([[0.0], [1.0], [3.0]]))
    >>> everyone = np.arange(3)
    >>> ball_counts(features, everyone, everyone, 1.5).tolist()  # each row counts itself
    [2.0, 2.0, 1.0]
    >>> ball_counts(features, everyone, everyone, 1.5, weights=np.array([1.0, 0.0, 1.0])).tolist()  # only 0 and 2
    [1.0, 1.0, 1.0]
    """
    weights = np.ones(centres.size) if weights is None else np.asarray(weights, dtype=np.float64)
    counts = np.zeros(rows.size)
    for positions, centre_positions, row_block, centre_block in pairwise_blocks(features, rows, centres):
        counts[positions] += (cdist(row_block, centre_block) <= radius) @ weights[centre_positions]
    return counts


def typiclust_kmeans(n_clusters: int, seed: int) -> KMeans | MiniBatchKMeans:
    """TypiClust's clustering, as in the authors' code: k-means up to 50 clusters, mini-batch k-means (5,000 rows a batch) beyond.

    Examples
    --------
    >>> from alfunc.strategies.coldstart import typiclust_kmeans
    >>> type(typiclust_kmeans(10, 0)).__name__, type(typiclust_kmeans(500, 0)).__name__
    ('KMeans', 'MiniBatchKMeans')
    """
    if n_clusters <= LLOYD_CLUSTERS:
        return KMeans(n_clusters=n_clusters, n_init=1, random_state=seed)
    return MiniBatchKMeans(n_clusters=n_clusters, batch_size=MINI_BATCH_ROWS, n_init=1, random_state=seed)


def pure_radius(rows: Any, n_clusters: int, purity: float, seed: int) -> float:
    """The largest ball radius for which a ``purity`` share of balls lie in one k-means cluster.

    A closed ball around ``x`` is pure while its radius is below ``r(x)``, the
    distance from ``x`` to the nearest row of another cluster; so the radius is
    just below the ``ceil(purity * n)``-th largest ``r(x)``. ``rows`` is a
    dense array or a CSR matrix.

    Examples
    --------
    Two tight groups about 10 apart: balls up to a radius just below 9.8 (the
    smallest gap between the groups) hold a single group; asking only half of
    the balls to be pure allows a larger radius:

    >>> import numpy as np
    >>> from alfunc.strategies.coldstart import pure_radius
    >>> rows = np.array([[0.0], [0.1], [0.2], [10.0], [10.1], [10.2]])
    >>> radius = pure_radius(rows, n_clusters=2, purity=1.0, seed=0)
    >>> round(radius, 3), radius < 9.8
    (9.8, True)
    >>> round(pure_radius(rows, n_clusters=2, purity=0.5, seed=0), 3)
    9.9
    """
    n_clusters = min(n_clusters, distinct_rows(stored_features(rows), np.arange(rows.shape[0])).size)
    if n_clusters < 2:
        spread = rows.max(axis=0) - rows.min(axis=0)
        return float(sp.linalg.norm(spread) if sp.issparse(spread) else np.linalg.norm(spread)) + 1.0
    clusters = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed).fit(rows).labels_
    nearest_other = np.empty(rows.shape[0])
    for cluster in range(n_clusters):
        inside = clusters == cluster
        nearest_other[inside] = k_nearest(rows[inside], rows[~inside], 1)[0][:, 0]
    kth_largest = np.sort(nearest_other)[rows.shape[0] - math.ceil(purity * rows.shape[0])]
    return float(np.nextafter(kth_largest, 0.0))
