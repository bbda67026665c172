"""Immutable containers: read-only arrays and a small frozen mapping.

States and records hold these so that nothing reachable from an ``ALState``
can be changed in place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np


def readonly(values: Any, dtype: Any = None) -> np.ndarray:
    """Return a read-only copy of ``values``: later writes by the caller cannot reach it."""
    return freeze(np.array(values, dtype=dtype, copy=True))


def freeze(array: np.ndarray) -> np.ndarray:
    """Mark an array that this library has just created as read-only, in place."""
    array.flags.writeable = False
    return array


def arrays_equal(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Exact equality of two arrays (shape, dtype kind and values; NaN == NaN)."""
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def maps_equal(a: Mapping, b: Mapping) -> bool:
    """Equality of two mappings where NaN equals NaN (a scorer may return NaN; the run is still equal)."""
    return a.keys() == b.keys() and all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)


class FrozenMap(Mapping):
    """A read-only, picklable, hashable ``str -> value`` mapping that keeps order."""

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
