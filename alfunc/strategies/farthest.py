"""Greedy batch construction shared by the distance-based batch strategies.

Each pick maximises a utility derived from ``nearest``: every candidate's
distance to the closest point already covered (the labeled set, then also the
picks so far). After a pick, ``nearest`` shrinks by the distance to the new
point. Distances are measured in the run's representation (a ``Features``
object, see ``alfunc.strategies.pooled``). One rule holds for every strategy built here: a candidate identical (in the
representation) to a point already in the batch is never picked while a distinct candidate
remains, so batches hold no duplicate rows unless the pool forces it.

Each pick costs one pass over the candidates' feature rows, read as runs of
consecutive pool rows (no gather, no copy of a float64 array) with exact
distances decided as ``alfunc.strategies.nearest`` describes: the picks are
those of computing every distance with ``cdist``. A strategy with its own
``pick_distance`` (the output-space greedy sampling) asks only for the
distances that can matter, and copies of a pick are found by a digest per
row, computed once. Memory: the per-candidate vectors (distances, their
squared norms, digests, flags) and one chunk.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from alfunc.core.representation import Features
from alfunc.strategies.nearest import (
    Coverage,
    PoolRows,
    distances_within,
    identical_rows,
    pass_step,
    row_digests,
    row_vector,
)

Tie = np.ndarray | Callable[[np.ndarray], np.ndarray]  # draws per position, or a function of positions giving them
GapsWithin = Callable[[np.ndarray], np.ndarray]
BEST_STEP = 1 << 16

PickDistance = Callable[[int, GapsWithin, np.ndarray], np.ndarray]
Utility = Callable[[np.ndarray, int], np.ndarray]


def greedy_batch(
    features: Features,
    candidates: np.ndarray,
    k: int,
    tie: Tie,
    nearest: np.ndarray,
    pick_distance: PickDistance | None = None,
    utility: Utility | None = None,
    owned: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (into ``candidates``) of ``k`` greedy picks, best first, and their utilities.

    ``nearest`` holds each candidate's starting distance to the labeled set.
    ``pick_distance(position, gaps_within, nearest)`` gives each candidate's
    distance to a new pick (default: its Euclidean distance in ``features``);
    ``gaps_within(limit)`` gives that Euclidean distance exactly wherever it may
    be below ``limit`` (one limit per candidate) and ``inf`` elsewhere, and
    ``nearest`` is read only;
    ``utility(nearest, n_picked)`` turns distances into utilities (default:
    the distances themselves, i.e. farthest-first). ``tie`` breaks ties: a
    draw per candidate, or a function giving the draws of some positions
    (``functools.partial(context.uniform, purpose)``: no pool-sized vector).
    ``owned=True`` lets the batch lower ``nearest`` in place instead of a copy
    (for a caller that made it only for this call: one pool-sized vector less).

    Examples
    --------
    Farthest-first on a line where row 0 is labeled: 7.0 is farthest from 0,
    then 3.0 is 3 away from both 0 and 7:

    >>> import numpy as np
    >>> from alfunc.core.representation import stored_features
    >>> from alfunc.strategies.farthest import greedy_batch
    >>> from alfunc.strategies.pooled import nearest_distances
    >>> X = np.array([[0.0], [1.0], [3.0], [7.0]])
    >>> features = stored_features(X)
    >>> candidates = np.array([1, 2, 3])
    >>> nearest = nearest_distances(features, candidates, np.array([0]))
    >>> nearest.tolist()
    [1.0, 3.0, 7.0]
    >>> picks, values = greedy_batch(features, candidates, 2, np.zeros(3), nearest)
    >>> X[candidates[picks], 0].tolist(), values.tolist()
    ([7.0, 3.0], [7.0, 3.0])

    Whatever the utility, a copy of a row already in the batch waits until no
    distinct candidate is left (here rows 1 and 2 are both 5.0):

    >>> features = stored_features(np.array([[0.0], [5.0], [5.0], [1.0]]))
    >>> favour_fives = lambda nearest, n_picked: np.array([1.0, 1.0, 0.0])
    >>> tie = np.array([0.2, 0.9, 0.5])
    >>> nearest = nearest_distances(features, candidates, np.array([0]))
    >>> picks, _ = greedy_batch(features, candidates, 2, tie, nearest, utility=favour_fives)
    >>> candidates[picks].tolist()
    [2, 3]
    """
    rows = PoolRows(features, candidates, pass_step(features))
    if pick_distance is None and k > 1:
        coverage = Coverage.start(rows, nearest, copy=not owned)
        nearest, copies = coverage.nearest, coverage.copies  # updated in place by coverage.add
    else:
        nearest, copies = np.array(nearest, dtype=np.float64), np.zeros(candidates.size, dtype=bool)
        digests = row_digests(rows) if k > 1 else np.empty(0, dtype=np.uint64)
        norms = functools.cache(rows.squared_norms)  # computed the first time a distance is asked for
    available = np.ones(candidates.size, dtype=bool)
    picks, values = np.empty(k, dtype=np.int64), np.empty(k)
    for step in range(k):
        value = nearest if utility is None else utility(nearest, step)
        fresh = available & ~copies
        pick = best_position(value, fresh if fresh.any() else available, tie)
        picks[step], values[step] = pick, value[pick]
        available[pick] = False
        if step + 1 < k:
            centre = row_vector(features, int(candidates[pick]))
            if pick_distance is None:
                coverage.add(centre)
            else:
                same = np.flatnonzero(digests == digests[pick])
                copies[same[identical_rows(features, candidates[same], centre)]] = True

                def gaps_within(limit: np.ndarray, centre: np.ndarray = centre) -> np.ndarray:
                    return distances_within(rows, centre, limit, norms())

                np.minimum(nearest, pick_distance(pick, gaps_within, nearest), out=nearest)
    return picks, values


def best_position(value: np.ndarray, eligible: np.ndarray, tie: Tie) -> int:
    """The eligible position of highest value; ties go to the highest ``tie`` draw (an array, or a function of positions).

    Read in blocks of ``BEST_STEP`` positions: the only temporaries are a block's.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.farthest import best_position
    >>> value = np.array([1.0, 3.0, 3.0, 2.0])
    >>> tie = np.array([0.1, 0.2, 0.9, 0.5])
    >>> best_position(value, np.ones(4, dtype=bool), tie)  # two 3.0: the higher draw wins
    2
    >>> best_position(value, np.array([True, True, False, True]), tie)
    1
    >>> best_position(value, np.ones(4, dtype=bool), lambda positions: tie[positions])
    2
    """
    best, tops = -np.inf, [np.empty(0, dtype=np.int64)]
    for start in range(0, value.size, BEST_STEP):
        masked = np.where(eligible[start : start + BEST_STEP], value[start : start + BEST_STEP], -np.inf)
        highest = masked.max()
        if highest > best:
            best, tops = highest, []
        if highest == best:
            tops.append(start + np.flatnonzero(masked == highest))
    top = np.concatenate(tops)
    top = top[eligible[top]]
    return int(top[np.argmax(tie_draws(tie, top))])


def tie_draws(tie: Tie, positions: np.ndarray) -> np.ndarray:
    """The tie draws of ``positions``: indexed from an array, or asked of a function.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.farthest import tie_draws
    >>> tie_draws(np.array([0.5, 0.1, 0.9]), np.array([2, 0])).tolist(), tie_draws(lambda p: p / 10, np.array([3])).tolist()
    ([0.9, 0.5], [0.3])
    """
    return tie(positions) if callable(tie) else np.asarray(tie)[positions]
