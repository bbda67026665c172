"""Explicit randomness: every step derives its own generator from the root seed.

A run carries one integer of root entropy. The generator of a step is a pure
function of (root entropy, iteration, purpose), built with
``numpy.random.SeedSequence``; no global or shared mutable RNG is ever used, so
the same seed gives the same run bit for bit, and any step can be replayed alone.
"""

from __future__ import annotations

import numbers
import zlib
from typing import cast

import numpy as np

_UINT64 = np.uint64


def root_entropy(random_state: int | np.random.Generator | np.random.RandomState | None) -> int:
    """Turn a scikit-learn style ``random_state`` into a non-negative integer seed.

    ``None`` draws fresh OS entropy (recorded in the state, so the run stays
    replayable); a ``Generator`` or ``RandomState`` is asked for 128 bits once.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.rng import root_entropy
    >>> root_entropy(7)
    7
    >>> root_entropy(np.random.default_rng(0)) == root_entropy(np.random.default_rng(0))
    True
    >>> root_entropy(None) >= 0  # fresh entropy, different every call
    True
    >>> root_entropy(-1)
    Traceback (most recent call last):
    ...
    ValueError: random_state must be a non-negative integer, got -1
    >>> root_entropy(0.5)
    Traceback (most recent call last):
    ...
    TypeError: random_state must be None, a non-negative int, a numpy Generator or RandomState; got float
    """
    if random_state is None:
        # Made without entropy, a SeedSequence draws an int; numpy types .entropy as any entropy input it accepts.
        return int(cast(int, np.random.SeedSequence().entropy))
    if isinstance(random_state, np.random.Generator):
        high, low = random_state.integers(0, 2**63, size=2, dtype=np.int64)
        return (int(high) << 63) | int(low)
    if isinstance(random_state, np.random.RandomState):
        high, low = random_state.randint(0, 2**63, size=2, dtype=np.int64)
        return (int(high) << 63) | int(low)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}")
        return int(random_state)
    raise TypeError(
        "random_state must be None, a non-negative int, a numpy Generator or RandomState; "
        f"got {type(random_state).__name__}"
    )


def purpose_code(purpose: str) -> int:
    """A stable integer for a purpose name (``hash`` is salted per process; crc32 is not).

    Examples
    --------
    >>> from alfunc.core.rng import purpose_code
    >>> purpose_code("init")  # the same in every process and on every machine
    3329549428
    >>> purpose_code("init") == purpose_code("tie-break")
    False
    """
    return zlib.crc32(purpose.encode("utf-8"))


def step_seed(seed: int, iteration: int, purpose: str) -> np.random.SeedSequence:
    """The seed sequence of one step: independent streams per (iteration, purpose).

    Examples
    --------
    >>> from alfunc.core.rng import purpose_code, step_seed
    >>> sequence = step_seed(0, 3, "init")
    >>> sequence.entropy, sequence.spawn_key == (3, purpose_code("init"))
    (0, True)
    """
    return np.random.SeedSequence(seed, spawn_key=(int(iteration), purpose_code(purpose)))


def step_generator(seed: int, iteration: int, purpose: str) -> np.random.Generator:
    """A fresh generator for one step; calling it twice gives two equal generators.

    Examples
    --------
    >>> from alfunc.core.rng import step_generator
    >>> first = step_generator(0, 1, "init").random(3)
    >>> again = step_generator(0, 1, "init").random(3)
    >>> other = step_generator(0, 2, "init").random(3)  # another iteration, another stream
    >>> bool((first == again).all()), bool((first == other).any())
    (True, False)
    """
    return np.random.Generator(np.random.PCG64(step_seed(seed, iteration, purpose)))


def step_salt(seed: int, iteration: int, purpose: str) -> int:
    """A 64-bit salt for index hashing, derived like the step generators.

    Examples
    --------
    >>> from alfunc.core.rng import step_salt
    >>> salt = step_salt(0, 1, "tie-break")
    >>> 0 <= salt < 2**64, salt == step_salt(0, 1, "tie-break"), salt == step_salt(0, 2, "tie-break")
    (True, True, False)
    """
    return int(step_seed(seed, iteration, purpose).generate_state(1, np.uint64)[0])


def hashed_uniform(indices: np.ndarray, salt: int) -> np.ndarray:
    """Uniform floats in [0, 1), one per pool index, from a keyed splitmix64 hash.

    The value of an index depends only on (index, salt), never on which other
    indices are hashed alongside it, so chunked and unchunked passes over a
    pool draw exactly the same numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.rng import hashed_uniform
    >>> hashed_uniform(np.arange(5), salt=7).round(3).tolist()
    [0.39, 0.74, 0.387, 0.431, 0.113]
    >>> hashed_uniform(np.arange(2, 5), salt=7).round(3).tolist()  # same value per index
    [0.387, 0.431, 0.113]
    """
    z = np.asarray(indices, dtype=np.int64).astype(_UINT64) ^ _UINT64(salt)
    with np.errstate(over="ignore"):
        z = z + _UINT64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> _UINT64(30))) * _UINT64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> _UINT64(27))) * _UINT64(0x94D049BB133111EB)
        z = z ^ (z >> _UINT64(31))
    return (z >> _UINT64(11)).astype(np.float64) * (1.0 / (1 << 53))
