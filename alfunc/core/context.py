"""What a strategy may look at besides the model and the candidate rows: pool, state, randomness, geometry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import attrs
import numpy as np

from alfunc.core.representation import Features, features_for
from alfunc.core.rng import hashed_uniform, step_generator, step_salt
from alfunc.core.state import ALState

Item = TypeVar("Item")


@attrs.frozen
class Context:
    """The pool, the current state and the seeded randomness of one selection.

    ``candidates`` are the pool indices of the rows a strategy is scoring (one
    chunk of the unlabeled pool). Randomness is derived from (seed, iteration,
    purpose) and, for per-candidate draws, from the candidate's pool index, so a
    strategy gives the same utilities however the pool is chunked.

    Parameters
    ----------
    state : ALState
        The state being selected from.
    X : array-like, sparse matrix, DataFrame or list
        The whole pool.
    candidates : ndarray of int
        Pool indices of the rows being scored.
    iteration : int
        The iteration the selection is for (seeds its randomness).
    representation : object, default=None
        The run's representation, read by ``features``.
    progress : bool, default=False
        Whether a long strategy should show its progress (``select(..., progress=True)``); see ``ticking``.

    Examples
    --------
    ``select`` builds one per chunk and passes it to the strategy as its third
    argument; a strategy that needs randomness takes it from there:

    >>> import numpy as np
    >>> import alfunc as al
    >>> X = np.arange(16.0).reshape(8, 2)
    >>> y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    >>> state = al.init_step(X, y, n_init=2, random_state=0)
    >>> context = al.Context(state, X, candidates=state.unlabeled(), iteration=1)
    >>> draws = context.uniform()
    >>> draws.shape, bool(((draws >= 0) & (draws < 1)).all())
    ((6,), True)
    >>> half = al.Context(state, X, candidates=state.unlabeled()[3:], iteration=1)
    >>> bool((half.uniform() == draws[3:]).all())  # one draw per pool index, whatever the chunk
    True
    >>> context.generator("noise").random() == context.generator("noise").random()
    True

    Strategies that measure distances read rows in the run's representation
    (``"input"`` here, a numeric pool; see ``alfunc.core.representation``):

    >>> context.features(np.array([0, 7])).tolist()
    [[0.0, 1.0], [14.0, 15.0]]

    A strategy is any ``(model, X_candidates, context) -> utilities``:

    >>> def coin_flip(model, X_candidates, context):
    ...     return context.uniform("coin")
    >>> al.select(state, X, coin_flip, batch_size=2).shape
    (2,)
    """

    state: ALState
    X: Any = attrs.field(repr=False)
    candidates: np.ndarray = attrs.field(repr=False)
    iteration: int
    representation: Any = attrs.field(default=None, repr=False)
    progress: bool = attrs.field(default=False, repr=False, kw_only=True)

    @property
    def embedding(self) -> Features:
        """The run's representation as ``Features`` (see ``alfunc.core.representation``)."""
        return features_for(self.representation, self.X, self.state.model)

    def features(self, indices: np.ndarray | None = None) -> np.ndarray:
        """Dense float64 feature rows of pool ``indices`` (default: the candidates) in the run's representation.

        Read wide or computed features a chunk at a time (``alfunc.strategies.pooled.chunks``).
        """
        return self.embedding.rows(self.candidates if indices is None else indices)

    def uniform(self, purpose: str = "uniform", positions: np.ndarray | None = None) -> np.ndarray:
        """One uniform [0, 1) draw per candidate, fixed by (seed, iteration, purpose, index).

        With ``positions`` (into the candidates), just those draws: the same
        numbers as ``uniform(purpose)[positions]``, without a pool-sized vector.
        """
        indices = self.candidates if positions is None else self.candidates[positions]
        return hashed_uniform(indices, step_salt(self.state.seed, self.iteration, purpose))

    def generator(self, purpose: str) -> np.random.Generator:
        """A fresh generator for this selection; every call with a purpose gives the same stream."""
        return step_generator(self.state.seed, self.iteration, purpose)

    def ticking(
        self, items: Iterable[Item], total: int | None = None, description: str | None = None
    ) -> Iterator[Item]:
        """Yield ``items`` unchanged; with ``progress`` on, tick a progress bar (tqdm.auto) on each.

        A strategy whose query is long (refits, clustering, a greedy batch)
        wraps its loop in it; with ``progress`` off (the default) it costs
        nothing, and tqdm is imported only when a bar is drawn. The bar is
        removed when the loop ends, leaving the run's own bar of fits.

        Examples
        --------
        >>> import numpy as np
        >>> import alfunc as al
        >>> X = np.arange(8.0).reshape(4, 2)
        >>> state = al.init_step(X, np.array([0, 1, 0, 1]), n_init=2, random_state=0)
        >>> context = al.Context(state, X, state.unlabeled(), 1)
        >>> list(context.ticking(range(3), total=3, description="refits"))
        [0, 1, 2]
        """
        if not self.progress:
            yield from items
            return
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=description, leave=False, dynamic_ncols=True)
        try:
            for item in items:
                yield item
                bar.update(1)
        finally:
            bar.close()
