"""``top_k``: the best entries by utility, ties broken by a seeded hash of the index.

Every selection ends here, whether it streams chunks (``alfunc.engine.selection``)
or scores the whole candidate set at once (the combinators in
``alfunc.strategies.algebra``). A hash of the pool index, keyed by the step's
salt, breaks ties, so a batch depends neither on the chunk size nor on the order
of the pool, and does not favour low or high indices.
"""

from __future__ import annotations

import numpy as np

from alfunc.core.rng import hashed_uniform


def top_k(indices: np.ndarray, utilities: np.ndarray, k: int, salt: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` entries of highest utility, best first; ties by a seeded hash of the index.

    The order is (utility, hash) descending, then index ascending. Only the
    entries that can make the cut are sorted: those above the k-th utility, and
    of those tied with it only the ones whose hash can still win. So a chunk
    where most utilities tie (a saturated or constant model) costs a partition,
    not a sort.

    Parameters
    ----------
    indices : ndarray of int
        Pool indices of the entries.
    utilities : ndarray of float
        Their utilities.
    k : int
        How many to keep.
    salt : int
        Seed of the tie-breaking hash.

    Returns
    -------
    indices : ndarray of int
        The ``k`` best, best first.
    utilities : ndarray of float
        Their utilities.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.ranking import top_k
    >>> indices = np.array([10, 11, 12, 13, 14])
    >>> utilities = np.array([0.2, 0.9, 0.5, 0.9, 0.1])
    >>> best, best_utilities = top_k(indices, utilities, 3, salt=0)
    >>> best.tolist(), best_utilities.tolist()  # 11 and 13 tie: the salted hash orders them
    ([13, 11, 12], [0.9, 0.9, 0.5])

    When every utility ties, the salt decides, not the index order:

    >>> top_k(np.arange(10), np.zeros(10), 3, salt=0)[0].tolist()
    [0, 6, 9]
    >>> top_k(np.arange(10), np.zeros(10), 3, salt=5)[0].tolist()
    [5, 8, 3]
    """
    if utilities.size > k:
        kth_largest = np.partition(utilities, utilities.size - k)[utilities.size - k]
        above = np.flatnonzero(utilities > kth_largest)
        tied = np.flatnonzero(utilities == kth_largest)
        places = k - above.size
        if tied.size > places:
            hashes = hashed_uniform(indices[tied], salt)
            cut = np.partition(hashes, tied.size - places)[tied.size - places]
            tied = tied[hashes >= cut]
        keep = np.concatenate([above, tied])
        indices, utilities = indices[keep], utilities[keep]
    order = np.lexsort((indices, -hashed_uniform(indices, salt), -utilities))[:k]
    return indices[order], utilities[order]
