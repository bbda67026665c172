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
    """A checked property does not hold: ``.property`` names it, ``.example`` is the (shrunk) example.

    Parameters
    ----------
    property_name : str
        The broken property.
    detail : str
        What went wrong.
    example : object, default=None
        The (shrunk) example it failed on.
    description : str, default=""
        The example, described for the message.

    Examples
    --------
    >>> from alfunc.testing import PropertyFailed
    >>> failure = PropertyFailed(
    ...     "finite",
    ...     "it returned [nan] for 1 candidate(s): NaN or +inf",
    ...     example="X = [[0.0], [0.0]]",
    ...     description="one utility per candidate, none NaN or +inf",
    ... )
    >>> isinstance(failure, AssertionError), failure.property  # pytest reports it as a failed assertion
    (True, 'finite')
    >>> print(failure)
    property 'finite' does not hold: one utility per candidate, none NaN or +inf
      it returned [nan] for 1 candidate(s): NaN or +inf
    failing example (shrunk):
      X = [[0.0], [0.0]]
    """

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

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.testing.report import global_rng_seeded
    >>> before = np.random.get_state()[1].copy()
    >>> with global_rng_seeded(0):
    ...     first = np.random.random()
    >>> with global_rng_seeded(0):
    ...     again = np.random.random()
    >>> with global_rng_seeded(1):
    ...     other = np.random.random()
    >>> first == again, first == other  # code drawing from np.random follows the global seed
    (True, False)
    >>> bool((np.random.get_state()[1] == before).all())  # the caller's generator is restored
    True
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

    Examples
    --------
    A check of integers that breaks above 10: hypothesis shrinks the failure to 11.

    >>> from hypothesis import strategies as st
    >>> from alfunc.testing.report import PropertyFailed, search
    >>> def check(n):
    ...     if n > 10:
    ...         raise PropertyFailed("small", f"{n} is more than 10")
    >>> try:
    ...     search(check, [0, 10], st.integers(), max_examples=20, properties={"small": "numbers stay at most 10"})
    ... except PropertyFailed as failure:
    ...     print(failure)
    property 'small' does not hold: numbers stay at most 10
      11 is more than 10
    failing example (shrunk):
      11
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
    """Call code under check; an error becomes a failure of 'runs', a write to a read-only input one of 'pure'.

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.testing.report import call
    >>> call("the strategy", np.negative, np.array([1.0, 2.0])).tolist()
    [-1.0, -2.0]
    >>> call("the strategy", int, "three")
    Traceback (most recent call last):
    ...
    alfunc.testing.report.PropertyFailed: property 'runs' does not hold
      the strategy raised ValueError: invalid literal for int() with base 10: 'three'
    >>> X = np.zeros(3)
    >>> X.flags.writeable = False
    >>> def double_in_place(X):
    ...     X *= 2
    >>> call("the strategy", double_in_place, X)
    Traceback (most recent call last):
    ...
    alfunc.testing.report.PropertyFailed: property 'pure' does not hold
      the strategy wrote to an input array: output array is read-only
    """
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
    """A short readable list of array values (at most ``limit``, rounded).

    Examples
    --------
    >>> import numpy as np
    >>> from alfunc.testing.report import shown
    >>> shown(np.arange(12))
    '[0, 1, 2, 3, 4, 5, 6, 7] ...'
    >>> shown([1 / 3, 2 / 3], limit=8)
    '[0.333333, 0.666667]'
    """
    values = np.asarray(values)
    head = np.round(values[:limit], 6) if values.dtype.kind == "f" else values[:limit]
    return f"{head.tolist()}{' ...' if values.size > limit else ''}"
