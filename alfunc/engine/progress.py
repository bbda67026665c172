"""Watching long work: a progress bar (tqdm.auto) and a per-item callback around a lazy iterator.

tqdm is imported only when a bar is asked for, so importing alfunc never
pulls it in; ``tqdm.auto`` shows a widget in notebooks and text on stderr
elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

Item = TypeVar("Item")


def check_callback(callback: Any) -> None:
    """A callback is None or a callable taking one item.

    ``trace`` and ``run`` call it before fitting anything, so a wrong
    ``callback`` fails at once rather than after the first fit.

    Examples
    --------
    >>> from alfunc.engine.progress import check_callback
    >>> check_callback(print), check_callback(None)
    (None, None)
    >>> check_callback("print")
    Traceback (most recent call last):
    ...
    TypeError: callback must be a callable taking one argument, got str
    """
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a callable taking one argument, got {type(callback).__name__}")


def observed(
    items: Iterable[Item],
    total: int | None,
    *,
    progress: bool = False,
    callback: Callable[[Item], Any] | None = None,
    description: str | None = None,
    unit: str = "it",
) -> Iterator[Item]:
    """Yield ``items`` unchanged, lazily, ticking a bar of ``total`` and calling ``callback`` on each.

    Examples
    --------
    >>> from alfunc.engine.progress import observed
    >>> seen = []
    >>> items = observed(range(3), total=3, callback=seen.append)
    >>> seen  # lazy: nothing happens until the items are consumed
    []
    >>> list(items), seen
    ([0, 1, 2], [0, 1, 2])

    ``progress=True`` also draws a bar of ``total`` items on stderr (or a widget
    in a notebook). ``total`` is the most items there can be: when the items
    end sooner (a run stopped early), the bar's total drops to the count done.
    """
    if not progress and callback is None:
        yield from items
        return
    bar = _bar(total, description, unit) if progress else None
    try:
        for item in items:
            if callback is not None:
                callback(item)
            if bar is not None:
                bar.update(1)
            yield item
        if bar is not None and bar.total is not None and bar.n < bar.total:
            bar.total = bar.n  # the items ended early (a stopping rule): the bar ends full, not at 4/180
            bar.refresh()
    finally:
        if bar is not None:
            bar.close()


def _bar(total: int | None, description: str | None, unit: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit=unit, dynamic_ncols=True)
