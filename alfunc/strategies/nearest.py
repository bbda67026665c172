"""Exact Euclidean distances over pool rows at the speed of matrix products: shortlist fast, decide exactly.

A distance pass over a million rows is memory-bound; what made it slow was
copying rows (a gather of every candidate and a float64 copy per chunk) and
computing each distance coordinate by coordinate. Here rows are read as runs
of consecutive pool rows (``Features.block``: a view of a stored float64
array; only the distances of the wanted rows are gathered), and a distance is
first estimated with a matrix product, ``|x|^2 + |c|^2 - 2 x.c``. The estimate
is off by at most ``SLACK * (width + 2) * eps * (|x|^2 + |c|^2)`` (rounding in
the norms and the dot products); every row whose estimate might decide the
answer within that slack (it could be nearer than what it has, or could be an
exact copy) gets its exact distance the way ``scipy``'s ``cdist`` computes it,
so results are the exact ones, bit for bit, and rows identical in the
representation are at distance exactly 0. Non-finite estimates (overflow)
always go to the exact path. Sparse rows stay sparse: the estimate is a
sparse product, and only shortlisted rows are made dense.

Memory: one chunk of rows (``WORKING_ELEMENTS`` floats) and the per-row
vectors a caller keeps (norms, nearest distances).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import attrs
import numpy as np
import scipy.sparse as sp
from scipy.spatial.distance import cdist

from alfunc.core.knn import squared_norms
from alfunc.core.representation import Features

WORKING_ELEMENTS = 1 << 22
SLACK = 8.0
NARROW = 64
CACHE_ELEMENTS = 1 << 18
OUTER_ROWS = 1 << 14
EPS = float(np.finfo(np.float64).eps)

PairFactor = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _as_indices(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _at_least_one(value: Any) -> int:
    return max(1, int(value))


@attrs.frozen
class PoolRows:
    """The feature rows of pool ``indices``, read a chunk of ``step`` indices at a time.

    A chunk whose indices are at least half of the pool rows they span is read
    as that run of rows (``Features.block``, a view when the features are a
    float64 array) and ``local`` says which of its rows are wanted; any other
    chunk is gathered (``Features.raw``).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import PoolRows
    >>> features = stored_features(np.arange(12.0).reshape(6, 2))
    >>> rows = PoolRows(features, np.array([0, 1, 3, 4]), step=2)
    >>> [(p, b.shape, None if l is None else l.tolist()) for p, b, l in rows.blocks()]
    [(slice(0, 2, None), (2, 2), [0, 1]), (slice(2, 4, None), (2, 2), [0, 1])]
    >>> rows.squared_norms().tolist()
    [1.0, 13.0, 85.0, 145.0]
    """

    features: Features
    indices: np.ndarray = attrs.field(converter=_as_indices)
    step: int = attrs.field(converter=_at_least_one)

    def blocks(self) -> Iterator[tuple[slice, Any, np.ndarray | None]]:
        """``(positions, block, local)``: ``block[local]`` (or all of ``block``) are the rows of ``indices[positions]``."""
        indices = self.indices
        for start in range(0, indices.size, self.step):
            part = indices[start : start + self.step]
            positions = slice(start, start + part.size)
            low, high = int(part.min()), int(part.max()) + 1
            if high - low <= 2 * part.size and bool((part[1:] > part[:-1]).all()):
                offsets = part - low
                yield positions, self.features.block(low, high), offsets.astype(np.int32) if high < 2**31 else offsets
            else:
                yield positions, self.features.raw(part), None

    def squared_norms(self) -> np.ndarray:
        """``|x|^2`` of every row, in the order of ``indices``."""
        norms = np.empty(self.indices.size)
        for positions, block, local in self.blocks():
            norms[positions] = picked(squared_norms(block), local)
        return norms

    def dense(self, block: Any, local: np.ndarray | None, which: np.ndarray) -> np.ndarray:
        """Rows ``which`` (positions among the chunk's wanted rows) of a block, dense float64."""
        rows = block[which if local is None else local[which]]
        return np.asarray(rows.toarray() if sp.issparse(rows) else rows, dtype=np.float64)


def pass_step(features: Features) -> int:
    """Indices per chunk of a one-centre pass: about ``WORKING_ELEMENTS`` stored values of rows.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import pass_step
    >>> pass_step(stored_features(np.zeros((10, 3)))), pass_step(stored_features(sp.csr_matrix((10, 10**6))))
    (1048576, 4194304)
    """
    table = features.table
    if sp.issparse(table):
        per_row = int(table.nnz) // max(1, table.shape[0]) + 1
    else:
        per_row = features.width + 1
    return max(1, WORKING_ELEMENTS // per_row)


def row_vector(features: Features, index: int) -> np.ndarray:
    """The dense float64 feature row of one pool index.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import row_vector
    >>> row_vector(stored_features(np.arange(6).reshape(3, 2)), 2).tolist()
    [4.0, 5.0]
    """
    return features.rows(np.array([index], dtype=np.int64))[0]


@attrs.define
class Coverage:
    """Each row's exact distance to the nearest of a growing set of centres, lowered one centre at a time.

    ``nearest`` holds the distances (one per index of ``rows``, exact:
    ``cdist``'s numbers), ``copies`` flags rows identical to an added centre.
    ``add`` costs one matrix-vector product over the rows' chunks (read as
    runs of pool rows, no gather), a comparison with a stored per-row level,
    and exact distances for the few rows the estimate cannot rule out (see the
    module docstring). Memory: ``nearest``, ``copies`` and one level per row
    of the runs read (at most twice the rows), plus the chunk positions.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import Coverage, PoolRows
    >>> rows = PoolRows(stored_features(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])), np.arange(3), step=2)
    >>> coverage = Coverage.start(rows, np.array([1.0, 9.0, 1.0]))
    >>> coverage.add(np.array([3.0, 4.0]))
    >>> coverage.nearest.tolist(), coverage.copies.tolist()
    ([1.0, 0.0, 1.0], [False, True, False])
    """

    rows: PoolRows
    nearest: np.ndarray
    copies: np.ndarray
    parts: list[tuple[slice, int, np.ndarray | None]]
    levels: list[np.ndarray]

    @classmethod
    def start(cls, rows: PoolRows, nearest: np.ndarray, copy: bool = True) -> Coverage:
        """A coverage of ``rows`` whose distances so far are ``nearest`` (copied unless ``copy=False``)."""
        nearest = np.array(nearest, dtype=np.float64, copy=copy or None)
        parts: list[tuple[slice, int, np.ndarray | None]] = []
        levels: list[np.ndarray] = []
        slack = _slack(rows.features.width)
        for positions, block, local in rows.blocks():
            low = int(rows.indices[positions.start]) if local is not None else -1
            level = np.full(block.shape[0], np.inf)  # rows not wanted: never
            _picked_set(level, local, _level(picked(squared_norms(block), local), nearest[positions], slack))
            parts.append((positions, low, local))
            levels.append(level)
        return cls(rows, nearest, np.zeros(nearest.size, dtype=bool), parts, levels)

    def add(self, centre: np.ndarray) -> None:
        """Lower every row's distance to its exact distance to ``centre`` where smaller; flag exact copies."""
        centre = np.asarray(centre, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            centre_norm = float(centre @ centre)
        slack = _slack(centre.size)
        offset = centre_norm * (1.0 - slack) / 2.0
        for number, (positions, low, local) in enumerate(self.parts):
            block = self._block(positions, low, local)
            level = self.levels[number]
            if not np.isfinite(centre_norm):
                which = np.arange(level.size)
            else:
                with np.errstate(over="ignore", invalid="ignore"):  # overflow goes to the exact path
                    products = np.asarray(block @ centre).ravel()
                    products -= offset
                which = np.flatnonzero(~(products < level))  # NaN products are decided exactly
            if local is not None and which.size:
                found = np.minimum(np.searchsorted(local, which), local.size - 1)
                keep = local[found] == which
                which, at = which[keep], found[keep]
            else:
                at = which
            if which.size == 0:
                continue
            exact = _exact_to(self.rows, block, None, which, centre)
            current = self.nearest[positions]  # a view
            current[at] = np.minimum(current[at], exact)
            self.copies[positions.start + at[exact == 0]] = True
            dense_norms = squared_norms(block[which])
            level[which] = _level(dense_norms, current[at], slack)

    def _block(self, positions: slice, low: int, local: np.ndarray | None) -> Any:
        if local is None:
            return self.rows.features.raw(self.rows.indices[positions])
        return self.rows.features.block(low, low + int(local[-1]) + 1)


def _slack(width: int) -> float:
    return SLACK * (width + 2) * EPS


def _level(x_norms: np.ndarray, nearest: np.ndarray, slack: float) -> np.ndarray:
    """Rows whose product with a centre ``c`` is below ``level + |c|^2 (1 - slack) / 2`` are farther than ``nearest``.

    The estimate ``|x|^2 - 2 x.c + |c|^2`` is within the slack of the exact
    squared distance; rewritten so a pass compares one product per row with a
    stored level. Non-finite levels become ``-inf`` (always decided exactly).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        level = (x_norms * (1.0 - slack) - nearest * nearest * (1.0 + slack)) / 2.0
    level[~np.isfinite(level)] = -np.inf
    return level


def _picked_set(target: np.ndarray, local: np.ndarray | None, values: np.ndarray) -> None:
    if local is None:
        target[:] = values
    else:
        target[local] = values


def distances(rows: PoolRows, centre: np.ndarray) -> np.ndarray:
    """Exact Euclidean distance (``cdist``'s arithmetic) from each row to one ``centre`` point.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import PoolRows, distances
    >>> rows = PoolRows(stored_features(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])), np.arange(3), step=2)
    >>> distances(rows, np.array([3.0, 4.0])).tolist()
    [5.0, 0.0, 5.0]
    """
    centre = np.asarray(centre, dtype=np.float64)
    out = np.empty(rows.indices.size)
    for positions, block, local in rows.blocks():
        if sp.issparse(block) or local is None:
            out[positions] = _exact_to(rows, block, local, np.arange(positions.stop - positions.start), centre)
        else:
            out[positions] = cdist(block, centre[None])[local, 0]
    return out


def _exact_to(
    rows: PoolRows, block: Any, local: np.ndarray | None, which: np.ndarray, centre: np.ndarray
) -> np.ndarray:
    """``cdist`` from rows ``which`` of a chunk to ``centre``, made dense at most ``WORKING_ELEMENTS`` at a time."""
    step = max(1, WORKING_ELEMENTS // max(1, centre.size))
    parts = [
        cdist(rows.dense(block, local, which[start : start + step]), centre[None])[:, 0]
        for start in range(0, which.size, step)
    ]
    return np.concatenate(parts) if parts else np.empty(0)


def nearest_exact(features: Features, rows: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """For each pool index in ``rows``, the exact Euclidean distance to its nearest pool row in ``centres``.

    The same numbers as ``cdist(rows, centres).min(axis=1)`` (``inf`` without
    centres), with matrix products doing the bulk: per chunk of centres (at
    most ``WORKING_ELEMENTS`` floats) and of rows, every (row, centre) pair
    whose estimate is within the slack of the row's smallest estimate gets its
    exact distance.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import nearest_exact
    >>> features = stored_features(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0], [0.0, 1.0]]))
    >>> nearest_exact(features, np.array([1, 2, 3]), np.array([0])).tolist()
    [5.0, 10.0, 1.0]
    >>> nearest_exact(features, np.array([2, 3]), np.array([0, 1])).tolist()
    [5.0, 1.0]
    """
    rows, centres = np.asarray(rows, dtype=np.int64), np.asarray(centres, dtype=np.int64)
    nearest = np.full(rows.size, np.inf)
    width = features.width
    slack = 2.0 * _slack(width + 1)
    centre_step = max(1, WORKING_ELEMENTS // max(1, width))
    for start in range(0, centres.size, centre_step):
        centre_rows = _distinct(features.rows(centres[start : start + centre_step]))
        centre_norms = np.einsum("ij,ij->i", centre_rows, centre_rows)
        weights = np.vstack([-2.0 * centre_rows.T, centre_norms[None]])  # [x, 1] @ weights: |c|^2 - 2 x.c
        top = float(centre_norms.max()) if np.isfinite(centre_norms).all() else np.inf
        step = max(1, CACHE_ELEMENTS // centre_rows.shape[0])  # estimates of a step of rows stay in cache
        outer = max(step, min(OUTER_ROWS, WORKING_ELEMENTS // max(1, width + 1)))  # exact distances, together
        for positions, block, local in PoolRows(features, rows, outer).blocks():
            wanted = block if local is None else block[local]
            augmented = with_ones(wanted)
            with np.errstate(over="ignore", invalid="ignore"):
                bounds = slack * (squared_norms(wanted) + top)
            best = np.empty(augmented.shape[0], dtype=np.int64)
            tied_rows, tied_columns = [], []
            for low in range(0, augmented.shape[0], step):
                with np.errstate(over="ignore", invalid="ignore"):  # overflow goes to the exact path
                    estimate = augmented[low : low + step] @ weights
                found = np.arange(estimate.shape[0])
                nearest_centre = estimate.argmin(axis=1)
                best[low : low + found.size] = nearest_centre
                lowest = estimate[found, nearest_centre]
                estimate[found, nearest_centre] = np.inf
                with np.errstate(over="ignore", invalid="ignore"):
                    bound = lowest + bounds[low : low + found.size]
                bound[~np.isfinite(bound)] = np.inf
                tied = np.flatnonzero(~(estimate.min(axis=1) > bound))  # another centre might be as near
                if tied.size:
                    row, column = np.nonzero(~(estimate[tied] > bound[tied, None]))
                    tied_rows.append(low + tied[row])
                    tied_columns.append(column)
            exact = _pair_distances(wanted, np.arange(best.size), centre_rows, best)
            if tied_rows:
                row, column = np.concatenate(tied_rows), np.concatenate(tied_columns)
                np.minimum.at(exact, row, _pair_distances(wanted, row, centre_rows, column))
            current = nearest[positions]  # a view
            np.minimum(current, exact, out=current)
    return nearest


def _distinct(rows: np.ndarray) -> np.ndarray:
    """The rows with exact copies dropped (a copy of a centre changes no distance, but would tie every estimate)."""
    first: dict[bytes, int] = {}
    for position, row in enumerate(np.ascontiguousarray(rows)):
        first.setdefault(row.tobytes(), position)
    return rows[np.sort(np.fromiter(first.values(), dtype=np.int64, count=len(first)))]


def with_ones(rows: Any) -> Any:
    """``rows`` with a column of ones appended (sparse stays sparse): ``with_ones(x) @ [w; b]`` is ``x @ w + b``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.nearest import with_ones
    >>> with_ones(np.array([[2.0, 3.0]])).tolist()
    [[2.0, 3.0, 1.0]]
    """
    if sp.issparse(rows):
        return sp.hstack([rows, np.ones((rows.shape[0], 1))], format="csr")
    out = np.empty((rows.shape[0], rows.shape[1] + 1))
    out[:, :-1] = rows
    out[:, -1] = 1.0
    return out


def _pair_distances(rows: Any, row: np.ndarray, centres: np.ndarray, column: np.ndarray) -> np.ndarray:
    """Exact distance between ``rows[row[i]]`` and ``centres[column[i]]`` for each pair, as ``cdist`` computes it.

    Narrow dense rows: squared differences summed coordinate by coordinate
    over all pairs at once (``cdist``'s order); otherwise one ``cdist`` per centre.
    """
    if not sp.issparse(rows) and centres.shape[1] <= NARROW:
        first, second = rows[row], centres[column]
        total = np.zeros(row.size)
        with np.errstate(over="ignore", invalid="ignore"):  # as cdist: overflow gives inf
            for j in range(centres.shape[1]):
                gap = first[:, j] - second[:, j]
                total += gap * gap
        return np.sqrt(total)
    out = np.empty(row.size)
    order = np.argsort(column, kind="stable")
    bounds = np.flatnonzero(np.r_[True, column[order][1:] != column[order][:-1], True])
    step = max(1, WORKING_ELEMENTS // max(1, centres.shape[1]))  # rows made dense at a time
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        centre = centres[column[order[start]]][None]
        for low in range(start, stop, step):
            pairs = order[low : min(stop, low + step)]
            taken = rows[row[pairs]]
            dense = np.asarray(taken.toarray() if sp.issparse(taken) else taken, dtype=np.float64)
            out[pairs] = cdist(dense, centre)[:, 0]
    return out


def picked(values: np.ndarray, local: np.ndarray | None) -> np.ndarray:
    """The entries ``local`` of per-row values computed on a run of rows (all of them when ``local`` is None).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.nearest import picked
    >>> picked(np.array([5.0, 6.0, 7.0]), np.array([0, 2])).tolist(), picked(np.array([5.0]), None).tolist()
    ([5.0, 7.0], [5.0])
    """
    return values if local is None else values[local]


def distances_within(rows: PoolRows, centre: np.ndarray, limit: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Exact distance (``cdist``'s) from each row to ``centre`` wherever it may be below the row's ``limit``; ``inf`` elsewhere.

    One matrix-vector product per chunk estimates every squared distance
    (``norms`` are the rows' ``|x|^2``, from ``PoolRows.squared_norms``); a row
    whose estimate is surely above ``limit`` (by more than the module's slack,
    and a few roundings more, so that ``inf`` never hides a distance a caller
    would have kept after multiplying or dividing it by a finite factor) is
    not computed. ``NaN`` limits and non-finite estimates are decided exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import PoolRows, distances_within
    >>> rows = PoolRows(stored_features(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])), np.arange(3), step=2)
    >>> distances_within(rows, np.array([3.0, 4.0]), np.array([6.0, 1.0, 4.0]), rows.squared_norms()).tolist()
    [5.0, 0.0, inf]
    """
    centre = np.asarray(centre, dtype=np.float64)
    slack = _slack(centre.size)
    out = np.full(rows.indices.size, np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        centre_norm = float(centre @ centre)
    for positions, block, local in rows.blocks():
        with np.errstate(over="ignore", invalid="ignore"):  # overflow goes to the exact path
            products = picked(np.asarray(block @ centre).ravel(), local)
            lower = (norms[positions] + centre_norm) * (1.0 - slack) - 2.0 * products
            limit_squared = np.square(limit[positions]) * ((1.0 + slack) * (1.0 + 8.0 * EPS))
        which = np.flatnonzero(~(lower > limit_squared))  # NaN is decided exactly
        if which.size:
            out[positions.start + which] = _exact_to(rows, block, local, which, centre)
    return out


def row_digests(rows: PoolRows) -> np.ndarray:
    """A 64-bit digest of each row's values: identical rows (``-0.0`` as ``0.0``) get equal digests.

    Each non-zero value is mixed with its column and the mixes are summed
    (wrapping), so a sparse row is read by its stored entries only and never
    made dense. Distinct rows collide with probability about ``2**-64`` per
    pair; ``identical_rows`` confirms a match by the values. One pass, a few
    small blocks of temporaries.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import PoolRows, row_digests
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -0.0], [2.0, 0.0]])
    >>> dense = row_digests(PoolRows(stored_features(X), np.arange(4), step=3))
    >>> bool(dense[0] == dense[2]), len(set(dense.tolist()))
    (True, 3)
    >>> bool((row_digests(PoolRows(stored_features(sp.csr_matrix(X)), np.arange(4), step=3)) == dense).all())
    True
    """
    out = np.empty(rows.indices.size, dtype=np.uint64)
    for positions, block, local in rows.blocks():
        out[positions] = picked(_block_digests(block), local)
    return out


def _block_digests(block: Any) -> np.ndarray:
    if sp.issparse(block):
        block = sp.csr_matrix(block, dtype=np.float64, copy=True)
        block.sum_duplicates()
        block.data += 0.0  # -0.0 becomes 0.0
        block.eliminate_zeros()
        mixed = _mix(block.data.view(np.uint64), block.indices.astype(np.uint64))
        running = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(mixed, dtype=np.uint64)])
        return running[block.indptr[1:]] - running[block.indptr[:-1]]  # wrapping sums per row
    block = np.asarray(block, dtype=np.float64)
    columns = np.arange(block.shape[1], dtype=np.uint64)
    out = np.empty(block.shape[0], dtype=np.uint64)
    step = max(1, CACHE_ELEMENTS // max(1, block.shape[1]))
    for low in range(0, block.shape[0], step):
        values = block[low : low + step] + 0.0  # a copy; -0.0 becomes 0.0
        out[low : low + values.shape[0]] = _mix(values.view(np.uint64), columns).sum(axis=1, dtype=np.uint64)
    return out


def _mix(bits: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """A 64-bit mix of each value's bits with its column (splitmix64's finaliser); 0 for a zero value."""
    mixed = bits ^ (columns * np.uint64(0x9E3779B97F4A7C15))
    mixed ^= mixed >> np.uint64(30)
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(27)
    mixed *= np.uint64(0x94D049BB133111EB)
    mixed ^= mixed >> np.uint64(31)
    mixed[bits == 0] = 0
    return mixed


def identical_rows(features: Features, indices: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Which pool ``indices`` have exactly the values of ``centre`` (a dense row).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import identical_rows
    >>> features = stored_features(np.array([[1.0, 0.0], [1.0, -0.0], [1.0, 2.0]]))
    >>> identical_rows(features, np.arange(3), np.array([1.0, 0.0])).tolist()
    [True, True, False]
    """
    indices = np.asarray(indices, dtype=np.int64)
    same = np.empty(indices.size, dtype=bool)
    step = max(1, WORKING_ELEMENTS // max(1, features.width))
    for low in range(0, indices.size, step):
        same[low : low + step] = (features.rows(indices[low : low + step]) == centre).all(axis=1)
    return same


def nearest_scaled(features: Features, rows: np.ndarray, centres: np.ndarray, factor: PairFactor) -> np.ndarray:
    """For each pool index in ``rows``, the least ``distance x factor`` over the pool rows ``centres``, exact.

    ``factor(row_positions, centre_positions)`` gives a non-negative matrix of
    factors (one per pair). The same numbers as computing
    ``cdist(rows, centres) * factor`` and its row minima (``inf`` without
    centres), but the bulk is matrix products: per step of rows (a few
    hundred kilobytes of pairs, rows read as runs of pool rows) the squared
    distances are estimated, each row's least upper bound of the product is
    found, and only the pairs whose lower bound is not above it get their
    exact distance (``cdist``'s arithmetic). Memory: a few pair matrices of
    ``CACHE_ELEMENTS`` and the dense centres of one chunk.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.nearest import nearest_scaled
    >>> features = stored_features(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0], [0.0, 1.0]]))
    >>> weights = np.array([[1.0, 10.0], [2.0, 0.5], [1.0, 1.0]])  # rows 1, 2, 3 x centres 0, 3
    >>> least = nearest_scaled(features, np.array([1, 2, 3]), np.array([0, 3]), lambda r, c: weights[r][:, c])
    >>> least.round(3).tolist()  # row 2: min(10 x 2, sqrt(85) x 0.5); row 3 is centre 3 itself
    [5.0, 4.61, 0.0]
    """
    rows, centres = np.asarray(rows, dtype=np.int64), np.asarray(centres, dtype=np.int64)
    nearest = np.full(rows.size, np.inf)
    width = features.width
    slack = 2.0 * _slack(width)
    centre_step = max(1, WORKING_ELEMENTS // max(1, width))
    for start in range(0, centres.size, centre_step):
        centre_positions = np.arange(start, min(start + centre_step, centres.size))
        centre_rows = features.rows(centres[centre_positions])
        centre_norms = squared_norms(centre_rows)
        weights = np.vstack([-2.0 * centre_rows.T, centre_norms[None]])  # [x, 1] @ weights: |c|^2 - 2 x.c
        with np.errstate(over="ignore", invalid="ignore"):
            top = float(centre_norms.max())
        step = max(1, CACHE_ELEMENTS // centre_rows.shape[0])
        for positions, block, local in PoolRows(features, rows, step).blocks():
            wanted = block if local is None else block[local]
            row_positions = np.arange(positions.start, positions.stop)
            scale = np.asarray(factor(row_positions, centre_positions), dtype=np.float64)
            with np.errstate(over="ignore", invalid="ignore"):  # overflow and NaN go to the exact path
                row_norms = squared_norms(wanted)
                products = np.asarray(with_ones(wanted) @ weights)  # |c|^2 - 2 x.c
                error = slack * (row_norms + top)
                squares = np.square(scale)
                bounds = np.add(products, (row_norms + error)[:, None]) * squares  # upper bounds of the squares
                best = bounds.argmin(axis=1)
                bound = bounds[np.arange(best.size), best] * (1.0 + 8.0 * EPS)
                bound[~np.isfinite(bound)] = np.inf
                products += (row_norms - error)[:, None]
                np.maximum(products, 0.0, out=products)
                products *= squares  # lower bounds of the squares
                products[np.arange(best.size), best] = np.inf
                others = np.flatnonzero(~(products.min(axis=1) > bound))  # another pair might be as small
            row, column = np.arange(best.size), best
            if others.size:
                extra_row, extra_column = np.nonzero(~(products[others] > bound[others, None]))
                row, column = np.concatenate([row, others[extra_row]]), np.concatenate([column, extra_column])
            least = np.full(row_positions.size, np.inf)
            with np.errstate(over="ignore", invalid="ignore"):  # as cdist x factor: inf x 0 is NaN
                np.minimum.at(least, row, _pair_distances(wanted, row, centre_rows, column) * scale[row, column])
            current = nearest[positions]  # a view
            np.minimum(current, least, out=current)
    return nearest
