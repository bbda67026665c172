"""Seeded subsamples of pool indices that do not depend on order or chunking, read in bounded memory.

Strategies whose cost grows faster than the pool (TypiClust's and ProbCover's
neighbourhoods, EER's refits) work on a subsample beyond a documented size.
The subsample is the ``size`` indices with the smallest keyed hash
(``alfunc.core.rng.hashed_uniform``) for the selection's (seed, iteration,
purpose): fixed by the indices themselves, so every chunk of a pool agrees on
it and the same state always gives the same subsample. It is read a block of
indices at a time, so memory is the subsample plus one block, not the pool.
"""

from __future__ import annotations

import numpy as np

from alfunc.core.rng import hashed_uniform, step_salt

BLOCK = 1 << 14


def hashed_subset(indices: np.ndarray, size: int | None, seed: int, iteration: int, purpose: str) -> np.ndarray:
    """The ``size`` of ``indices`` with the smallest seeded hash, in increasing order (all when ``size`` is None or too big).

    Ties of the hash (rare: 53-bit draws) go to the lower index. Memory:
    at most ``2 size`` plus ``BLOCK`` indices and draws, whatever the number of
    indices; once ``size`` are kept, a block keeps only the draws at or below
    the largest kept one.

    Parameters
    ----------
    indices : ndarray of int
        Distinct pool indices to draw from, in any order.
    size : int or None
        How many to keep (``None``: all).
    seed : int
        The state's root seed.
    iteration : int
        The iteration the selection is for.
    purpose : str
        Names the subsample, so different uses draw independently.

    Returns
    -------
    ndarray of int64
        The kept indices, increasing.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.strategies.subsample import hashed_subset
    >>> pool = np.arange(100, 120)
    >>> kept = hashed_subset(pool, 5, seed=0, iteration=1, purpose="demo")
    >>> kept.size, bool(np.isin(kept, pool).all()), bool((np.diff(kept) > 0).all())
    (5, True, True)
    >>> hashed_subset(pool[::-1], 5, seed=0, iteration=1, purpose="demo").tolist() == kept.tolist()  # any order
    True
    >>> hashed_subset(pool, 5, seed=0, iteration=2, purpose="demo").tolist() == kept.tolist()  # a new draw
    False
    >>> hashed_subset(pool, None, seed=0, iteration=1, purpose="demo").tolist() == pool.tolist()
    True
    """
    indices = np.asarray(indices, dtype=np.int64)
    if size is None or size >= indices.size:
        return np.sort(indices)
    salt = step_salt(seed, iteration, purpose)
    kept, draws = [np.empty(0, dtype=np.int64)], [np.empty(0)]
    n_kept, cut = 0, np.inf  # once ``size`` are kept, a draw above the cut can never make it
    for start in range(0, indices.size, BLOCK):
        part = indices[start : start + BLOCK]
        part_draws = hashed_uniform(part, salt)
        near = part_draws <= cut
        kept.append(part[near])
        draws.append(part_draws[near])
        n_kept += int(near.sum())
        if n_kept > 2 * size or start + BLOCK >= indices.size:
            pooled, pooled_draws = np.concatenate(kept), np.concatenate(draws)
            best = np.lexsort((pooled, pooled_draws))[:size]
            kept, draws, n_kept = [pooled[best]], [pooled_draws[best]], best.size
            cut = float(pooled_draws[best].max()) if best.size == size else np.inf
    return np.sort(kept[0])
