"""What the checks share: the failure they raise, how an example is searched for and shrunk.

A check lets hypothesis search generated examples, then runs a list of fixed
edge examples; the first broken property raises ``PropertyFailed`` (an
``AssertionError``) naming the property and showing the example: for a
generated one, the smallest hypothesis could shrink the failure to.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


class PropertyFailed(AssertionError):
    """A checked property does not hold: ``.property`` names it, ``.example`` is the (shrunk) example."""

    def __init__(self, property_name: str, detail: str, example: Any = None, description: str = ""):
        super().__init__(property_name, detail)
        self.property = property_name
        self.detail = detail
        self.example = example
        self.description = description

    def __str__(self) -> str:
        lines = [f"property {self.property!r} does not hold: {self.description}".rstrip(": "), f"  {self.detail}"]
        if self.example is not None:
            lines += ["failing example (shrunk):", *(f"  {line}" for line in str(self.example).splitlines())]
        return "\n".join(lines)


@contextmanager
def global_rng_seeded(seed: int) -> Iterator[None]:
    """Reseed numpy's and Python's global generators, restoring them afterwards.

    Code that (wrongly) draws from them gives different results under two
    seeds, which the determinism checks detect; the caller's generators are
    left as they were.
    """
    numpy_state, python_state = np.random.get_state(), random.getstate()
    np.random.seed(seed)
    random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)


def search(
    check: Callable[[Any], None],
    edges: Iterable[Any],
    examples: st.SearchStrategy,
    max_examples: int,
    properties: Mapping[str, str],
) -> None:
    """Run ``check`` on up to ``max_examples`` generated examples, then on every edge example.

    Generation is derandomized (the same examples every run, no example
    database), so a check that passes in CI keeps passing.
    """

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(examples)
    def generated(example: Any) -> None:
        _checked(check, example, properties)

    generated()
    for example in edges:
        _checked(check, example, properties)


def _checked(check: Callable[[Any], None], example: Any, properties: Mapping[str, str]) -> None:
    try:
        check(example)
    except PropertyFailed as failure:
        failure.example, failure.description = example, properties[failure.property]
        raise


def call(what: str, function: Callable, *args: Any) -> Any:
    """Call code under check; an error becomes a failure of 'runs', a write to a read-only input one of 'pure'."""
    try:
        return function(*args)
    except PropertyFailed:
        raise
    except ValueError as error:
        if "read-only" in str(error):
            raise PropertyFailed("pure", f"{what} wrote to an input array: {error}") from error
        raise PropertyFailed("runs", f"{what} raised ValueError: {error}") from error
    except Exception as error:
        raise PropertyFailed("runs", f"{what} raised {type(error).__name__}: {error}") from error


def shown(values: Any, limit: int = 8) -> str:
    """A short readable list of array values (at most ``limit``, rounded)."""
    values = np.asarray(values)
    head = np.round(values[:limit], 6) if values.dtype.kind == "f" else values[:limit]
    return f"{head.tolist()}{' ...' if values.size > limit else ''}"
