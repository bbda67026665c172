"""Oracles: where labels come from.

An oracle is a function ``indices -> labels``. In simulation it reads a label
array; in real annotation it asks a person. ``as_oracle`` turns either form into
one callable that checks what comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from alfunc.core.validation import check_labels_for

Oracle = Callable[[np.ndarray], Any]


def known_labels(oracle: Any) -> np.ndarray | None:
    """The full label array of a simulation oracle, or ``None`` for a callable one.

    Examples
    --------
    >>> from alfunc.core.oracle import known_labels
    >>> known_labels([0, 1, 1]).tolist()
    [0, 1, 1]
    >>> known_labels(lambda indices: [0] * len(indices)) is None  # a person: labels unknown ahead
    True
    """
    return None if callable(oracle) else np.asarray(oracle)


def as_oracle(oracle: Any, n_samples: int) -> Oracle:
    """Return a checked ``indices -> labels`` callable for an array ``y`` or a callable.

    An array must hold one label per pool row; a callable's answers must be 1-D
    with one label per asked index.

    Examples
    --------
    In simulation the oracle reads a label array:

    >>> import numpy as np
    >>> from alfunc.core.oracle import as_oracle
    >>> ask = as_oracle(np.array(["cat", "dog", "dog", "cat"]), n_samples=4)
    >>> ask(np.array([2, 0])).tolist()
    ['dog', 'cat']

    A callable (a person, a labelling service) has its answers checked:

    >>> ask = as_oracle(lambda indices: ["cat"], n_samples=4)
    >>> ask(np.array([1, 2]))
    Traceback (most recent call last):
    ...
    ValueError: oracle returned labels of shape (1,) for 2 indices; expected one label per index
    >>> as_oracle([0, 1, 1], n_samples=4)
    Traceback (most recent call last):
    ...
    ValueError: oracle has 3 labels but X has 4 rows
    """
    if callable(oracle):
        return _checked(oracle)
    if oracle is None or isinstance(oracle, (str, bytes)):
        raise TypeError(f"oracle must be a label array y or a callable indices -> labels, got {oracle!r}")
    y = check_labels_for(oracle, n_samples, "oracle")
    return lambda indices: y[indices]


def _checked(ask: Callable[[np.ndarray], Any]) -> Oracle:
    def ask_checked(indices: np.ndarray) -> np.ndarray:
        labels = np.asarray(ask(np.array(indices, copy=True)))
        if labels.shape != (len(indices),):
            raise ValueError(
                f"oracle returned labels of shape {labels.shape} for {len(indices)} indices; "
                "expected one label per index"
            )
        return labels

    return ask_checked
