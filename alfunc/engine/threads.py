"""How many threads BLAS and OpenMP may use while a run's steps work: one by default.

An AL round multiplies many small matrices (a fit on a few hundred rows, a
chunk of predictions); with a pool of threads per call, most of the time goes
to starting and synchronising threads, and on shared cores to waiting for them
(``benchmarks/bench_run.py --threads`` measures both ways). ``trace``,
``run``, ``replay`` and ``resume`` take ``blas_threads``: the limit holds only
while their own steps run (a fit, a query), never between the states they
yield, so nothing else in the program is affected. ``None`` leaves the
libraries' own settings.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from threadpoolctl import ThreadpoolController

from alfunc.core.validation import check_positive_int


def check_blas_threads(blas_threads: Any) -> int | None:
    """``None`` (the libraries' own settings) or a positive thread count.

    Parameters
    ----------
    blas_threads : int or None
        The limit to check.

    Returns
    -------
    int or None

    Examples
    --------
    >>> from alfunc.engine.threads import check_blas_threads
    >>> check_blas_threads(1), check_blas_threads(None)
    (1, None)
    >>> check_blas_threads(0)
    Traceback (most recent call last):
    ...
    ValueError: blas_threads must be an int >= 1, got 0
    """
    return None if blas_threads is None else check_positive_int(blas_threads, "blas_threads")


def thread_limiter(blas_threads: int | None) -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """A factory of contexts that limit BLAS/OpenMP threads to ``blas_threads`` while they are open.

    The libraries are looked up once (tens of milliseconds); each context then
    costs a fraction of a millisecond, so a run can open one per step.

    Parameters
    ----------
    blas_threads : int or None
        The limit, or ``None`` for contexts that change nothing.

    Returns
    -------
    callable
        ``limited()`` gives a context manager.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from alfunc.engine.threads import thread_limiter
    >>> limited = thread_limiter(1)
    >>> with limited():
    ...     inside = {pool["num_threads"] for pool in threadpool_info()}
    >>> inside
    {1}
    """
    if blas_threads is None:
        return contextlib.nullcontext
    controller = ThreadpoolController()
    return lambda: controller.limit(limits=blas_threads)


def limited_steps(
    states: Iterator[Any], limited: Callable[[], contextlib.AbstractContextManager[Any]]
) -> Iterator[Any]:
    """The states of ``states``, each computed under ``limited()``; the limit is lifted between them.

    Parameters
    ----------
    states : iterator
        A lazy sequence of states, each made by one step.
    limited : callable
        A factory of context managers (``thread_limiter``).

    Yields
    ------
    object
        The states, unchanged.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from alfunc.engine.threads import limited_steps, thread_limiter
    >>> def counts():
    ...     while True:
    ...         yield max(pool["num_threads"] for pool in threadpool_info())
    >>> inside = next(limited_steps(counts(), thread_limiter(1)))
    >>> inside
    1
    """
    while True:
        with limited():
            try:
                state = next(states)
            except StopIteration:
                return
        yield state
