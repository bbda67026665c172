"""Claims on the runs of a results file, so that runners in several processes compute each run once.

Before computing a run, a runner claims it: it takes a POSIX record lock
(``fcntl.lockf``) on one byte of the results file's lock file,
``<results>.lock``, at an offset derived from the run's id, and holds it until
the run's line is appended. Another runner that finds the run claimed goes on
with other runs and, at the end, waits for the claim to be released and reads
the line. The kernel releases every lock of a process that ends, however it
ends (an exception, Ctrl-C, SIGKILL, a crash), so a claim never outlives its
runner: a run whose runner died is computed by the next runner that wants it.
The lock file is removed by the last runner to finish.

Where the platform has no ``fcntl`` (Windows), or the file system refuses
locks, every claim succeeds: runners sharing a file do not cooperate, and
``read_results`` reads a run written twice once. Two runners in one process
(threads) do not exclude each other either: record locks are per process.
"""

from __future__ import annotations

import errno
import hashlib
import os
import warnings
from types import TracebackType
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

BUSY = (errno.EACCES, errno.EAGAIN)  # what a non-blocking lock attempt on a held range fails with


class RunClaims:
    """The claims of one runner on the runs of a results file; a context manager that releases them all.

    ``claim(run_id)`` takes the run if no other process holds it (without
    waiting) and says whether it did; ``release(run_id)`` gives it back once its
    line is saved; ``wait(run_id)`` blocks until no other process holds it.
    Leaving the ``with`` block releases every claim still held and removes the
    lock file when no other runner holds a claim on it.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from alfunc.experiments.claims import RunClaims
    >>> path = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> with RunClaims(path) as claims:
    ...     print(claims.claim("a1b2"), sorted(os.listdir(os.path.dirname(path))))
    ...     claims.release("a1b2")
    True ['results.jsonl.lock']
    >>> os.listdir(os.path.dirname(path))  # the last runner removes the lock file
    []

    A claim held by another process is refused until that process releases it
    or ends (see ``tests/experiments/test_concurrent.py``).
    """

    def __init__(self, results: str | os.PathLike) -> None:
        self.path = os.fspath(results) + ".lock"
        self._fd: int | None = None
        self._held: set[str] = set()
        self._cooperative = fcntl is not None

    def __enter__(self) -> RunClaims:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def claim(self, run_id: str) -> bool:
        """Take ``run_id`` if no other process holds it; True when this runner now holds it."""
        if not self._cooperative:
            return True
        while True:
            fd = self._open()
            if fd is None:
                return True
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _offset(run_id))
            except OSError as error:
                if error.errno in BUSY:
                    return False
                self._give_up(error)
                return True
            if self._still_the_file(fd):
                self._held.add(run_id)
                return True
            self._reopen()  # removed by a runner that finished meanwhile: claim on the new file

    def release(self, run_id: str) -> None:
        """Give ``run_id`` back (its line is saved, or this runner will not compute it)."""
        if run_id in self._held and self._fd is not None:
            self._held.discard(run_id)
            fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, _offset(run_id))

    def wait(self, run_id: str) -> None:
        """Block until no other process holds ``run_id`` (its runner saved it, or ended)."""
        fd = self._open() if self._cooperative else None
        if fd is None:
            return
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX, 1, _offset(run_id))
        except OSError as error:  # pragma: no cover - e.g. a deadlock the kernel detected
            self._give_up(error)
            return
        if run_id not in self._held:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, _offset(run_id))

    def close(self) -> None:
        """Release every claim, and remove the lock file if no other runner holds a claim on it."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        self._held.clear()
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 0, 0)  # the whole file: nobody else holds a claim
            if os.path.exists(self.path) and os.path.samestat(os.stat(self.path), os.fstat(fd)):
                os.unlink(self.path)
        except OSError:
            pass  # another runner still works on it: it removes the file
        finally:
            os.close(fd)  # releases this process's locks on the file

    def _open(self) -> int | None:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as error:
                self._give_up(error)
        return self._fd

    def _reopen(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _still_the_file(self, fd: int) -> bool:
        try:
            return os.path.samestat(os.stat(self.path), os.fstat(fd))
        except FileNotFoundError:
            return False

    def _give_up(self, error: OSError) -> None:
        warnings.warn(
            f"cannot lock {self.path!r} ({error}); runners sharing this results file may compute a run twice",
            RuntimeWarning,
            stacklevel=4,
        )
        self._cooperative = False


def _offset(run_id: Any) -> int:
    """The byte of the lock file that stands for ``run_id`` (a 48-bit hash; byte 0 is never used)."""
    return 1 + int(hashlib.sha256(str(run_id).encode("utf-8")).hexdigest()[:12], 16)
