"""Immutable containers: read-only arrays and a small frozen mapping.

States and records hold these so that nothing reachable from an ``ALState``
can be changed in place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np


def readonly(values: Any, dtype: Any = None) -> np.ndarray:
    """Return a read-only copy of ``values``: later writes by the caller cannot reach it.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.frozen import readonly
    >>> values = np.array([3, 1, 2])
    >>> kept = readonly(values, dtype=np.int64)
    >>> values[0] = 99  # the caller's array is still writable; the copy is unaffected
    >>> kept.tolist(), kept.flags.writeable
    ([3, 1, 2], False)
    >>> kept[0] = 0
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    """
    return freeze(np.array(values, dtype=dtype, copy=True))


def freeze(array: np.ndarray) -> np.ndarray:
    """Mark an array that this library has just created as read-only, in place.

    Unlike ``readonly`` it does not copy, so use it only on an array nobody else
    holds.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.frozen import freeze
    >>> mask = np.zeros(4, dtype=bool)
    >>> frozen = freeze(mask)
    >>> frozen is mask, mask.flags.writeable
    (True, False)
    """
    array.flags.writeable = False
    return array


def arrays_equal(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Exact equality of two arrays (shape, dtype kind and values; NaN == NaN).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.core.frozen import arrays_equal
    >>> utilities = np.array([0.5, np.nan])
    >>> arrays_equal(utilities, np.array([0.5, np.nan]))  # NaN, for a point not chosen by utility
    True
    >>> arrays_equal(np.array([1, 2]), np.array([[1, 2]]))  # shapes differ
    False
    >>> arrays_equal(None, None), arrays_equal(None, np.array([]))
    (True, False)
    """
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == b.dtype.kind == "f"))


def maps_equal(a: Mapping, b: Mapping) -> bool:
    """Equality of two mappings where NaN equals NaN (a scorer may return NaN; the run is still equal).

    Examples
    --------
    >>> from alfunc.core.frozen import maps_equal
    >>> a = {"train_score": 1.0, "test_score": float("nan")}
    >>> b = {"train_score": 1.0, "test_score": float("nan")}
    >>> a == b, maps_equal(a, b)
    (False, True)
    >>> maps_equal(a, {"train_score": 1.0})  # the keys must match too
    False
    """
    return a.keys() == b.keys() and all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)


class FrozenMap(Mapping):
    """A read-only, picklable, hashable ``str -> value`` mapping that keeps order.

    Records hold their scores and timings, and histories their run facts, in one.

    Parameters
    ----------
    items : mapping, default=None
        The ``str -> value`` entries, in order.

    Examples
    --------
    >>> import pickle
    >>> from alfunc.core.frozen import FrozenMap
    >>> scores = FrozenMap({"train_score": 0.9, "test_score": 0.8})
    >>> list(scores), scores["test_score"]
    (['train_score', 'test_score'], 0.8)
    >>> scores == {"train_score": 0.9, "test_score": 0.8}  # equal to a dict with the same items
    True
    >>> pickle.loads(pickle.dumps(scores)) == scores, len({scores: "hashable"})
    (True, 1)
    >>> scores["test_score"] = 1.0
    Traceback (most recent call last):
    ...
    TypeError: 'FrozenMap' object does not support item assignment
    """

    __slots__ = ("_items",)
    _items: dict[str, Any]

    def __init__(self, items: Mapping[str, Any] | None = None, /) -> None:
        object.__setattr__(self, "_items", dict(items or {}))

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FrozenMap is immutable")

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self) -> tuple[type[FrozenMap], tuple[dict[str, Any]]]:
        return (FrozenMap, (self._items,))
