"""Query strategies by name: the ``STRATEGIES`` registry and ``resolve_strategy``.

Names used by ml-research (``random``, ``entropy``, ``breaking_ties``) work as
strings. Users pass their own functions directly; nothing is registered at run
time (the registry is read-only).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from alfunc.strategies.base import (
    BatchStrategy,
    Strategy,
    batch_strategy,
    needs_classifier,
    selects_batch,
    uses_classifier,
)
from alfunc.strategies.uncertainty import entropy, least_confident, margin, random

STRATEGIES: MappingProxyType[str, Callable] = MappingProxyType(
    {
        "random": random,
        "least_confident": least_confident,
        "margin": margin,
        "breaking_ties": margin,
        "entropy": entropy,
    }
)


def resolve_strategy(strategy: str | Callable) -> tuple[str, Callable]:
    """Return ``(name, function)`` for a registered name or a strategy function."""
    if isinstance(strategy, str):
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; expected one of {sorted(STRATEGIES)}")
        return strategy, STRATEGIES[strategy]
    if callable(strategy):
        return getattr(strategy, "__name__", type(strategy).__name__), strategy
    raise TypeError(f"strategy must be a name or a callable, got {type(strategy).__name__}")


__all__ = [
    "STRATEGIES",
    "BatchStrategy",
    "Strategy",
    "batch_strategy",
    "entropy",
    "least_confident",
    "margin",
    "needs_classifier",
    "random",
    "resolve_strategy",
    "selects_batch",
    "uses_classifier",
]
