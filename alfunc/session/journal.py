"""The session's append-only journal: one checksummed JSON event per line, durable when ``append`` returns.

A line is ``<crc32 of the JSON, 8 hex digits> <JSON object>\\n``. ``append``
writes the whole line with one ``write`` on a file opened for appending and
``fsync``s it before returning, so an event a caller was told about survives a
crash or a ``kill -9``; a crash can only leave the line being written
incomplete, without its newline. ``read_journal`` drops such a torn last line
(it was never acknowledged) and refuses anything else that does not parse or
does not match its checksum, naming the line: the lines before it are the
valid prefix, which ``keep_valid_prefix`` keeps while it moves the rest aside.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs


class JournalError(ValueError):
    """A journal line that is not a valid event: ``line`` is its number (from 1), ``valid`` how many lines precede it.

    Parameters
    ----------
    path : path-like
        The journal file.
    line : int
        The number of the first invalid line, from 1.
    reason : str
        What is wrong with it.

    Examples
    --------
    >>> from alfunc.session.journal import JournalError
    >>> error = JournalError("journal.jsonl", 3, "checksum does not match")
    >>> error.line, error.valid, isinstance(error, ValueError)
    (3, 2, True)
    >>> print(error)
    journal.jsonl line 3: checksum does not match; lines 1-2 are valid (open with recover=True to keep them and move the rest aside)
    """

    def __init__(self, path: Any, line: int, reason: str) -> None:
        self.path, self.line, self.valid, self.reason = str(path), line, line - 1, reason
        prefix = f"lines 1-{line - 1} are valid" if line > 1 else "no line before it is valid"
        super().__init__(
            f"{path} line {line}: {reason}; {prefix} (open with recover=True to keep them and move the rest aside)"
        )


def encode_event(event: Mapping[str, Any]) -> bytes:
    """One journal line for ``event``: its checksum, a space, compact JSON, a newline.

    Parameters
    ----------
    event : mapping
        Plain JSON data (strings, numbers, bools, lists, mappings).

    Returns
    -------
    bytes
        The line, UTF-8 encoded.

    Examples
    --------
    >>> import zlib
    >>> from alfunc.session.journal import encode_event
    >>> line = encode_event({"event": "tell", "index": 4, "label": "cat"})
    >>> line[9:]
    b'{"event":"tell","index":4,"label":"cat"}\\n'
    >>> int(line[:8], 16) == zlib.crc32(line[9:-1])
    True
    """
    body = json.dumps(dict(event), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    return b"%08x %s\n" % (zlib.crc32(body), body)


def decode_line(line: bytes) -> dict[str, Any]:
    """The event a complete journal line holds, or ``ValueError`` saying what is wrong with it.

    Parameters
    ----------
    line : bytes
        One line, without its newline.

    Returns
    -------
    dict
        The event.

    Examples
    --------
    >>> from alfunc.session.journal import decode_line, encode_event
    >>> decode_line(encode_event({"event": "skip", "index": 2}).rstrip(b"\\n"))
    {'event': 'skip', 'index': 2}
    >>> decode_line(b'00000000 {"event":"skip","index":2}')
    Traceback (most recent call last):
    ...
    ValueError: checksum does not match its event
    """
    checksum, _, body = line.partition(b" ")
    if len(checksum) != 8 or not body:
        raise ValueError("not a journal line (expected '<8 hex digits> <JSON>')")
    try:
        expected = int(checksum, 16)
    except ValueError:
        raise ValueError("not a journal line (expected '<8 hex digits> <JSON>')") from None
    if zlib.crc32(body) != expected:
        raise ValueError("checksum does not match its event")
    try:
        event = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"event is not valid JSON ({error})") from None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        raise ValueError("event must be a JSON object with an 'event' name")
    return event


@attrs.frozen
class JournalLines:
    """The complete lines of a journal, and the torn last line a crash may have left (``b""`` if none).

    Examples
    --------
    >>> from alfunc.session.journal import JournalLines
    >>> JournalLines((b"a", b"b"), b"c").torn
    b'c'
    """

    lines: tuple[bytes, ...]
    torn: bytes


def journal_lines(path: str | os.PathLike) -> JournalLines:
    """Split a journal file into its complete lines and the incomplete line after the last newline.

    Parameters
    ----------
    path : path-like
        The journal file.

    Returns
    -------
    JournalLines
        The complete lines (without newlines) and the torn tail.

    Examples
    --------
    >>> import os, tempfile
    >>> from alfunc.session.journal import journal_lines
    >>> path = os.path.join(tempfile.mkdtemp(), "journal.jsonl")
    >>> _ = open(path, "wb").write(b"one\\ntwo\\nthr")
    >>> journal_lines(path)
    JournalLines(lines=(b'one', b'two'), torn=b'thr')
    """
    data = Path(path).read_bytes()
    head, _, torn = data.rpartition(b"\n")
    return JournalLines(tuple(head.split(b"\n")) if head or data.startswith(b"\n") else (), torn)


def read_journal(path: str | os.PathLike) -> Iterator[tuple[int, dict[str, Any]]]:
    """The events of a journal with their line numbers; a torn last line is left out.

    Parameters
    ----------
    path : path-like
        The journal file.

    Yields
    ------
    (int, dict)
        The line number (from 1) and the event.

    Raises
    ------
    JournalError
        At the first complete line that is not a valid event.

    Examples
    --------
    >>> import os, tempfile
    >>> from alfunc.session.journal import encode_event, read_journal
    >>> path = os.path.join(tempfile.mkdtemp(), "journal.jsonl")
    >>> _ = open(path, "wb").write(encode_event({"event": "tell"}) + b"garbage\\n")
    >>> next(iter(read_journal(path)))
    (1, {'event': 'tell'})
    >>> list(read_journal(path))
    Traceback (most recent call last):
    ...
    alfunc.session.journal.JournalError: ... line 2: not a journal line (expected '<8 hex digits> <JSON>'); lines 1-1 are valid ...
    """
    for number, line in enumerate(journal_lines(path).lines, start=1):
        try:
            yield number, decode_line(line)
        except ValueError as error:
            raise JournalError(path, number, str(error)) from None


def keep_valid_prefix(path: str | os.PathLike, valid: int) -> Path:
    """Keep the first ``valid`` lines of a journal and move the rest (and any torn tail) to a ``.rejected`` file.

    Nothing is deleted: the rejected lines are appended to
    ``<journal>.rejected``, which is synced before the journal is cut.

    Parameters
    ----------
    path : path-like
        The journal file.
    valid : int
        How many complete lines to keep.

    Returns
    -------
    pathlib.Path
        The file the other lines went to.

    Examples
    --------
    >>> import os, tempfile
    >>> from alfunc.session.journal import keep_valid_prefix
    >>> path = os.path.join(tempfile.mkdtemp(), "journal.jsonl")
    >>> _ = open(path, "wb").write(b"good\\nbad\\nworse")
    >>> rejected = keep_valid_prefix(path, 1)
    >>> open(path, "rb").read(), rejected.read_bytes()
    (b'good\\n', b'bad\\nworse\\n')
    """
    path = Path(path)
    split = journal_lines(path)
    kept, rest = split.lines[:valid], [*split.lines[valid:], *([split.torn] if split.torn else [])]
    rejected = path.with_name(path.name + ".rejected")
    if rest:
        with open(rejected, "ab") as handle:
            handle.write(b"".join(line + b"\n" for line in rest))
            handle.flush()
            os.fsync(handle.fileno())
    with open(path, "r+b") as handle:
        handle.truncate(sum(len(line) + 1 for line in kept))
        handle.flush()
        os.fsync(handle.fileno())
    return rejected


class Journal:
    """An open journal file that ``append`` writes durable events to.

    Parameters
    ----------
    path : path-like
        The journal file; created if missing.
    durable : bool, default=True
        ``fsync`` every event before ``append`` returns. ``False`` trades the
        crash guarantee for speed (tests, simulations).

    Examples
    --------
    >>> import os, tempfile
    >>> from alfunc.session.journal import Journal, read_journal
    >>> path = os.path.join(tempfile.mkdtemp(), "journal.jsonl")
    >>> journal = Journal(path)
    >>> journal.append({"event": "tell", "index": 3, "label": "cat"})
    >>> journal.close()
    >>> [event for _, event in read_journal(path)]
    [{'event': 'tell', 'index': 3, 'label': 'cat'}]
    """

    def __init__(self, path: str | os.PathLike, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, event: Mapping[str, Any]) -> None:
        """Write one event as one line; when ``durable``, return only once it is on disk."""
        if self._fd is None:
            raise ValueError(f"journal {self.path} is closed")
        line = encode_event(event)
        written = os.write(self._fd, line)
        while written < len(line):  # a short write (a full disk, a signal): finish the line
            written += os.write(self._fd, line[written:])
        if self.durable:
            os.fsync(self._fd)

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
