"""Oracles: where labels come from.

An oracle is a function ``indices -> labels``. In simulation it reads a label
array; in real annotation it asks a person. ``as_oracle`` turns either form into
one callable that checks what comes back.
"""

from __future__ import annotations

import numbers
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


def check_label_array(y: Any, name: str = "oracle") -> np.ndarray:
    """Refuse a simulation oracle's label array that marks some labels as unknown instead of giving them.

    Checked once, before any fit, by ``init_step``, ``trace`` and
    ``StandardAL``: a label array must label every pool row. Two markers of an
    unknown label are refused, with the rows and the way to go on:

    * NaN or ``None`` anywhere (the rows, first 10, are named);
    * ``-1`` in an integer array whose other labels are all ``>= 0``
      (scikit-activeml's marker for an unknown label, which would be learned as
      a class), unless the labels are exactly ``{-1, 1}``, the classic binary
      encoding. With other negative labels, ``-1`` is an ordinary value.

    To start from the labels you have, wrap the array in
    ``alfunc.PartialLabels`` (it refuses to answer for unknown rows, and its
    ``known()`` gives ``initial`` and ``labels`` for ``init_step``); if ``-1``
    really is a class, pass a callable oracle, ``lambda indices: y[indices]``.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.oracle import check_label_array
    >>> check_label_array(np.array([0, 2, 1])).tolist()
    [0, 2, 1]
    >>> check_label_array(np.array([-1, 1, 1, -1])).tolist()  # the classic binary encoding
    [-1, 1, 1, -1]
    >>> check_label_array(np.array([0.0, np.nan, 1.0, np.nan]), "y")
    Traceback (most recent call last):
    ...
    ValueError: y holds a missing label (NaN or None) for pool rows [1, 3] (2 rows in all): a label array must ...
    >>> check_label_array(np.array([0, -1, 1, 2]))
    Traceback (most recent call last):
    ...
    ValueError: oracle holds -1 together with other labels (1 row, e.g. pool rows [1]): -1 is scikit-activeml's marker ...
    """
    y = np.asarray(y)
    missing = missing_mask(y, np.nan) | (missing_mask(y, None) if y.dtype.kind == "O" else False)
    if np.any(missing):
        rows = np.flatnonzero(missing)
        raise ValueError(
            f"{name} holds a missing label (NaN or None) for pool rows {rows[:10].tolist()} "
            f"({_rows(rows.size)} in all): "
            "a label array must label every row. To start from the labels you have, pass "
            "oracle = alfunc.PartialLabels(y) (it never answers for an unlabeled row) and "
            "init_step(X, oracle, initial=indices, labels=labels) with indices, labels = oracle.known()"
        )
    if y.dtype.kind == "i" and y.size:
        marked = y == -1
        others = y[~marked]
        if marked.any() and others.size and others.min() >= 0 and not (others == 1).all():
            rows = np.flatnonzero(marked)
            raise ValueError(
                f"{name} holds -1 together with other labels ({_rows(rows.size)}, e.g. pool rows "
                f"{rows[:10].tolist()}): -1 is scikit-activeml's marker for an unknown label and would be learned "
                "as a class. If -1 marks unknown labels, pass alfunc.PartialLabels(y, missing_label=-1) as the "
                "oracle (its known() gives the labeled rows); if -1 really is a class, pass a callable oracle "
                "(lambda indices: y[indices])"
            )
    return y


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def label_kind(labels: Any) -> str | None:
    """``"number"`` or ``"text"`` for labels of one kind, ``None`` when they mix kinds or are neither.

    ``teach`` refuses labels of another kind than the state's: concatenating
    numbers and strings would silently turn every earlier label into a string.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.oracle import label_kind
    >>> label_kind(np.array([0, 1])), label_kind(np.array([0.0, 1.0])), label_kind(np.array([True]))
    ('number', 'number', 'number')
    >>> label_kind(np.array(["cat"])), label_kind(np.array(["cat", "dog"], dtype=object))
    ('text', 'text')
    >>> label_kind(np.array([1, "cat"], dtype=object)) is None  # mixed: nothing to compare with
    True
    """
    labels = np.asarray(labels)
    kind = labels.dtype.kind
    if kind in "biufc":
        return "number"
    if kind in "US":
        return "text"
    if kind != "O":
        return None
    kinds = {_value_kind(value) for value in set(map(type, labels.ravel().tolist()))}
    return kinds.pop() if len(kinds) == 1 else None


_KIND_NAMES = {"number": "numbers", "text": "text"}


def _value_kind(value_type: type) -> str | None:
    if issubclass(value_type, (str, bytes, np.str_, np.bytes_)):
        return "text"
    if issubclass(value_type, numbers.Number):
        return "number"
    return None


def check_label_kind(labels: Any, previous: Any, name: str = "labels") -> np.ndarray:
    """Refuse ``labels`` whose kind (numbers or text) differs from the ``previous`` labels', naming both dtypes.

    Integers and floats are both numbers, so ``[2.0]`` joins ``[0, 1]``;
    ``["cat"]`` does not.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.oracle import check_label_kind
    >>> check_label_kind(np.array([2.0]), np.array([0, 1])).tolist()
    [2.0]
    >>> check_label_kind(np.array(["cat"]), np.array([0, 1]))
    Traceback (most recent call last):
    ...
    TypeError: labels have dtype <U3 (text) but the state's labels have dtype int64 (numbers); ...
    """
    labels = np.asarray(labels)
    previous = np.asarray(previous)
    if labels.size == 0 or previous.size == 0:
        return labels
    new, old = label_kind(labels), label_kind(previous)
    if new is not None and old is not None and new != old:
        raise TypeError(
            f"{name} have dtype {labels.dtype} ({_KIND_NAMES[new]}) but the state's labels have dtype "
            f"{previous.dtype} ({_KIND_NAMES[old]}); mixing them would turn every label into a string. "
            "Give labels of the same kind as the earlier ones"
        )
    return labels


def replaced_labels(labels: Any, positions: Any, values: Any) -> np.ndarray:
    """A copy of ``labels`` with ``values`` at ``positions``, in a dtype that holds both (no truncated text).

    Parameters
    ----------
    labels : array-like
        The labels to copy; never modified.
    positions : array-like of int
        Where to put the new values (later positions win when one repeats).
    values : array-like
        One new label per position.

    Returns
    -------
    numpy.ndarray
        The new labels.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.oracle import replaced_labels
    >>> old = np.array(["cat", "dog"])
    >>> replaced_labels(old, [0], ["horse"]).tolist(), old.tolist()  # "horse" does not fit <U3
    (['horse', 'dog'], ['cat', 'dog'])
    """
    labels, values = np.asarray(labels), np.asarray(values)
    replaced = labels.astype(np.result_type(labels.dtype, values.dtype), copy=True)
    replaced[np.asarray(positions, dtype=np.int64)] = values
    return replaced


@attrs.frozen(eq=False)
class PartialLabels:
    """A simulation oracle whose label array marks unknown labels with ``missing_label``.

    Asking for a row whose label is missing raises instead of answering, so a
    missing label is never learned as a class; ``known()`` gives the rows that
    are labeled, to start a run from them (``init_step(..., initial=, labels=)``).

    Parameters
    ----------
    y : array-like
        One label per pool row, ``missing_label`` where unknown.
    missing_label : object, default=nan
        The marker of an unknown label (NaN, ``None``, ``-1``, ``""``, ...).

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
