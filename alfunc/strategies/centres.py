"""Weighted k-means over candidate rows and the row nearest each centre (CLUE, DropQuery).

Rows identical in the representation are clustered once, weighted by the sum
of their weights, so no centre is spent on copies and a batch holds no two
identical rows while a distinct one remains. Bounded by design, as ``kmeans``:
at most ``kmeans_rows(k)`` rows are clustered, a seeded uniform sample of a
larger set. Memory: one copy of the clustered rows' features
(``feature_matrix``; sparse stays sparse) plus scikit-learn's k-means;
distances to the centres are computed in chunks.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans

from alfunc.core.representation import Features
from alfunc.strategies.farthest import Tie, tie_draws
from alfunc.strategies.pooled import WORKING_ELEMENTS, distinct_groups, feature_matrix

WEIGHT_FLOOR = 1e-9
KMEANS_ROWS = 20_000
KMEANS_ROWS_PER_PICK = 50
PAIR_ELEMENTS = 1 << 18  # distances per chunk of nearest_rows (2 MiB), and a few such temporaries


def centre_picks(
    features: Features, indices: np.ndarray, k: int, weights: np.ndarray, tie: Tie, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (into ``indices``) of the rows nearest the centres of a weighted k-means, and the clusters' weights.

    k-means (k-means++ seeding, one run, ``random_state=seed``) splits the
    distinct feature rows of the pool ``indices`` into ``min(k, n_distinct)``
    clusters, each row weighted by ``weights`` (summed over copies; weights
    below ``1e-9 x`` the largest are raised to it, so every row counts a little
    and k-means never runs out of weighted points; all zero weights count as
    equal). Clusters go by decreasing total weight; from each, the row nearest
    its centre that is not picked yet. If there are fewer distinct rows than
    ``k``, the rest of the batch is the remaining rows by decreasing ``tie``
    (weight 0). ``tie`` (one draw per index) also decides which copy of a
    row stands for it. Bounded by design: more than ``kmeans_rows(k)`` indices
    are represented by a uniform sample of that many, drawn with ``seed``; the
    picks come from the sample, and a cluster's weight is its sample weight x
    ``len(indices) / kmeans_rows(k)``, an estimate of the weight it stands for.

    Parameters
    ----------
    features : Features
        The run's representation (stored).
    indices : ndarray of int
        Pool indices of the rows to cluster.
    k : int
        Number of picks, at most ``len(indices)``.
    weights : ndarray of float
        A non-negative weight per index.
    tie : ndarray of float or callable
        A seeded draw per index, or a function giving the draws of some
        positions (``functools.partial(context.uniform, purpose)``: no
        pool-sized vector).
    seed : int
        ``random_state`` of k-means.

    Returns
    -------
    positions : ndarray of int
        ``k`` distinct positions into ``indices``, heaviest cluster first.
    cluster_weights : ndarray of float
        The total weight of each pick's cluster (0 for fillers).

    Examples
    --------
    Two blobs, the right one three times as heavy: its centre comes first,
    and each pick is the row nearest its blob's weighted centre:

    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.centres import centre_picks
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    >>> weights = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 7.0])
    >>> positions, mass = centre_picks(stored_features(X), np.arange(6), 2, weights, np.zeros(6), seed=0)
    >>> positions.tolist(), mass.tolist()  # the right centre is at (10 + 11 + 7 x 12) / 9 = 11.67
    ([5, 1], [9.0, 3.0])
    """
    indices = np.asarray(indices, dtype=np.int64)
    limit = kmeans_rows(k)
    if indices.size > limit:  # bounded by design: k-means on a seeded sample
        sample = np.sort(np.random.default_rng(seed).choice(indices.size, limit, replace=False))
        scale = indices.size / limit
    else:
        sample, scale = np.arange(indices.size), 1.0
    by_tie = sample[np.argsort(-tie_draws(tie, sample), kind="stable")]
    first, group = distinct_groups(features, indices[by_tie])
    summed = np.bincount(group, weights=np.asarray(weights, dtype=np.float64)[by_tie], minlength=first.size)
    top = float(summed.max()) if summed.size else 0.0
    mass = np.ones(first.size) if top <= 0 else np.maximum(summed, WEIGHT_FLOOR * top)
    n_clusters = min(k, first.size)
    fitted = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed)
    fitted.fit(feature_matrix(features, indices[by_tie[first]]), sample_weight=mass)
    cluster_mass = np.bincount(fitted.labels_, weights=mass, minlength=n_clusters) * scale
    order = np.argsort(-cluster_mass, kind="stable")
    rows = indices[by_tie[first]]
    near = nearest_rows(features, rows, fitted.cluster_centers_[order], n_clusters)
    taken = np.zeros(first.size, dtype=bool)
    chosen = np.empty(n_clusters, dtype=np.int64)
    for rank in range(n_clusters):
        row = next(int(position) for position in near[rank] if not taken[position])
        taken[row] = True
        chosen[rank] = by_tie[first[row]]
    if n_clusters < k:  # fewer distinct rows than picks: the rest by tie draw
        ranked = np.argsort(-tie_draws(tie, np.arange(indices.size)), kind="stable")
        filler = ranked[~np.isin(ranked, chosen)][: k - n_clusters]
    else:
        filler = np.empty(0, dtype=np.int64)
    return np.concatenate([chosen, filler]), np.concatenate([cluster_mass[order], np.zeros(filler.size)])


def kmeans_rows(batch_size: int) -> int:
    """Most rows ``kmeans``, CLUE and DropQuery cluster for a batch: ``max(KMEANS_ROWS, KMEANS_ROWS_PER_PICK * batch_size)``.

    Examples
    --------
    >>> from alfunc.strategies.centres import kmeans_rows
    >>> kmeans_rows(10), kmeans_rows(1000)
    (20000, 50000)
    """
    return max(KMEANS_ROWS, KMEANS_ROWS_PER_PICK * batch_size)


def nearest_rows(features: Features, indices: np.ndarray, centres: np.ndarray, m: int) -> np.ndarray:
    """For each centre, the positions (into ``indices``) of its ``m`` nearest feature rows, nearest first.

    One chunked pass over the rows (memory: a chunk of rows and its
    distances to the centres, at most ``PAIR_ELEMENTS`` of them, plus ``m``
    candidates per centre); ties go to the earlier position. With
    ``m`` at least the number of centres, the nearest row not taken by an
    earlier centre is always in a centre's list.

    Parameters
    ----------
    features : Features
        The representation.
    indices : ndarray of int
        Pool indices to search.
    centres : ndarray of shape (n_centres, width)
        Points of the representation.
    m : int
        How many nearest rows to keep per centre (at most ``len(indices)``).

    Returns
    -------
    ndarray of shape (n_centres, m)
        Positions into ``indices``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.centres import nearest_rows
    >>> features = stored_features(np.array([[0.0], [1.0], [5.0], [6.0]]))
    >>> nearest_rows(features, np.arange(4), np.array([[0.9], [5.4]]), 2).tolist()
    [[1, 0], [2, 3]]
    """
    centres = np.asarray(centres, dtype=np.float64)
    m = min(m, indices.size)
    best_gap = np.full((centres.shape[0], 0), np.inf)
    best_position = np.empty((centres.shape[0], 0), dtype=np.int64)
    position = 0
    indices = np.asarray(indices, dtype=np.int64)
    step = max(1, min(WORKING_ELEMENTS // max(1, features.width), PAIR_ELEMENTS // max(1, centres.shape[0])))
    for part in (indices[start : start + step] for start in range(0, indices.size, step)):
        gaps = cdist(centres, features.rows(part))
        gap = np.concatenate([best_gap, gaps], axis=1)
        where = np.concatenate(
            [best_position, np.broadcast_to(np.arange(position, position + part.size), gaps.shape)], axis=1
        )
        keep = np.argsort(gap, axis=1, kind="stable")[:, :m]  # positions ascend along the row: ties keep the earlier
        best_gap, best_position = np.take_along_axis(gap, keep, axis=1), np.take_along_axis(where, keep, axis=1)
        position += part.size
    return best_position
