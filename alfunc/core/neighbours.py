"""A nearest-neighbour index over the pool: built once, queried by pool index or by rows.

``neighbour_index(features, backend=...)`` returns a frozen ``NeighbourIndex``
whose ``query(rows_or_indices, n_neighbours)`` gives, for each query, the pool
indices of its nearest pool rows and their distances, nearest first. It is the
geometry behind the candidate restriction of ``alfunc.strategies.seals`` and
``alfunc.strategies.anchoral`` (SEALS, Coleman et al. 2022; AnchorAL, Lesci &
Vlachos 2024), which query it every round for the neighbours of the labeled
points. Backends:

* ``"exact"`` (default): a chunked brute force over the pool, no build cost, no
  copy of the pool (a memmap is read a block at a time); memory is bounded by
  ``WORKING_ELEMENTS`` floats whatever the pool size. Distances of the nearest
  candidates are recomputed pair by pair, so the answer does not depend on
  where a row sits in a block; ties are broken by the lower pool index. A
  query costs one pass over the pool per ``QUERY_CHUNK`` queries.
* ``"ivf"``: an inverted file (as in FAISS's IVF indexes): mini-batch k-means
  cells over a sample of the pool, every row assigned to its nearest cell once
  at build time; a query scans only the ``n_probe`` cells nearest to it
  (exactly, like ``"exact"`` within them). Approximate; needs nothing beyond
  scikit-learn. Options: ``n_cells`` (default ``sqrt(n)``, at most 1024),
  ``n_probe`` (default 8), ``sample`` (rows the cells are fitted on, default
  ``64 * n_cells``).
* ``"pynndescent"``: an NN-descent graph (``pip install "alfunc[ann]"``);
  options go to ``pynndescent.NNDescent``. Its first use compiles numba code
  (minutes).

Metrics: ``"euclidean"`` and ``"cosine"`` (1 - cosine similarity; a zero row
is at distance 1 from everything). A point is its own nearest neighbour (at
distance 0). Pure: nothing is cached between queries, and building never
changes ``features``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import scipy.sparse as sp

from alfunc.core.representation import Features, stored_features
from alfunc.core.rows import is_numeric, n_rows, row_blocks
from alfunc.core.validation import check_positive_int, is_count

BACKENDS = ("exact", "ivf", "pynndescent")
METRICS = ("euclidean", "cosine")
WORKING_ELEMENTS = 1 << 22  # floats in one block of distances (32 MiB in float64)
QUERY_CHUNK = 1024  # queries answered together in one pass over the pool
IVF_MAX_CELLS = 1024
IVF_PROBES = 8

Search = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


@attrs.frozen(eq=False)
class NeighbourIndex:
    """A built nearest-neighbour index over ``n_points`` pool rows (make one with ``neighbour_index``).

    Parameters
    ----------
    backend : str
        The backend that answers queries (``"exact"``, ``"ivf"`` or ``"pynndescent"``).
    metric : str
        ``"euclidean"`` or ``"cosine"``.
    n_points : int
        Number of pool rows indexed (the pool the index may be used with has this many rows).
    width : int
        Number of features per row.
    features : Features
        The indexed rows, read when queries are given as pool indices.
    search : callable
        ``(query_rows, n_neighbours) -> (indices, distances)``, the backend's search on float64 rows.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.neighbours import neighbour_index
    >>> index = neighbour_index(np.array([[0.0], [1.0], [3.0], [7.0]]))
    >>> index
    NeighbourIndex(backend='exact', metric='euclidean', n_points=4, width=1)
    >>> indices, distances = index.query(np.array([2]), 2)  # by pool index: pool row 2 and its nearest
    >>> indices.tolist(), distances.tolist()
    ([[2, 1]], [[0.0, 2.0]])
    >>> index.query(np.array([[6.0]]), 1)[0].tolist()  # by rows
    [[3]]
    """

    backend: str
    metric: str
    n_points: int
    width: int
    features: Features = attrs.field(repr=False)
    search: Search = attrs.field(repr=False)

    def query(self, rows_or_indices: Any, n_neighbours: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n_neighbours`` nearest pool rows of each query, nearest first.

        Parameters
        ----------
        rows_or_indices : array-like
            A 1-D array of integer pool indices (their rows are the queries) or a 2-D array of query rows.
        n_neighbours : int
            Neighbours per query, at most ``n_points``.

        Returns
        -------
        indices : ndarray of shape (n_queries, n_neighbours)
            Pool indices, nearest first (ties: lower index first for ``"exact"``); an approximate backend that
            finds fewer fills the rest with -1.
        distances : ndarray of shape (n_queries, n_neighbours)
            Their distances (``inf`` where the index is -1).

        Examples
        --------
        >>> import numpy as np
        >>> from alfunc.core.neighbours import neighbour_index
        >>> index = neighbour_index(np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
        >>> indices, distances = index.query(np.array([0, 1]), 3)
        >>> indices.tolist(), distances.tolist()
        ([[0, 2, 1], [1, 2, 0]], [[0.0, 1.0, 5.0], [0.0, 4.242640687119285, 5.0]])
        >>> index.query(np.array([0]), 4)
        Traceback (most recent call last):
        ...
        ValueError: n_neighbours must be at most the 3 points of the index, got 4
        """
        k = check_positive_int(n_neighbours, "n_neighbours")
        if k > self.n_points:
            raise ValueError(f"n_neighbours must be at most the {self.n_points} points of the index, got {k}")
        queries = self._query_rows(rows_or_indices)
        if queries.shape[0] == 0:
            return np.empty((0, k), dtype=np.int64), np.empty((0, k))
        return self.search(queries, k)

    def _query_rows(self, rows_or_indices: Any) -> np.ndarray:
        given = rows_or_indices.toarray() if sp.issparse(rows_or_indices) else np.asarray(rows_or_indices)
        if given.ndim == 1:
            if given.size and given.dtype.kind not in "iu":
                raise TypeError(f"rows_or_indices as a 1-D array must hold integer pool indices, got {given.dtype}")
            indices = given.astype(np.int64)
            if indices.size and (indices.min() < 0 or indices.max() >= self.n_points):
                raise ValueError(
                    f"rows_or_indices must be pool indices in [0, {self.n_points}), "
                    f"got values from {indices.min()} to {indices.max()}"
                )
            return self.features.rows(indices) if indices.size else np.empty((0, self.width))
        if given.ndim != 2 or given.shape[1] != self.width or given.dtype.kind not in "biuf":
            raise ValueError(
                f"rows_or_indices must be pool indices (1-D) or numeric rows of width {self.width} (2-D), "
                f"got {given.dtype} of shape {given.shape}"
            )
        return np.asarray(given, dtype=np.float64)


def neighbour_index(
    features: Any,
    *,
    backend: str = "exact",
    metric: str = "euclidean",
    random_state: int | None = None,
    options: Mapping[str, Any] | None = None,
) -> NeighbourIndex:
    """Build a nearest-neighbour index over the pool's rows (or their representation), once, to query every round.

    Candidate restriction (``alfunc.strategies.seals``, ``alfunc.strategies.anchoral``; SEALS, Coleman et al.
    2022; AnchorAL, Lesci & Vlachos 2024) asks it every round for the neighbours of the labeled points, so
    a query costs a scan of a few cells (``"ivf"``), a graph walk (``"pynndescent"``) or one chunked pass over
    the pool (``"exact"``), instead of the model's pass over the whole pool. See the module docstring for the
    backends and what each costs.

    Parameters
    ----------
    features : array-like or sparse matrix of shape (n_pool, n_features)
        One numeric row per pool row: the pool itself or its embeddings (a memmap is read in blocks, not copied,
        by ``"exact"`` and ``"ivf"``).
    backend : {"exact", "ivf", "pynndescent"}, default="exact"
        Chunked brute force, an inverted file of k-means cells (approximate), or NN-descent (approximate; the
        ``ann`` extra).
    metric : {"euclidean", "cosine"}, default="euclidean"
        The distance.
    random_state : int, default=None
        Seeds the approximate backends' builds (``None``: 0, so a build is reproducible).
    options : mapping, default=None
        Backend options: for ``"ivf"`` ``n_cells``, ``n_probe`` and ``sample``; for ``"pynndescent"`` keyword
        arguments of ``pynndescent.NNDescent``; none for ``"exact"``.

    Returns
    -------
    NeighbourIndex
        Frozen; ``index.query(rows_or_indices, n_neighbours)`` answers queries.

    Raises
    ------
    ImportError
        For ``backend="pynndescent"`` without the package, naming the extra to install.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.neighbours import neighbour_index
    >>> X = np.random.default_rng(0).normal(size=(500, 4))
    >>> exact = neighbour_index(X)
    >>> exact.query(np.array([0, 1]), 3)[0][:, 0].tolist()  # each point is its own nearest neighbour
    [0, 1]
    >>> cells = neighbour_index(X, backend="ivf", random_state=0, options={"n_cells": 10, "n_probe": 10})
    >>> bool((cells.query(np.arange(20), 5)[0] == exact.query(np.arange(20), 5)[0]).all())  # every cell probed
    True
    >>> neighbour_index(X, backend="annoy")
    Traceback (most recent call last):
    ...
    ValueError: backend must be one of ('exact', 'ivf', 'pynndescent'), got 'annoy'
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    if random_state is not None and not is_count(random_state):
        raise TypeError(f"random_state must be an int or None, got {type(random_state).__name__}")
    if options is not None and not isinstance(options, Mapping):
        raise TypeError(f"options must be a mapping of backend options, got {type(options).__name__}")
    table = _checked_table(features)
    stored = stored_features(table)
    n_points = n_rows(table)
    seed = 0 if random_state is None else int(random_state)
    settings = dict(options or {})
    if backend == "exact":
        if settings:
            raise ValueError(f"options: the exact backend takes none, got {sorted(settings)}")
        search: Search = _exact_search(stored, n_points, metric)
    elif backend == "ivf":
        search = _ivf_search(stored, n_points, metric, seed, settings)
    else:
        search = _pynndescent_search(table, metric, seed, settings)
    return NeighbourIndex(backend, metric, n_points, stored.width, stored, search)


def exact_index(features: Features, n_points: int, metric: str = "euclidean") -> NeighbourIndex:
    """An ``"exact"`` index over ``Features`` already at hand (a run's representation): nothing is built.

    ``alfunc.strategies.seals`` and ``alfunc.strategies.anchoral`` use it when no index is given.

    Parameters
    ----------
    features : Features
        The pool's rows in a representation (``alfunc.core.representation``).
    n_points : int
        Number of pool rows.
    metric : {"euclidean", "cosine"}, default="euclidean"
        The distance.

    Returns
    -------
    NeighbourIndex

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.neighbours import exact_index
    >>> from alfunc.core.representation import stored_features
    >>> index = exact_index(stored_features(np.array([[0.0], [1.0], [5.0]])), 3)
    >>> index.query(np.array([2]), 2)[0].tolist()
    [[2, 1]]
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    n = check_positive_int(n_points, "n_points")
    return NeighbourIndex("exact", metric, n, features.width, features, _exact_search(features, n, metric))


def _checked_table(features: Any) -> Any:
    if isinstance(features, Features):
        raise TypeError("features must be an array of rows; pass the array the Features object reads")
    table = features if sp.issparse(features) or hasattr(features, "shape") else np.asarray(features)
    if getattr(table, "ndim", 0) != 2 or not is_numeric(table):
        raise ValueError(
            f"features must be a 2-D numeric array (one row per pool row), got {getattr(table, 'dtype', '?')} "
            f"of shape {getattr(table, 'shape', '?')}"
        )
    if n_rows(table) == 0 or table.shape[1] == 0:
        raise ValueError(f"features must hold at least one row and one column, got shape {table.shape}")
    values: Any = sp.csr_matrix(table).data if sp.issparse(table) else table
    for start, stop in row_blocks(int(values.shape[0]), 1 << 20):  # a block of rows (or stored values) at a time
        if not np.isfinite(values[start:stop]).all():
            raise ValueError("features must be finite (no NaN or inf)")
    return table


def _prepared(rows: np.ndarray, metric: str) -> np.ndarray:
    """Rows as the metric compares them: as they are (euclidean) or scaled to unit length (cosine)."""
    if metric == "euclidean":
        return rows
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def _keys(queries: np.ndarray, rows: np.ndarray, metric: str) -> np.ndarray:
    """The ranking key of query i and row i, pair by pair: squared distance or cosine distance."""
    if metric == "euclidean":
        return ((queries - rows) ** 2).sum(axis=1)
    return 1.0 - (queries * rows).sum(axis=1)


def _distances(keys: np.ndarray, metric: str) -> np.ndarray:
    return np.sqrt(keys) if metric == "euclidean" else keys


def _scan(
    features: Features,
    metric: str,
    queries: np.ndarray,
    best: tuple[np.ndarray, np.ndarray],
    pool_indices: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge the rows ``pool_indices`` (increasing) into the running ``(keys, indices)`` of ``queries``.

    Each block of rows is compared with every query by one matrix product; only the pairs that can enter a
    query's best k (within a tolerance of the matrix product's rounding) are recomputed pair by pair and
    merged, sorted by (key, index).
    """
    best_keys, best_idx = best
    k = best_keys.shape[1]
    query_sq = (queries**2).sum(axis=1)  # 1 for cosine's unit rows
    step = max(1, WORKING_ELEMENTS // max(queries.shape[0], features.width))
    for start in range(0, pool_indices.size, step):
        part = pool_indices[start : start + step]
        rows = _prepared(features.rows(part), metric)
        approx = queries @ rows.T  # becomes the key less a per-query constant, in place
        if metric == "euclidean":
            row_sq = (rows**2).sum(axis=1)
            approx *= -2.0
            approx += row_sq[None, :]
            shift = query_sq[:, None]  # key = approx + |q|^2
            slack = 1e-9 * (query_sq[:, None] + row_sq.max()) + 1e-12
        else:
            np.negative(approx, out=approx)
            shift, slack = np.ones((queries.shape[0], 1)), np.full((queries.shape[0], 1), 1e-9)
        bound = best_keys[:, -1:] - shift
        if part.size > k and np.isinf(bound).any():  # a query's best is not full: bound it by this block's k-th
            bound = np.minimum(bound, np.partition(approx, k - 1, axis=1)[:, k - 1 : k])
        hit_q, hit_r = np.nonzero(approx <= bound + slack)
        if hit_q.size == 0:
            continue
        keys = np.concatenate(
            [_keys(queries[q], rows[r], metric) for q, r in _pair_chunks(hit_q, hit_r, features.width)]
        )
        best_keys, best_idx = _merged(best_keys, best_idx, hit_q, keys, part[hit_r], k)
    return best_keys, best_idx


def _pair_chunks(hit_q: np.ndarray, hit_r: np.ndarray, width: int) -> list[tuple[np.ndarray, np.ndarray]]:
    step = max(1, WORKING_ELEMENTS // max(1, width))
    return [(hit_q[start : start + step], hit_r[start : start + step]) for start in range(0, hit_q.size, step)]


def _merged(
    best_keys: np.ndarray, best_idx: np.ndarray, hit_q: np.ndarray, keys: np.ndarray, indices: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``k`` of each query among its current best and its new hits, by (key, index)."""
    touched = np.unique(hit_q)
    owner = np.concatenate([np.repeat(touched, k), hit_q])
    all_keys = np.concatenate([best_keys[touched].ravel(), keys])
    all_idx = np.concatenate([best_idx[touched].ravel(), indices])
    unfilled = all_idx < 0  # -1 placeholders sort after every real neighbour
    order = np.lexsort((np.where(unfilled, np.iinfo(np.int64).max, all_idx), all_keys, owner))
    starts = np.searchsorted(owner[order], touched)
    take = order[starts[:, None] + np.arange(k)[None, :]]
    best_keys, best_idx = best_keys.copy(), best_idx.copy()
    best_keys[touched], best_idx[touched] = all_keys[take], all_idx[take]
    return best_keys, best_idx


def _empty_best(n_queries: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((n_queries, k), np.inf), np.full((n_queries, k), -1, dtype=np.int64)


def _exact_search(features: Features, n_points: int, metric: str) -> Search:
    everything = np.arange(n_points, dtype=np.int64)

    def search(queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        prepared = _prepared(queries, metric)
        found = [
            _scan(features, metric, prepared[start:stop], _empty_best(stop - start, k), everything)
            for start, stop in row_blocks(prepared.shape[0], QUERY_CHUNK)
        ]
        keys = np.concatenate([keys for keys, _ in found])
        return np.concatenate([idx for _, idx in found]), _distances(np.maximum(keys, 0.0), metric)

    return search


def _ivf_search(features: Features, n_points: int, metric: str, seed: int, settings: dict[str, Any]) -> Search:
    from sklearn.cluster import MiniBatchKMeans

    unknown = sorted(set(settings) - {"n_cells", "n_probe", "sample"})
    if unknown:
        raise ValueError(f"options: the ivf backend takes n_cells, n_probe and sample, got {unknown}")
    n_cells = settings.get("n_cells", min(IVF_MAX_CELLS, max(1, math.isqrt(n_points))))
    n_cells = min(check_positive_int(n_cells, "options['n_cells']"), n_points)
    n_probe = min(check_positive_int(settings.get("n_probe", IVF_PROBES), "options['n_probe']"), n_cells)
    sample = min(check_positive_int(settings.get("sample", 64 * n_cells), "options['sample']"), n_points)
    rng = np.random.default_rng(seed)
    fitted_on = np.sort(rng.choice(n_points, size=sample, replace=False))
    kmeans = MiniBatchKMeans(n_clusters=n_cells, n_init=1, random_state=seed, batch_size=4096)
    centres = kmeans.fit(_prepared(features.rows(fitted_on), metric)).cluster_centers_
    centre_sq = (centres**2).sum(axis=1)
    step = max(1, WORKING_ELEMENTS // max(n_cells, features.width))
    # every row to its nearest cell, in float32: the cells are approximate anyway, and it halves the build
    centres32, centre_sq32 = centres.astype(np.float32), centre_sq.astype(np.float32)
    cell = np.concatenate(
        [
            _nearest_cells(
                _prepared(features.rows(np.arange(start, stop)), metric).astype(np.float32), centres32, centre_sq32, 1
            )[:, 0]
            for start, stop in row_blocks(n_points, step)
        ]
    )
    members = np.argsort(cell, kind="stable")  # by cell, increasing pool index within a cell
    bounds = np.searchsorted(cell[members], np.arange(n_cells + 1))

    def search(queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        prepared = _prepared(queries, metric)
        probes = _nearest_cells(prepared, centres, centre_sq, n_probe)
        best = _empty_best(prepared.shape[0], k)
        for probed in np.unique(probes):
            askers = np.flatnonzero((probes == probed).any(axis=1))
            inside = members[bounds[probed] : bounds[probed + 1]]
            if inside.size == 0:
                continue
            keys, idx = _scan(features, metric, prepared[askers], (best[0][askers], best[1][askers]), inside)
            best[0][askers], best[1][askers] = keys, idx
        return best[1], _distances(np.maximum(best[0], 0.0), metric)

    return search


def _nearest_cells(rows: np.ndarray, centres: np.ndarray, centre_sq: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` nearest centres of each row (unordered), by the matrix-product squared distance."""
    approx = centre_sq[None, :] - 2.0 * (rows @ centres.T)
    if n >= centres.shape[0]:
        return np.broadcast_to(np.arange(centres.shape[0]), approx.shape).copy()
    if n == 1:
        return approx.argmin(axis=1)[:, None]
    return np.argpartition(approx, n - 1, axis=1)[:, :n].copy()  # a copy: the view would keep every column alive


def _pynndescent_search(table: Any, metric: str, seed: int, settings: dict[str, Any]) -> Search:
    try:
        pynndescent = importlib.import_module("pynndescent")
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError('backend="pynndescent" needs the pynndescent package: pip install "alfunc[ann]"') from None
    data = table.tocsr() if sp.issparse(table) else np.asarray(table, dtype=np.float32)
    built = pynndescent.NNDescent(data, metric=metric, random_state=seed, **settings)

    def search(queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        indices, distances = built.query(np.asarray(queries, dtype=np.float32), k=k)
        indices = np.asarray(indices, dtype=np.int64)
        distances = np.where(indices < 0, np.inf, np.asarray(distances, dtype=np.float64))
        order = np.lexsort((np.where(indices < 0, np.iinfo(np.int64).max, indices), distances), axis=1)
        return np.take_along_axis(indices, order, axis=1), np.take_along_axis(distances, order, axis=1)

    return search
