"""Oracles: where labels come from.

An oracle is a function ``indices -> labels``. In simulation it reads a label
array; in real annotation it asks a person. ``as_oracle`` turns either form into
one callable that checks what comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from alfunc.core.frozen import readonly
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
    return None if oracle is None or callable(oracle) else np.asarray(oracle)


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
    return _checked(lambda indices: y[indices])


def _checked(ask: Callable[[np.ndarray], Any]) -> Oracle:
    def ask_checked(indices: np.ndarray) -> np.ndarray:
        labels = np.asarray(ask(np.array(indices, copy=True)))
        if labels.shape != (len(indices),):
            raise ValueError(
                f"oracle returned labels of shape {labels.shape} for {len(indices)} indices; "
                "expected one label per index"
            )
        return check_no_missing(labels, "oracle", indices)

    return ask_checked


def missing_mask(labels: Any, missing_label: Any = np.nan) -> np.ndarray:
    """True where ``labels`` holds ``missing_label`` (NaN and ``None`` match themselves).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.oracle import missing_mask
    >>> missing_mask(np.array([0.0, np.nan, 1.0])).tolist()
    [False, True, False]
    >>> missing_mask(np.array([2, -1, 0]), missing_label=-1).tolist()
    [False, True, False]
    >>> missing_mask(np.array(["cat", None], dtype=object), missing_label=None).tolist()
    [False, True]
    """
    labels = np.asarray(labels)
    if missing_label is None:
        return np.array([label is None for label in labels.ravel()], dtype=bool).reshape(labels.shape)
    if isinstance(missing_label, float) and np.isnan(missing_label):
        if labels.dtype.kind == "f":
            return np.isnan(labels)
        if labels.dtype.kind == "O":
            return np.array([isinstance(v, float) and np.isnan(v) for v in labels.ravel()], dtype=bool).reshape(
                labels.shape
            )
        return np.zeros(labels.shape, dtype=bool)
    return np.asarray(labels == missing_label, dtype=bool).reshape(labels.shape)


def check_no_missing(labels: Any, name: str, indices: Any = None) -> np.ndarray:
    """Refuse labels that are NaN or ``None``: a missing label must never be learned as a class.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.oracle import check_no_missing
    >>> check_no_missing(np.array([0, 1]), "labels").tolist()
    [0, 1]
    >>> check_no_missing(np.array([1.0, np.nan]), "labels", indices=[4, 9])
    Traceback (most recent call last):
    ...
    ValueError: labels holds a missing label (NaN or None) for pool rows [9]; label them first (see alfunc.PartialLabels)
    """
    labels = np.asarray(labels)
    missing = missing_mask(labels, np.nan) | (missing_mask(labels, None) if labels.dtype.kind == "O" else False)
    if np.any(missing):
        where = np.flatnonzero(missing) if indices is None else np.asarray(indices)[missing]
        raise ValueError(
            f"{name} holds a missing label (NaN or None) for pool rows {where[:10].tolist()}; "
            "label them first (see alfunc.PartialLabels)"
        )
    return labels


@attrs.frozen(eq=False)
class PartialLabels:
    """A simulation oracle whose label array marks unknown labels with ``missing_label``.

    Asking for a row whose label is missing raises instead of answering, so a
    missing label is never learned as a class; ``known()`` gives the rows that
    are labeled, to start a run from them (``init_step(..., initial=, labels=)``).

    Examples
    --------
    >>> import numpy as np
    >>> import alfunc as al
    >>> y = np.array([0, -1, 1, -1, 0, 1])  # -1: nobody labelled that row yet
    >>> oracle = al.PartialLabels(y, missing_label=-1)
    >>> indices, labels = oracle.known()
    >>> indices.tolist(), labels.tolist()
    ([0, 2, 4, 5], [0, 1, 0, 1])
    >>> oracle(np.array([2, 0])).tolist()
    [1, 0]
    >>> oracle(np.array([1, 2]))
    Traceback (most recent call last):
    ...
    ValueError: oracle has no label for pool rows [1] (they hold missing_label=-1); label them or use a callable oracle
    """

    y: np.ndarray = attrs.field(converter=readonly)
    missing_label: Any = np.nan

    def known(self) -> tuple[np.ndarray, np.ndarray]:
        """The pool indices whose label is known, and those labels."""
        indices = np.flatnonzero(~missing_mask(self.y, self.missing_label))
        return indices, self.y[indices]

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        labels = self.y[indices]
        missing = missing_mask(labels, self.missing_label)
        if missing.any():
            raise ValueError(
                f"oracle has no label for pool rows {np.asarray(indices)[missing][:10].tolist()} "
                f"(they hold missing_label={self.missing_label!r}); label them or use a callable oracle"
            )
        return labels
