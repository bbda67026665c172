"""Cold-start batch strategies for tiny labeled sets: TypiClust and ProbCover.

Both ignore the model and look only at the geometry of the pool, which is what
helps when a handful of labels cannot yet train a useful model. Both work in
the raw feature space (the papers use self-supervised embeddings: pass
embedded rows as ``X`` to get their setting) and hold one copy of the rows of
the pool (labeled and candidates) while they run.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.neighbors import NearestNeighbors

from alfunc.core.context import Context
from alfunc.strategies.base import BatchStrategy, batch_strategy
from alfunc.strategies.farthest import best_position
from alfunc.strategies.pooled import chunks, dense_rows

TYPICALITY_NEIGHBOURS = 20
MIN_CLUSTER_SIZE = 5
MAX_CLUSTERS = 500


@batch_strategy
def typiclust(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """TypiClust (Hacohen, Dekel & Weinshall 2022): the most typical point of the largest uncovered clusters.

    k-means splits the pool into ``min(n_labeled + k, 500)`` clusters; clusters
    with the fewest labeled points (then the largest) come first, round robin,
    skipping clusters of at most 5 points when larger ones exist. From each,
    the candidate of highest typicality (inverse mean distance to its 20
    nearest candidates in the cluster) is picked. Utilities are typicalities.

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
    labeled, candidates = context.state.labeled, context.candidates
    rows = dense_rows(X, np.concatenate([labeled, candidates]))
    n_clusters = min(labeled.size + batch_size, MAX_CLUSTERS, np.unique(rows, axis=0).shape[0])
    seed = int(context.generator("typiclust").integers(2**31 - 1))
    clusters = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed).fit(rows).labels_
    sizes = np.bincount(clusters, minlength=n_clusters)
    covered = np.bincount(clusters[: labeled.size], minlength=n_clusters)
    order = np.lexsort((-sizes, covered))
    order = order[sizes[order] > MIN_CLUSTER_SIZE] if (sizes > MIN_CLUSTER_SIZE).any() else order
    rows, clusters = rows[labeled.size :], clusters[labeled.size :]
    tie = context.uniform("typiclust")
    available, to_batch = np.ones(candidates.size, dtype=bool), np.full(candidates.size, np.inf)
    picks, values = np.empty(batch_size, dtype=np.int64), np.empty(batch_size)
    cursor = 0
    for step in range(batch_size):
        fresh = available & (to_batch > 0)
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
        np.minimum(to_batch, cdist(rows, rows[members[best] : members[best] + 1])[:, 0], out=to_batch)
    return candidates[picks], values


def _typicality(rows: np.ndarray) -> np.ndarray:
    """1 / (mean distance to the K nearest other rows + 1e-5), K = min(20, n // 2); ones when K = 0."""
    k = min(TYPICALITY_NEIGHBOURS, rows.shape[0] // 2)
    if k == 0:
        return np.ones(rows.shape[0])
    distances, _ = NearestNeighbors(n_neighbors=k + 1).fit(rows).kneighbors(rows)
    return 1.0 / (distances[:, 1:].mean(axis=1) + 1e-5)


def probcover(radius: float | None = None, purity: float = 0.95) -> BatchStrategy:
    """ProbCover (Yehuda et al. 2022): greedy maximum coverage of the pool by balls of ``radius``.

    Each pick is the candidate whose ball holds the most pool points not yet
    covered by a labeled or picked point (utility = that count). Without a
    ``radius``, it is the largest for which a ``purity`` share of balls hold a
    single k-means cluster, with as many clusters as there are distinct labels
    (at least two), as in the paper. Ball sizes are counted by brute force in
    chunks (memory: chunk x pool, never pool x pool); time O(pool^2 x features).

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
    """
    if radius is not None and (not isinstance(radius, numbers.Real) or not 0 < radius < math.inf):
        raise ValueError(f"radius must be a positive finite number or None, got {radius!r}")
    if not isinstance(purity, numbers.Real) or not 0 < purity <= 1:
        raise ValueError(f"purity must be in (0, 1], got {purity!r}")

    @batch_strategy
    def covering(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        labeled, candidates = context.state.labeled, context.candidates
        rows = dense_rows(X, np.concatenate([labeled, candidates]))
        n_clusters = max(2, np.unique(context.state.labels).size)
        seed = int(context.generator("probcover").integers(2**31 - 1))
        delta = radius if radius is not None else pure_radius(rows, n_clusters, purity, seed)
        covered = ball_counts(rows, rows[: labeled.size], delta) > 0
        degree = ball_counts(rows[labeled.size :], rows, delta, ~covered)
        tie = context.uniform("probcover")
        available, to_batch = np.ones(candidates.size, dtype=bool), np.full(candidates.size, np.inf)
        picks, values = np.empty(batch_size, dtype=np.int64), np.empty(batch_size)
        for step in range(batch_size):
            fresh = available & (to_batch > 0)
            pick = best_position(degree, fresh if fresh.any() else available, tie)
            picks[step], values[step] = pick, degree[pick]
            available[pick] = False
            gaps = cdist(rows, rows[labeled.size + pick : labeled.size + pick + 1])[:, 0]
            newly = np.flatnonzero((gaps <= delta) & ~covered)
            covered[newly] = True
            degree -= ball_counts(rows[labeled.size :], rows[newly], delta)
            np.minimum(to_batch, gaps[labeled.size :], out=to_batch)
        return candidates[picks], values

    covering.__name__ = "probcover" if radius is None else f"probcover(radius={radius})"
    return covering


def ball_counts(rows: np.ndarray, centres: np.ndarray, radius: float, weights: np.ndarray | None = None) -> np.ndarray:
    """For each row, the (weighted) number of ``centres`` within ``radius``; chunk x centres memory.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.coldstart import ball_counts
    >>> rows = np.array([[0.0], [1.0], [3.0]])
    >>> ball_counts(rows, rows, 1.5).tolist()  # each row counts itself
    [2.0, 2.0, 1.0]
    >>> ball_counts(rows, rows, 1.5, weights=np.array([1.0, 0.0, 1.0])).tolist()  # only centres 0 and 2 count
    [1.0, 1.0, 1.0]
    """
    weights = np.ones(centres.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    counts = np.zeros(rows.shape[0])
    for part in chunks(np.arange(rows.shape[0]), centres.shape[0]):
        counts[part] = (cdist(rows[part], centres) <= radius) @ weights
    return counts


def pure_radius(rows: np.ndarray, n_clusters: int, purity: float, seed: int) -> float:
    """The largest ball radius for which a ``purity`` share of balls lie in one k-means cluster.

    A closed ball around ``x`` is pure while its radius is below ``r(x)``, the
    distance from ``x`` to the nearest row of another cluster; so the radius is
    just below the ``ceil(purity * n)``-th largest ``r(x)``.

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
    n_clusters = min(n_clusters, np.unique(rows, axis=0).shape[0])
    if n_clusters < 2:
        return float(np.linalg.norm(rows.max(axis=0) - rows.min(axis=0))) + 1.0
    clusters = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed).fit(rows).labels_
    nearest_other = np.empty(rows.shape[0])
    for cluster in range(n_clusters):
        inside = clusters == cluster
        distances, _ = NearestNeighbors(n_neighbors=1).fit(rows[~inside]).kneighbors(rows[inside])
        nearest_other[inside] = distances[:, 0]
    kth_largest = np.sort(nearest_other)[rows.shape[0] - math.ceil(purity * rows.shape[0])]
    return float(np.nextafter(kth_largest, 0.0))
