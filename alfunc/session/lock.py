"""One process at a time per session: an exclusive, non-blocking ``flock`` on the session's ``lock`` file.

The operating system releases the lock when its process ends, however it
ends (``kill -9`` included), so a crashed session never stays locked; a
second process (or a second ``Session.open`` in the same process) is refused
with the holder's process id instead of silently writing the same journal.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]


class SessionLocked(RuntimeError):
    """The session is open in another process (or another handle of this one).

    Parameters
    ----------
    path : path-like
        The session folder.
    holder : int or None
        The process id that holds the lock, when it could be read.

    Examples
    --------
    >>> from alfunc.session.lock import SessionLocked
    >>> print(SessionLocked("/tmp/s", 1234))
    session /tmp/s is open in another process (pid 1234); close it there first
    """

    def __init__(self, path: str | os.PathLike, holder: int | None) -> None:
        self.path, self.holder = str(path), holder
        who = "another process" if holder is None else f"another process (pid {holder})"
        super().__init__(f"session {path} is open in {who}; close it there first")


class SessionLock:
    """The held lock of one session folder; ``release`` (or process exit) frees it.

    Parameters
    ----------
    folder : path-like
        The session folder; its ``lock`` file is created if missing.

    Raises
    ------
    SessionLocked
        When another handle holds the lock.

    Examples
    --------
    >>> import os, tempfile
    >>> from alfunc.session.lock import SessionLock, SessionLocked
    >>> folder = tempfile.mkdtemp()
    >>> held = SessionLock(folder)
    >>> try:
    ...     SessionLock(folder)
    ... except SessionLocked as error:
    ...     refused = error
    >>> refused.holder == os.getpid()
    True
    >>> held.release()
    >>> SessionLock(folder).release()  # free again
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.path = Path(folder) / "lock"
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip()
                os.close(fd)
                raise SessionLocked(folder, int(holder) if holder.isdigit() else None) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd: int | None = fd

    def release(self) -> None:
        """Free the lock (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
