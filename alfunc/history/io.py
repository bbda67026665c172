"""Histories as files: ``save_history``, ``load_history`` and ``history_digest``.

A history is saved as one JSON document: seed, ``info``, one small object per
record, and the queried indices and utilities of all records as two
concatenated little-endian arrays in base64; a record's ``ids`` (the user's
keys of its rows) and ``labels`` are plain JSON lists, so a history replays
without its oracle, and a record's corrections of earlier labels
(``corrected``, ``corrected_labels``) are plain lists too (format version 3;
version 1 files, which hold no labels and no ids, and version 2 files, which
hold no corrections, are still read). Loading parses JSON and decodes
those arrays with ``numpy.frombuffer`` under a fixed dtype: nothing is ever
unpickled or imported, so a crafted file cannot run code. One file means one
atomic ``os.replace``: a failed save leaves the previous file as it was.

The file carries ``history_digest`` of its content; loading recomputes it, so
a corrupted or edited file is refused rather than read as a different history.
Fitted models are never saved (``replay`` rebuilds them).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import numbers
import os
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

try:
    import fcntl
except ImportError:  # not POSIX: no locks, so no temporary can be known to be stale
    fcntl = None  # type: ignore[assignment]

from alfunc.core.frozen import FrozenMap
from alfunc.core.state import History, Record
from alfunc.core.validation import is_count

FORMAT_NAME = "alfunc-history"
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)  # version 1 files hold no labels and no ids; version 2 no corrections
INDEX_DTYPE = np.dtype("<i8")
UTILITY_DTYPE = np.dtype("<f8")
TEMPORARY = re.compile(r"[0-9a-f]{16}|[a-z0-9_]{8}")  # the random part of a temporary's name: ours, or mkstemp's
MAX_ROWS = 2**63 - 1  # a pool's rows are counted in int64
INT_LABELS = (-(2**63), 2**64 - 1)  # what int64 and uint64 label arrays hold
MAX_FLOAT_INT = int(np.finfo(np.float64).max)


def save_history(history: History, path: str | os.PathLike) -> Path:
    """Write ``history`` to ``path`` as JSON, atomically (temp file in the same folder + ``os.replace``).

    Timings are saved; models are not. Returns the path written.

    Parameters
    ----------
    history : History
        The history to save.
    path : str or path-like
        The JSON file to write (replaced atomically if it exists).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> folder = tempfile.mkdtemp()
    >>> path = al.save_history(final.history, os.path.join(folder, "run.json"))
    >>> path.name, os.listdir(folder)  # one file, no temporary file left behind
    ('run.json', ['run.json'])
    >>> al.load_history(path) == final.history
    True

    The folder must exist:

    >>> al.save_history(final.history, os.path.join(folder, "missing", "run.json"))
    Traceback (most recent call last):
    ...
    ValueError: path: folder '...missing' does not exist
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be an alfunc History, got {type(history).__name__}")
    path = check_path(path)
    if not path.parent.is_dir():
        raise ValueError(f"path: folder {str(path.parent)!r} does not exist")
    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "digest": history_digest(history)}
    document |= _content(history, with_timings=True)
    write_atomically(path, json.dumps(document, separators=(",", ":")).encode("utf-8"))
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` all at once; on any failure the old file stays and no temp file is left.

    The data goes to a temporary file beside ``path`` (``.<name>.<16 hex digits>.tmp``),
    created like any other new file: its mode is ``0o666`` less the process
    umask, or the mode of the file it replaces, which keeps the permissions its
    owner gave it. Then one ``os.replace`` puts it in place. The temporary is
    locked while it is written, and a successful write removes the temporaries
    of ``path`` that no live writer holds: those of saves that were killed.

    Examples
    --------
    >>> import os
    >>> import stat
    >>> import tempfile
    >>> from pathlib import Path
    >>> from alfunc.history.io import write_atomically
    >>> path = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> write_atomically(path, b"first")
    >>> write_atomically(path, b"second")
    >>> path.read_bytes()
    b'second'
    >>> path.chmod(0o640)
    >>> write_atomically(path, b"third")
    >>> oct(stat.S_IMODE(path.stat().st_mode))
    '0o640'

    A write that fails halfway leaves the previous content, and no temporary file:

    >>> write_atomically(path, "not bytes")
    Traceback (most recent call last):
    ...
    TypeError: a bytes-like object is required, not 'str'
    >>> path.read_bytes(), [file.name for file in path.parent.iterdir()]
    (b'third', ['notes.txt'])
    """
    handle, temporary = _create_temporary(path)
    with os.fdopen(handle, "wb") as file:  # open (and locked) until the rename: the temporary is in use
        try:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    remove_stale_temporaries(path)


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside ``path``, open for writing, with the mode ``path`` should get.

    ``tempfile.mkstemp`` would make it ``0o600`` whatever the umask, and
    ``os.replace`` keeps that mode; ``os.open`` with ``0o666`` lets the umask
    apply as it does to any new file, without touching the process umask.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        kept_mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        kept_mode = None
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
        try:
            handle = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        try:
            if not _lock(handle):  # a cleaner opened it between our create and our lock: it will remove it
                os.close(handle)
                continue
            if kept_mode is not None and hasattr(os, "fchmod"):
                os.fchmod(handle, kept_mode)
        except BaseException:
            os.close(handle)
            temporary.unlink(missing_ok=True)
            raise
        return handle, temporary
    raise FileExistsError(f"could not create a temporary file beside {str(path)!r}")


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove the temporaries that killed saves of ``path`` left beside it; return those removed.

    Only files named as ``write_atomically`` names the temporaries of this very
    target (``.<name>.<16 hex digits>.tmp``, or ``.<name>.<8 characters>.tmp``
    as ``tempfile.mkstemp`` named them before) are candidates, and of those only
    regular files that no live save holds locked. Other files, folders and
    links are never touched, nor is ``path`` itself. Needs ``fcntl`` locks
    (POSIX); elsewhere nothing is removed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from alfunc.history.io import remove_stale_temporaries
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / ".run.json.0123456789abcdef.tmp").write_bytes(b"half a history")
    >>> _ = (folder / ".other.json.0123456789abcdef.tmp").write_bytes(b"another target's")
    >>> [p.name for p in remove_stale_temporaries(folder / "run.json")]
    ['.run.json.0123456789abcdef.tmp']
    >>> [p.name for p in folder.iterdir()]
    ['.other.json.0123456789abcdef.tmp']
    """
    path = check_path(path)
    if fcntl is None:
        return []
    try:
        names = sorted(os.listdir(path.parent))
    except OSError:
        return []
    removed = []
    prefix = f".{path.name}."
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp") and TEMPORARY.fullmatch(name[len(prefix) : -4])):
            continue
        candidate = path.parent / name
        try:
            handle = os.open(candidate, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
        except OSError:  # gone already, a link, or not ours to open
            continue
        try:
            if stat.S_ISREG(os.fstat(handle).st_mode) and _lock(handle):
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            pass  # a cleanup that cannot be done now is done by a later save
        finally:
            os.close(handle)
    return removed


def _lock(handle: int) -> bool:
    """Take an exclusive lock on an open file without waiting; False when another open file holds one."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def check_path(path: Any, name: str = "path") -> Path:
    """``path`` as a ``Path``; anything but a ``str`` or ``os.PathLike`` is a ``TypeError`` naming ``name``.

    Examples
    --------
    >>> from alfunc.history.io import check_path
    >>> check_path("runs/run.json").name
    'run.json'
    >>> check_path(None)
    Traceback (most recent call last):
    ...
    TypeError: path must be a file path (str or os.PathLike), got NoneType
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path (str or os.PathLike), got {type(path).__name__}")
    path = Path(path)
    if not isinstance(path, Path):  # a PathLike of bytes
        raise TypeError(f"{name} must be a file path (str or os.PathLike), got {type(path).__name__}")
    return path


def load_history(path: str | os.PathLike) -> History:
    """Read a history written by ``save_history``; never unpickles.

    Every failure to read the content is one ``ValueError`` that names the
    file and what is wrong: not a history, truncated or corrupted, an
    unsupported format version, a field missing or of the wrong type, a number
    out of range (an integer of thousands of digits, ``1e400``, which is no
    64-bit float: ``NaN`` and ``Infinity``, as ``save_history`` writes them,
    are read), JSON nested too deeply, or content that no longer matches its
    digest. A file that cannot be opened raises the ``OSError`` that names it
    (``FileNotFoundError``, ``IsADirectoryError``, ``PermissionError``).

    Parameters
    ----------
    path : str or path-like
        A JSON file written by ``save_history``.

    Returns
    -------
    History
        The history, equal to the one saved.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> path = al.save_history(final.history, os.path.join(tempfile.mkdtemp(), "run.json"))
    >>> history = al.load_history(path)
    >>> history == final.history, len(history), history[-1].n_labeled
    (True, 4, 18)
    >>> history[1].queried.tolist() == final.history[1].queried.tolist()
    True

    An edited file no longer matches its digest and is refused:

    >>> text = path.read_text()
    >>> _ = path.write_text(text.replace('"strategy":"margin"', '"strategy":"entropy"'))
    >>> al.load_history(path)
    Traceback (most recent call last):
    ...
    ValueError: '...run.json' is a corrupted alfunc history: its content does not match its digest

    So is a crafted one, even with a recomputed digest:

    >>> _ = path.write_text(text.replace('"seed":0', '"seed":' + "9" * 5000))
    >>> al.load_history(path)
    Traceback (most recent call last):
    ...
    ValueError: '...run.json' is a corrupted alfunc history: it holds an integer of 5000 digits, too large to read
    """
    path = check_path(path)
    raw = path.read_bytes()  # a missing or unreadable file is the OSError that names it
    try:
        return _parse(raw)
    except _NotAHistory as error:
        raise ValueError(f"{str(path)!r} is not an alfunc history file ({error})") from None
    except _OtherVersion as error:
        raise ValueError(f"{str(path)!r} uses history format version {error}") from None
    except RecursionError:
        raise ValueError(f"{str(path)!r} is a corrupted alfunc history: its JSON is nested too deeply") from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as error:
        raise ValueError(f"{str(path)!r} is a corrupted alfunc history: {_reason(error)}") from None


class _NotAHistory(ValueError):
    """The bytes are not a JSON document with the history format marker."""


class _OtherVersion(ValueError):
    """A history of a format version this alfunc does not read."""


def _parse(raw: bytes) -> History:
    """The history in ``raw``; any exception means the file is not a readable history (the caller names it)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _NotAHistory(f"not UTF-8 text: {error}") from None
    try:
        document = json.loads(text, parse_int=_json_int, parse_float=_json_float)
    except json.JSONDecodeError as error:
        raise _NotAHistory(f"truncated or corrupted JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise _NotAHistory(f"no {FORMAT_NAME!r} format marker")
    version = document.get("version")
    if not is_count(version) or version not in READABLE_VERSIONS:
        raise _OtherVersion(f"{_brief(version)}; this alfunc reads versions {list(READABLE_VERSIONS)}")
    history = _history_from(document)
    if history_digest(history) != document.get("digest"):
        raise ValueError("its content does not match its digest")
    return history


def _json_int(text: str) -> int:
    """A JSON integer; one too long for Python to read (``sys.get_int_max_str_digits``) is named by its length."""
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"it holds an integer of {len(text.lstrip('-'))} digits, too large to read") from None


def _json_float(text: str) -> float:
    """A JSON number with a fraction or exponent; refused when it overflows a float64 (``1e400``).

    ``save_history`` writes infinite values as ``Infinity`` (and NaN as ``NaN``),
    which are read as they are; a literal that only overflows was never written
    by alfunc, and reading it as infinity would change the number.
    """
    value = float(text)
    if math.isinf(value):
        shown = text if len(text) <= 20 else f"{text[:17]}..."
        raise ValueError(f"it holds the number {shown}, out of the range of a 64-bit float")
    return value


def _reason(error: BaseException) -> str:
    """What is wrong, in words: a missing key is named as a missing field."""
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}" if error.args else "missing field"
    if isinstance(error, (ArithmeticError, IndexError, TypeError)):
        return f"{type(error).__name__}: {error}"
    return str(error)


def _brief(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters: a crafted value may be megabytes long."""
    try:
        shown = repr(value)
    except ValueError:  # an int too long to print
        return f"<{type(value).__name__} too large to show>"
    return shown if len(shown) <= limit else f"{shown[: limit - 3]}..."


def history_digest(history: History) -> str:
    """A SHA-256 hex digest of everything ``History`` equality compares.

    Equal histories (two identical runs) have equal digests; a different
    selection, utility, score, seed, ``info`` entry (data fingerprint, run
    parameter, library version) gives a different one. Timings and models are
    left out, as they are from equality.

    Parameters
    ----------
    history : History
        The history to hash.

    Returns
    -------
    str
        64 hexadecimal characters.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> import alfunc as al
    >>> X, y = load_iris(return_X_y=True)
    >>> first = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> digest = al.history_digest(first.history)
    >>> len(digest)
    64

    The same run gives the same digest, another seed another one, and the
    digest survives a save and load:

    >>> same = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    >>> other = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3, random_state=1)
    >>> al.history_digest(same.history) == digest, al.history_digest(other.history) == digest
    (True, False)
    >>> path = al.save_history(first.history, os.path.join(tempfile.mkdtemp(), "run.json"))
    >>> al.history_digest(al.load_history(path)) == digest
    True
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be an alfunc History, got {type(history).__name__}")
    content = _content(history, with_timings=False)
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _content(history: History, *, with_timings: bool) -> dict[str, Any]:
    """The history as a JSON-ready dict (arrays base64-encoded, concatenated over records)."""
    records = [
        {
            "iteration": record.iteration,
            "strategy": record.strategy,
            "n_labeled": record.n_labeled,
            "size": int(record.queried.size),
            "scores": _to_json(record.scores, "scores"),
        }
        | ({"timings": _to_json(record.timings, "timings")} if with_timings else {})
        | ({} if record.ids is None else {"ids": list(record.ids)})
        | ({} if record.labels is None else {"labels": _plain_labels(record.labels, record.iteration)})
        | (
            {
                "corrected": record.corrected.tolist(),
                "corrected_labels": _plain_labels(record.corrected_labels, record.iteration),
            }
            if record.corrected.size and record.corrected_labels is not None
            else {}
        )
        for record in history
    ]
    queried = [record.queried for record in history]
    utilities = [record.utilities for record in history]
    return {
        "seed": history.seed,
        "info": _to_json(history.info, "info"),
        "records": records,
        "queried": _encode(np.concatenate(queried) if queried else np.empty(0), INDEX_DTYPE),
        "utilities": _encode(np.concatenate(utilities) if utilities else np.empty(0), UTILITY_DTYPE),
    }


def _encode(values: np.ndarray, dtype: np.dtype) -> dict[str, str]:
    """Little-endian bytes in base64; floats canonical (one NaN, no -0.0) so equal arrays encode equally."""
    values = values.astype(dtype)
    if dtype.kind == "f":
        values = np.where(np.isnan(values), np.nan, values + 0.0).astype(dtype)
    return {"dtype": dtype.str, "base64": base64.b64encode(values.tobytes()).decode("ascii")}


def _decode(field: Any, dtype: np.dtype, name: str) -> np.ndarray:
    """An array from ``{"dtype", "base64"}``; only ``dtype`` is accepted, so nothing but numbers is read."""
    if not isinstance(field, dict) or field.get("dtype") != dtype.str or not isinstance(field.get("base64"), str):
        raise ValueError(f"{name} must be a base64 array of dtype {dtype.str!r}")
    try:
        data = base64.b64decode(field["base64"], validate=True)
    except binascii.Error as error:
        raise ValueError(f"{name} is not valid base64 ({error})") from None
    if len(data) % dtype.itemsize:
        raise ValueError(f"{name} holds {len(data)} bytes, not a whole number of {dtype.str} values")
    return np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="))


def _history_from(document: dict[str, Any]) -> History:
    seed = _field(document, "seed")
    if not is_count(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {_brief(seed)}")
    info = _from_json(_field(document, "info"))
    if not isinstance(info, FrozenMap):
        raise ValueError("info must be a JSON object")
    entries = _field(document, "records")
    if not isinstance(entries, list):
        raise ValueError("records must be a JSON array")
    if not all(isinstance(entry, dict) for entry in entries):
        number = next(number for number, entry in enumerate(entries) if not isinstance(entry, dict))
        raise ValueError(f"record {number} must be a JSON object")
    queried = _decode(_field(document, "queried"), INDEX_DTYPE, "queried")
    utilities = _decode(_field(document, "utilities"), UTILITY_DTYPE, "utilities")
    sizes = [
        _count(_field(entry, "size", number), f"record {number}: size", 0 if "corrected" in entry else 1)
        for number, entry in enumerate(entries)
    ]
    if sum(sizes) != queried.size or queried.size != utilities.size:
        raise ValueError(
            f"records announce {sum(sizes)} queried points but the file holds "
            f"{queried.size} indices and {utilities.size} utilities"
        )
    _check_indices(queried, info.get("n_pool"))
    bounds = np.cumsum([0, *sizes])
    records = tuple(
        _record(entry, number, queried[start:stop], utilities[start:stop], int(stop))
        for number, (entry, start, stop) in enumerate(zip(entries, bounds[:-1], bounds[1:], strict=True))
    )
    _check_corrections(records)
    return History(seed, records, info)


def _check_corrections(records: tuple[Record, ...]) -> None:
    """Refuse a record that corrects a point that no record up to it labeled."""
    labeled: set[int] = set()
    for record in records:
        labeled.update(record.queried.tolist())
        unknown = sorted(set(record.corrected.tolist()) - labeled)
        if unknown:
            raise ValueError(f"record {record.iteration}: corrects {unknown[:10]}, which no record up to it labeled")


def _field(document: dict[str, Any], name: str, record: int | None = None) -> Any:
    """``document[name]``, or a ValueError naming the missing field (and its record)."""
    if name not in document:
        where = "" if record is None else f"record {record}: "
        raise ValueError(f"{where}missing field {name!r}")
    return document[name]


def _record(entry: dict[str, Any], number: int, queried: np.ndarray, utilities: np.ndarray, n_labeled: int) -> Record:
    iteration = _count(_field(entry, "iteration", number), f"record {number}: iteration")
    if iteration != number:
        raise ValueError(f"record {number} has iteration {_brief(iteration)}; iterations must count 0, 1, 2, ...")
    recorded_n_labeled = _count(_field(entry, "n_labeled", number), f"record {number}: n_labeled")
    if recorded_n_labeled != n_labeled:
        raise ValueError(
            f"record {number} says {_brief(recorded_n_labeled)} points are labeled but its queries add up to {n_labeled}"
        )
    strategy = _field(entry, "strategy", number)
    if not isinstance(strategy, str):
        raise ValueError(f"record {number}: strategy must be a string")
    return Record(
        iteration=number,
        queried=queried,
        utilities=utilities,
        strategy=strategy,
        n_labeled=n_labeled,
        scores=_numbers(_field(entry, "scores", number), f"record {number} scores"),
        timings=_numbers(entry.get("timings", {}), f"record {number} timings"),
        ids=_keys(entry.get("ids"), queried.size, number),
        labels=_labels(entry.get("labels"), queried.size, number),
        **_corrections(entry, number),
    )


def _corrections(entry: dict[str, Any], number: int) -> dict[str, Any]:
    """A record's corrections from JSON: absent, or a non-empty list of pool indices with one label each."""
    if "corrected" not in entry and "corrected_labels" not in entry:
        return {}
    corrected = _field(entry, "corrected", number)
    if not isinstance(corrected, list) or not corrected or not all(is_count(index) for index in corrected):
        raise ValueError(f"record {number}: corrected must be a non-empty list of pool indices")
    labels = _labels(_field(entry, "corrected_labels", number), len(corrected), number)
    return {"corrected": np.asarray(corrected, dtype=np.int64), "corrected_labels": labels}


def _plain_labels(labels: np.ndarray, iteration: int) -> list[Any]:
    """A record's labels as JSON values; anything but numbers, bools and strings cannot be saved."""
    values = labels.tolist()
    if not all(isinstance(label, (bool, int, float, str)) for label in values):
        kinds = sorted({type(label).__name__ for label in values} - {"bool", "int", "float", "str"})
        raise ValueError(f"record {iteration}: labels must be numbers, bools or strings to be saved, got {kinds}")
    return values


def _labels(labels: Any, size: int, number: int) -> np.ndarray | None:
    """A record's labels from JSON: absent (version 1), or one number, bool or string per queried point.

    Integer labels must fit one numpy integer dtype, as the labels ``save_history``
    wrote did: a 400-digit label, or ``2**63`` beside ``-1`` (which numpy would
    turn into floats), is refused rather than read as other labels.
    """
    if labels is None:
        return None
    if not isinstance(labels, list) or len(labels) != size:
        raise ValueError(f"record {number}: labels must be a list of {size} labels")
    kinds = {type(label) for label in labels}
    if not kinds <= {bool, int, float, str}:
        raise ValueError(f"record {number}: labels must be numbers, bools or strings")
    integers = [label for label in labels if type(label) is int]
    if integers and not (INT_LABELS[0] <= min(integers) and max(integers) <= INT_LABELS[1]):
        raise ValueError(f"record {number}: labels hold an integer outside the range of 64-bit integers")
    values = np.asarray(labels) if len(kinds) <= 1 or kinds <= {int, float} else np.asarray(labels, dtype=object)
    if kinds == {int} and values.dtype.kind not in "iu":
        raise ValueError(f"record {number}: labels mix integers that no one 64-bit integer type holds")
    return values


def _keys(ids: Any, size: int, number: int) -> list[Any] | None:
    """A record's row keys: absent, or one int, float or string per queried point."""
    if ids is None:
        return None
    if not isinstance(ids, list) or len(ids) != size:
        raise ValueError(f"record {number}: ids must be a list of {size} keys")
    if not all(isinstance(key, (int, float, str)) and not isinstance(key, bool) for key in ids):
        raise ValueError(f"record {number}: ids must be ints, floats or strings")
    return ids


def _check_indices(queried: np.ndarray, n_pool: Any) -> None:
    if n_pool is not None and (not is_count(n_pool) or not 1 <= n_pool <= MAX_ROWS):
        raise ValueError(f"info n_pool must be a number of rows (an integer from 1 to 2**63 - 1), got {_brief(n_pool)}")
    if queried.size and queried.min() < 0:
        raise ValueError("queried indices must be non-negative")
    if n_pool is not None and queried.size and int(queried.max()) >= n_pool:
        raise ValueError(f"queried indices must be below the pool size {n_pool}")
    if np.unique(queried).size != queried.size:
        raise ValueError("a pool index is queried twice")


def _count(value: Any, name: str, minimum: int = 0) -> int:
    if not is_count(value) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {_brief(value)}")
    return int(value)


def _numbers(values: Any, name: str) -> FrozenMap:
    """Scores or timings: names to floats; NaN and infinities are kept, an int beyond float64 is refused."""
    if not isinstance(values, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values()
    ):
        raise ValueError(f"{name} must map names to numbers")
    too_large = [key for key, value in values.items() if isinstance(value, int) and abs(value) > MAX_FLOAT_INT]
    if too_large:
        raise ValueError(f"{name}: {_brief(too_large[0])} is an integer too large for a 64-bit float")
    return FrozenMap({key: float(value) for key, value in values.items()})


def _to_json(value: Any, where: str) -> Any:
    """Plain data (``FrozenMap``/tuples included) as JSON-ready dicts and lists; objects are refused."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) + 0.0  # -0.0 == 0.0, so both must save (and digest) alike
    if isinstance(value, Mapping):
        return {str(key): _to_json(item, f"{where}[{key!r}]") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(item, f"{where}[{number}]") for number, item in enumerate(value)]
    raise TypeError(f"history {where} holds a {type(value).__name__}, which is not plain data and cannot be saved")


def _from_json(value: Any) -> Any:
    """JSON back to the immutable plain data ``alfunc.core.facts.plain_data`` produces."""
    if isinstance(value, dict):
        return FrozenMap({key: _from_json(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_from_json(item) for item in value)
    return value


__all__ = [
    "FORMAT_VERSION",
    "check_path",
    "history_digest",
    "load_history",
    "remove_stale_temporaries",
    "save_history",
    "write_atomically",
]
