"""What a strategy may look at besides the model and the candidate rows."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from alfunc.core.rng import hashed_uniform, step_generator, step_salt
from alfunc.core.state import ALState


@attrs.frozen
class Context:
    """The pool, the current state and the seeded randomness of one selection.

    ``candidates`` are the pool indices of the rows a strategy is scoring (one
    chunk of the unlabeled pool). Randomness is derived from (seed, iteration,
    purpose) and, for per-candidate draws, from the candidate's pool index, so a
    strategy gives the same utilities however the pool is chunked.
    """

    state: ALState
    X: Any = attrs.field(repr=False)
    candidates: np.ndarray = attrs.field(repr=False)
    iteration: int

    def uniform(self, purpose: str = "uniform") -> np.ndarray:
        """One uniform [0, 1) draw per candidate, fixed by (seed, iteration, purpose, index)."""
        return hashed_uniform(self.candidates, step_salt(self.state.seed, self.iteration, purpose))

    def generator(self, purpose: str) -> np.random.Generator:
        """A fresh generator for this selection; every call with a purpose gives the same stream."""
        return step_generator(self.state.seed, self.iteration, purpose)
