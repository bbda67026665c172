"""Checkpoints: save a run's history as it goes, so a crash or Ctrl-C loses nothing.

``checkpointed`` consumes any iterator of fitted states (``trace``,
``resume_trace`` or a hand-written loop), saving the history atomically every
``every`` iterations and at the end. If producing the next state fails, the
last good state is saved and travels with the error; so it does when a save
fails (a full disk), the file keeping the last state saved. A
``KeyboardInterrupt`` is re-raised as it is, after the save. Resume with ``alfunc.resume``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from alfunc.core.state import ALState
from alfunc.core.validation import check_positive_int
from alfunc.history.io import check_path, save_history

SAME = object()  # RunFailed(saved=...) default: the file holds ``state``


class RunFailed(RuntimeError):
    """A checkpointed run stopped on an error (its ``__cause__``).

    ``state`` is the last fitted state before the error (``None`` if there was
    none), ``checkpoint`` the file, and ``saved`` the state whose history the
    file holds: ``state`` itself, or, when saving failed (a full disk), the
    last state that could be saved (``None`` if none was, and the file was
    left as it was). Nothing is lost either way: ``state`` holds the whole run
    so far, so it can be saved elsewhere and resumed.

    Parameters
    ----------
    error : BaseException
        The error that stopped the run.
    state : ALState or None
        The last fitted state before the error.
    checkpoint : path-like
        The checkpoint file.
    saved : ALState or None, default=state
        The state whose history the file holds (``state`` unless saving failed).
    save_error : BaseException, default=None
        The error that made saving fail, if saving failed.

    Examples
    --------
    An annotator that stops answering at the third request (the initial set
    was the first):

    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> requests = []
    >>> def annotator(indices):
    ...     requests.append(len(indices))
    ...     if len(requests) == 3:
    ...         raise ConnectionError("the annotation server is down")
    ...     return y[indices]
    >>> path = os.path.join(tempfile.mkdtemp(), "run.json")
    >>> try:
    ...     al.checkpointed(al.trace(X, annotator, GaussianNB(), n_init=6, batch_size=4), path)
    ... except al.RunFailed as error:
    ...     failure = error
    >>> failure.state.iteration, failure.state.n_labeled, type(failure.__cause__).__name__
    (1, 10, 'ConnectionError')
    >>> print(failure)
    the run failed with ConnectionError: the annotation server is down; the last good state (iteration 1) is saved in '...run.json'
    >>> al.load_history(failure.checkpoint) == failure.state.history
    True
    """

    def __init__(
        self,
        error: BaseException,
        state: ALState | None,
        checkpoint: Path,
        saved: ALState | None | object = SAME,
        save_error: BaseException | None = None,
    ) -> None:
        self.state, self.checkpoint = state, checkpoint
        self.saved: ALState | None = state if saved is SAME else cast(ALState | None, saved)
        where = _where(state, self.saved, checkpoint, None if save_error is error else save_error)
        super().__init__(f"the run failed with {type(error).__name__}: {error}; {where}")


def _where(state: ALState | None, saved: ALState | None, checkpoint: Path, save_error: BaseException | None) -> str:
    """Where the last good state is: saved in the checkpoint, or only in memory (and what the file holds)."""
    if state is None:
        return "no state was completed, nothing was saved"
    if saved is state:
        return f"the last good state (iteration {state.iteration}) is saved in {str(checkpoint)!r}"
    why = "" if save_error is None else f" (saving it failed: {type(save_error).__name__}: {save_error})"
    holds = (
        f"{str(checkpoint)!r} was left as it was"
        if saved is None
        else f"{str(checkpoint)!r} holds iteration {saved.iteration}"
    )
    return (
        f"the last good state (iteration {state.iteration}) could not be saved{why}; "
        f"it is kept in memory (error.state); {holds}"
    )


def checkpointed(states: Iterable[ALState], path: str | os.PathLike, every: int = 1) -> ALState:
    """Run ``states`` to the end and return the last, saving its history to ``path`` as it goes.

    The history is saved when a state's iteration is a multiple of ``every``,
    at the end, and, on an error, for the last good state; the error is then
    raised as ``RunFailed`` with that state attached (``KeyboardInterrupt``
    propagates unchanged, with a note naming the checkpoint). A save that
    fails (a full disk) is such an error too: ``RunFailed`` carries the last
    good state, and the file, written atomically, still holds the last state
    that could be saved (``RunFailed.saved``).

    Parameters
    ----------
    states : iterable of ALState
        The states of a run, typically ``trace(...)``; consumed to the end.
    path : str or path-like
        The JSON file the history is saved to (atomically).
    every : int, default=1
        Save when a state's iteration is a multiple of ``every`` (and always at the end).

    Returns
    -------
    ALState
        The last state.

    Raises
    ------
    RunFailed
        When producing or saving a state fails; it carries the last good state.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "run.json")
    >>> states = al.trace(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> final = al.checkpointed(states, path, every=2)
    >>> final.iteration, al.load_history(path) == final.history
    (3, True)

    The file holds the run so far, so it can be continued later:

    >>> more = al.resume(al.load_history(path), X, y, GaussianNB(), max_iter=5)
    >>> more.iteration, more.n_labeled
    (5, 26)
    """
    path = check_path(path)
    every = check_positive_int(every, "every")
    if not path.parent.is_dir():
        raise ValueError(f"path: folder {str(path.parent)!r} does not exist")
    last = saved = None
    try:
        for state in states:
            last = state
            if state.iteration % every == 0:
                save_history(state.history, path)
                saved = state
    except KeyboardInterrupt as interrupt:
        saved, save_error = _save_last(last, saved, path)
        if last is not None:
            interrupt.add_note(f"alfunc: {_where(last, saved, path, save_error)}")
        raise
    except Exception as error:  # the run's, or a save's (a full disk): either way the last good state travels
        saved, save_error = _save_last(last, saved, path)
        raise RunFailed(error, last, path, saved, save_error) from error
    if last is None:
        raise ValueError("states is empty: there is no state to checkpoint")
    saved, save_error = _save_last(last, saved, path)
    if save_error is not None:
        raise RunFailed(save_error, last, path, saved) from save_error
    return last


def _save_last(last: ALState | None, saved: ALState | None, path: Path) -> tuple[ALState | None, Exception | None]:
    """Save ``last`` unless it is saved already; return the state the file now holds and the save's error."""
    if last is None or last is saved:
        return saved, None
    try:
        save_history(last.history, path)
    except Exception as error:  # the file still holds ``saved`` (saves are atomic)
        return saved, error
    return last, None


__all__ = ["RunFailed", "checkpointed"]
