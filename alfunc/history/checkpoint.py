"""Checkpoints: save a run's history as it goes, so a crash or Ctrl-C loses nothing.

``checkpointed`` consumes any iterator of fitted states (``trace``,
``resume_trace`` or a hand-written loop), saving the history atomically every
``every`` iterations and at the end. If producing the next state fails, the
last good state is saved and travels with the error; a ``KeyboardInterrupt``
is re-raised as it is, after the save. Resume with ``alfunc.resume``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from alfunc.core.state import ALState
from alfunc.core.validation import check_positive_int
from alfunc.history.io import save_history


class RunFailed(RuntimeError):
    """A checkpointed run stopped on an error (its ``__cause__``).

    ``state`` is the last fitted state before the error (``None`` if there was
    none), and ``checkpoint`` the file that now holds its history.

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

    def __init__(self, error: BaseException, state: ALState | None, checkpoint: Path) -> None:
        self.state, self.checkpoint = state, checkpoint
        where = (
            "no state was completed, nothing was saved"
            if state is None
            else f"the last good state (iteration {state.iteration}) is saved in {str(checkpoint)!r}"
        )
        super().__init__(f"the run failed with {type(error).__name__}: {error}; {where}")


def checkpointed(states: Iterable[ALState], path: str | os.PathLike, every: int = 1) -> ALState:
    """Run ``states`` to the end and return the last, saving its history to ``path`` as it goes.

    The history is saved when a state's iteration is a multiple of ``every``,
    at the end, and, on an error, for the last good state; the error is then
    raised as ``RunFailed`` with that state attached (``KeyboardInterrupt``
    propagates unchanged, with a note naming the checkpoint).

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
    path = Path(path)
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
        _save_unsaved(last, saved, path)
        if last is not None:
            interrupt.add_note(f"alfunc: the last good state (iteration {last.iteration}) is saved in {str(path)!r}")
        raise
    except Exception as error:
        _save_unsaved(last, saved, path)
        raise RunFailed(error, last, path) from error
    if last is None:
        raise ValueError("states is empty: there is no state to checkpoint")
    _save_unsaved(last, saved, path)
    return last


def _save_unsaved(last: ALState | None, saved: ALState | None, path: Path) -> None:
    if last is not None and last is not saved:
        save_history(last.history, path)


__all__ = ["RunFailed", "checkpointed"]
