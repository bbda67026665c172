"""Diversity for batches: k-center greedy, k-means, ranked batch and ``filter_then``.

All are batch strategies (see ``alfunc.strategies.base``) that measure exact
Euclidean distances in the run's representation (``context.embedding``: the
input for a numeric pool, the model's own features for documents, or given
embeddings; see ``alfunc.core.representation``), computed in chunks (memory
bounded by a chunk, never pool x pool). They are marked ``uses_features``, so
``select`` computes a model-made representation once per selection. None
puts two rows identical in the representation in one batch while a distinct
candidate remains. The model, when one is used, scores pool rows in the
pool's own container (a list of documents, a DataFrame).
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans

from alfunc.core.context import Context
from alfunc.core.knn import squared_norms
from alfunc.strategies.base import (
    BatchStrategy,
    Strategy,
    batch_strategy,
    described,
    inherit_needs,
    selects_batch,
    uses_features,
)
from alfunc.strategies.centres import kmeans_rows
from alfunc.strategies.farthest import greedy_batch
from alfunc.strategies.nearest import EPS, SLACK, WORKING_ELEMENTS, PoolRows, pass_step, picked
from alfunc.strategies.pooled import (
    candidate_utilities,
    distinct_groups,
    distinct_rows,
    feature_matrix,
    geometry,
    nearest_distances,
)
from alfunc.strategies.uncertainty import least_confident

UTILITY_STEP = 1 << 16


@uses_features
@batch_strategy
def k_center_greedy(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Core-set by k-center greedy (Sener & Savarese 2018): each pick is the candidate farthest from the labeled set and the batch.

    The greedy 2-approximation of the k-center (core-set) problem of Sener &
    Savarese (2018), in the run's representation (pass the embeddings Sener &
    Savarese use as ``representation=``; ``"model"`` takes a pipeline's
    features or an MLP's last hidden layer); the same as GSx of Wu et al.
    (2019) for regression. Utilities are the covering distances at pick time.

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
    With one point of blob 2 labeled, the first two picks cover the two other
    blobs; only then does the batch go back inside a blob:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies import k_center_greedy
    >>> corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> X = np.vstack([corners, corners + [10, 0], corners + [0, 10]])  # three blobs of four
    >>> blob = np.repeat([0, 1, 2], 4)
    >>> state = al.init_step(X, blob, n_init=1, random_state=0)  # no model needed
    >>> blob[state.labeled].tolist()
    [2]
    >>> idx, utilities = al.select(state, X, k_center_greedy, 3, return_utilities=True)
    >>> blob[idx].tolist(), utilities.round(2).tolist()
    ([1, 0, 1], [14.87, 10.0, 1.41])
    """
    candidates, features = context.candidates, geometry(context)
    nearest = nearest_distances(features, candidates, context.state.labeled)
    picks, values = greedy_batch(
        features, candidates, batch_size, functools.partial(context.uniform, "k-center"), nearest, owned=True
    )
    return candidates[picks], values


@uses_features
@batch_strategy
def kmeans(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """k-means batch sampling (Zhdanov 2019): cluster the candidates into ``batch_size`` groups, pick the row nearest each centre.

    Identical rows are clustered once, weighted by their count, so no centre is
    wasted on duplicates. Largest clusters come first (utility = cluster size).
    Clusters the candidates in the run's representation (k-means++ seeding,
    one Lloyd run). Bounded by design: at most ``kmeans_rows(batch_size)``
    candidates are clustered (``max(20000, 50 * batch_size)``); a larger pool
    is represented by a uniform sample of that many candidates drawn with the
    selection's seed, the picks come from the sample, and utilities estimate
    the unlabeled points a cluster stands for (sample counts x candidates /
    sample). Cost and memory are therefore those of k-means on at most that
    many rows, whatever the pool; the copy of their feature rows stays sparse
    for wide sparse features, which are never made dense. Smaller candidate
    sets (small pools, ``filter_then``) are clustered whole.

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
    Three clusters for a batch of three: one point per blob, and the
    utilities count the unlabeled points each one stands for:

    >>> import numpy as np
    >>> import alfunc as al
    >>> from alfunc.strategies import kmeans
    >>> corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> X = np.vstack([corners, corners + [10, 0], corners + [0, 10]])  # three blobs of four
    >>> blob = np.repeat([0, 1, 2], 4)
    >>> state = al.init_step(X, blob, n_init=1, random_state=0)  # no model needed
    >>> blob[state.labeled].tolist()
    [2]
    >>> idx, utilities = al.select(state, X, kmeans, 3, return_utilities=True)
    >>> sorted(blob[idx].tolist()), utilities.tolist()
    ([0, 1, 2], [4.0, 4.0, 3.0])
    """
    candidates, features = context.candidates, geometry(context)
    limit = kmeans_rows(batch_size)
    tie = context.uniform("kmeans")
    if candidates.size > limit:  # bounded by design: k-means on a seeded sample of the candidates
        sample = np.sort(context.generator("kmeans-sample").choice(candidates.size, limit, replace=False))
        pool, tie, scale = candidates[sample], tie[sample], candidates.size / limit
    else:
        pool, scale = candidates, 1.0
    by_tie = np.argsort(-tie, kind="stable")
    first, group = distinct_groups(features, pool[by_tie])
    distinct = pool[by_tie[first]]
    counts = np.bincount(group, minlength=first.size).astype(np.float64)
    n_clusters = min(batch_size, first.size)
    seed = int(context.generator("kmeans").integers(2**31 - 1))
    fitted = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed)
    fitted.fit(feature_matrix(features, distinct), sample_weight=counts)
    weights = np.bincount(fitted.labels_, weights=counts, minlength=n_clusters) * scale
    order = np.argsort(-weights, kind="stable")
    taken = np.zeros(first.size, dtype=bool)
    chosen = np.empty(n_clusters, dtype=np.int64)
    for rank, centre in enumerate(order):
        row = _nearest_free(features, distinct, fitted.cluster_centers_[centre], taken)
        taken[row] = True
        chosen[rank] = pool[by_tie[first[row]]]
    if n_clusters < batch_size:  # fewer distinct rows than the batch: fill with copies, by tie draw
        ranked = candidates[np.argsort(-context.uniform("kmeans"), kind="stable")]
        filler = ranked[~np.isin(ranked, chosen)][: batch_size - n_clusters]
    else:
        filler = np.empty(0, dtype=np.int64)
    utilities = np.concatenate([weights[order], np.zeros(filler.size)])
    return np.concatenate([chosen, filler]), utilities


def ranked_batch(uncertainty: Strategy = least_confident) -> BatchStrategy:
    """Ranked batch-mode sampling (Cardoso et al. 2017) over an ``uncertainty`` in [0, 1].

    Each pick maximises ``alpha * (1 - sim) + (1 - alpha) * uncertainty`` where
    ``sim = 1 / (1 + d)`` is the similarity to the nearest labeled or picked
    row in the run's representation, and ``alpha`` is the unlabeled share of
    the pool, updated after each pick.

    Parameters
    ----------
    uncertainty : callable, default=least_confident
        A utility strategy with utilities in [0, 1].

    Returns
    -------
    callable
        A batch strategy, with a docstring of its own.

    Examples
    --------
    On its own, uncertainty spends two of three queries on copies of the
    labeled point 0.0; the ranked batch trades some uncertainty for distance
    and spreads the batch around the boundary:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X = np.vstack([np.linspace(-3, 3, 13).reshape(-1, 1), [[0.0], [0.0]]])  # 0.0 three times
    >>> y = (X[:, 0] > 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> sorted(X[state.labeled, 0].tolist())
    [-2.5, -2.0, 0.0, 0.5, 1.5, 2.5]
    >>> from alfunc.strategies import least_confident, ranked_batch
    >>> X[al.select(state, X, least_confident, 3), 0].tolist()
    [0.0, 0.0, -0.5]
    >>> strategy = ranked_batch(least_confident)
    >>> strategy.__name__
    'ranked_batch(least_confident)'
    >>> idx, utilities = al.select(state, X, strategy, 3, return_utilities=True)
    >>> X[idx, 0].tolist(), utilities.round(2).tolist()
    ([-1.0, -0.5, 1.0], [0.4, 0.34, 0.3])

    The uncertainty must score points one by one, not be a batch strategy:

    >>> from alfunc.strategies import k_center_greedy
    >>> ranked_batch(k_center_greedy)
    Traceback (most recent call last):
    ...
    TypeError: uncertainty must be a utility strategy, not the batch strategy 'k_center_greedy'
    """
    _check_utility_strategy(uncertainty, "uncertainty")

    @batch_strategy
    def ranked(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        candidates, features = context.candidates, geometry(context)
        context = attrs.evolve(context, representation=features)  # computed once, read by every part
        scores = candidate_utilities(uncertainty, model, X, context)
        total = candidates.size + context.state.n_labeled

        value = np.empty(candidates.size)  # reused: no allocation per pick

        def utility(nearest: np.ndarray, n_picked: int) -> np.ndarray:
            alpha = (candidates.size - n_picked) / total
            # alpha * (1 - 1 / (1 + nearest)) + (1 - alpha) * scores, the same operations in place
            np.add(1.0, nearest, out=value)
            np.divide(1.0, value, out=value)
            np.subtract(1.0, value, out=value)
            np.multiply(alpha, value, out=value)
            for start in range(0, value.size, UTILITY_STEP):  # the second term a slice at a time
                value[start : start + UTILITY_STEP] += (1.0 - alpha) * scores[start : start + UTILITY_STEP]
            return value

        nearest = nearest_distances(features, candidates, context.state.labeled)
        picks, values = greedy_batch(
            features,
            candidates,
            batch_size,
            functools.partial(context.uniform, "ranked"),
            nearest,
            utility=utility,
            owned=True,
        )
        return candidates[picks], values

    ranked = uses_features(ranked)
    ranked.__name__ = f"ranked_batch({_name(uncertainty)})"
    return described(
        inherit_needs(ranked, uncertainty),
        f"Ranked batch-mode sampling (Cardoso et al. 2017) over {_name(uncertainty)}: each pick maximises "
        "alpha * (1 - similarity to the nearest labeled or picked row) + (1 - alpha) * uncertainty.",
        f"Made by ``ranked_batch({_name(uncertainty)})``. Similarity is 1 / (1 + distance) in the run's "
        "representation, and alpha is the unlabeled share of the pool, updated after each pick.",
    )


def filter_then(first: Strategy, k_factor: float, then: BatchStrategy) -> BatchStrategy:
    """Filter-then-diversify: keep the ``ceil(k_factor * k)`` best distinct rows by ``first``, let ``then`` pick ``k``.

    With an uncertainty ``first`` and ``kmeans`` (Zhdanov 2019) or
    ``k_center_greedy`` as ``then``, this is the cluster-margin family
    (Citovsky et al. 2021): informative and diverse. Rows identical in the
    run's representation enter the filter once; if fewer than ``k`` distinct rows remain, the batch is filled
    with the best remaining duplicates. Utilities are those of ``first``.

    Parameters
    ----------
    first : callable
        The utility strategy function that filters.
    k_factor : float
        Keep the best ``ceil(k_factor * batch_size)`` distinct candidates; finite and at least 1.
    then : callable
        The batch strategy that picks the batch among them.

    Returns
    -------
    callable
        A batch strategy, with a docstring of its own.

    Examples
    --------
    Cluster margin with ``k_factor=2``: keep the distinct rows among the 6
    best by margin, then let k-means pick 3 of them. Margin alone would ask
    for two more copies of the labeled point 0.0:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import alfunc as al
    >>> X = np.vstack([np.linspace(-3, 3, 13).reshape(-1, 1), [[0.0], [0.0]]])  # 0.0 three times
    >>> y = (X[:, 0] > 0).astype(int)
    >>> state = al.fit_step(al.init_step(X, y, n_init=6, random_state=0), X, LogisticRegression())
    >>> sorted(X[state.labeled, 0].tolist())
    [-2.5, -2.0, 0.0, 0.5, 1.5, 2.5]
    >>> from alfunc.strategies import filter_then, kmeans, margin
    >>> X[al.select(state, X, margin, 3), 0].tolist()
    [0.0, 0.0, -0.5]
    >>> cluster_margin = filter_then(margin, 2, kmeans)
    >>> idx, utilities = al.select(state, X, cluster_margin, 3, return_utilities=True)
    >>> sorted(X[idx, 0].tolist())
    [-1.5, -0.5, 1.0]
    >>> top_six = al.select(state, X, margin, 6)  # the picks come from the filter
    >>> bool(np.isin(idx, top_six).all())
    True

    ``k_factor`` below 1 would keep fewer rows than the batch needs:

    >>> filter_then(margin, 0.5, kmeans)
    Traceback (most recent call last):
    ...
    ValueError: k_factor must be a finite number >= 1, got 0.5
    """
    _check_utility_strategy(first, "first")
    if not isinstance(k_factor, numbers.Real) or isinstance(k_factor, bool) or not 1 <= k_factor < math.inf:
        raise ValueError(f"k_factor must be a finite number >= 1, got {k_factor!r}")
    if not callable(then) or not selects_batch(then):
        raise TypeError(f"then must be a batch strategy (marked @batch_strategy), got {then!r}")

    @batch_strategy
    def filtered(model: Any, X: Any, context: Context, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        candidates, features = context.candidates, geometry(context)
        context = attrs.evolve(context, representation=features)  # computed once, read by every part
        utilities = candidate_utilities(first, model, X, context)
        target = min(candidates.size, math.ceil(k_factor * batch_size))
        size = target
        ranked = _leading(utilities, context, size)
        kept = ranked[distinct_rows(features, candidates[ranked])]
        while kept.size < batch_size and size < candidates.size:  # duplicates crowd the filter: widen it
            size = min(2 * size, candidates.size)
            ranked = _leading(utilities, context, size)
            kept = ranked[distinct_rows(features, candidates[ranked])]
        kept = kept[:target]
        subset = np.sort(candidates[kept])
        picks, _ = then(model, X, attrs.evolve(context, candidates=subset), min(batch_size, subset.size))
        rest = np.empty(0, dtype=np.int64)
        if len(picks) < batch_size:
            ranked = _leading(utilities, context, min(candidates.size, batch_size + len(picks)))
            rest = ranked[~np.isin(candidates[ranked], picks)][: batch_size - len(picks)]
        chosen = np.searchsorted(candidates, np.concatenate([np.asarray(picks, dtype=np.int64), candidates[rest]]))
        return candidates[chosen], utilities[chosen]

    filtered = uses_features(filtered)
    filtered.__name__ = f"filter_then({_name(first)}, {k_factor}, {_name(then)})"
    return described(
        inherit_needs(filtered, first, then),
        f"Filter-then-diversify: the best {k_factor} x batch_size distinct candidates by {_name(first)}, then "
        f"{_name(then)} picks the batch among them; with an uncertainty filter this is the cluster-margin family "
        "(Zhdanov 2019; Citovsky et al. 2021).",
        f"Made by ``filter_then({_name(first)}, {k_factor}, {_name(then)})``. Rows identical in the run's "
        "representation enter the filter once; if fewer than batch_size distinct rows remain, the batch is filled "
        f"with the best remaining duplicates. Utilities are those of {_name(first)}.",
    )


def _leading(utilities: np.ndarray, context: Context, size: int) -> np.ndarray:
    """Positions of the ``size`` best candidates by utility, then tie draw, then index, best first.

    The first ``size`` of the full ranking, without sorting every candidate:
    only those at or above the ``size``-th utility are ranked.
    """
    candidates = context.candidates
    if size < utilities.size:
        threshold = np.partition(-utilities, size - 1)[size - 1]
        inside = np.flatnonzero(-utilities <= threshold)
    else:
        inside = np.arange(utilities.size)
    draws = attrs.evolve(context, candidates=candidates[inside]).uniform("filter")
    return inside[np.lexsort((candidates[inside], -draws, -utilities[inside]))][:size]


def _nearest_free(features: Any, indices: np.ndarray, centre: np.ndarray, taken: np.ndarray) -> int:
    """Position in ``indices`` of the feature row nearest ``centre`` among those not ``taken`` (first on ties).

    Exact (``cdist``) distances, found as ``alfunc.strategies.nearest`` does:
    estimates from a matrix product shortlist the rows that could be nearest,
    only those are compared exactly (and only they are made dense).
    """
    centre = np.asarray(centre, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        centre_norm = float(centre @ centre)
    slack = 2.0 * SLACK * (centre.size + 2) * EPS
    estimates, norms = np.empty(indices.size), np.empty(indices.size)
    rows = PoolRows(features, indices, pass_step(features))
    with np.errstate(over="ignore", invalid="ignore"):
        for positions, block, local in rows.blocks():  # computed on the run of rows, then picked: no copy
            norms[positions] = picked(squared_norms(block), local)
            products = picked(np.asarray(block @ centre).ravel(), local)
            estimates[positions] = norms[positions] - 2.0 * products + centre_norm
        estimates[taken] = np.inf
        lowest = estimates.min()
        bound = lowest + slack * (norms[~taken].max() + centre_norm)  # covers the estimates of any two rows
    shortlist = np.flatnonzero(~taken & ~(estimates > (bound if np.isfinite(bound) else np.inf)))
    exact = np.full(shortlist.size, np.inf)
    step = max(1, WORKING_ELEMENTS // max(1, features.width))
    for start in range(0, shortlist.size, step):
        part = shortlist[start : start + step]
        exact[start : start + part.size] = cdist(features.rows(indices[part]), centre[None])[:, 0]
    return int(shortlist[np.argmin(exact)])


def _check_utility_strategy(strategy: Callable, name: str) -> None:
    if not callable(strategy) or isinstance(strategy, str):
        raise TypeError(
            f"{name} must be a utility strategy function (model, X, context) -> utilities, got {strategy!r}"
        )
    if selects_batch(strategy):
        raise TypeError(f"{name} must be a utility strategy, not the batch strategy {_name(strategy)!r}")


def _name(strategy: Callable) -> str:
    return getattr(strategy, "__name__", type(strategy).__name__)
